"""Logs never carry a whole ID number or bank account: a filter masks the message, a formatter the traceback.

Patterns match by digits, not word boundaries, so a number written straight after Chinese text
(``账号6217991234567890123已变更``) is found too. An ID number keeps its first 6 and last 4
characters; any other run of 12 or more digits (cards, passbooks) keeps its last 4.
"""

from __future__ import annotations

import logging
import re

from flask import Flask

ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")
ACCOUNT_RE = re.compile(r"(?<!\d)\d{8,}(\d{4})(?!\d)")


def mask_text(text: str) -> str:
    text = ID_RE.sub(lambda m: f"{m.group(1)}********{m.group(2).upper()}", text)
    return ACCOUNT_RE.sub(lambda m: "*" * (len(m.group(0)) - 4) + m.group(1), text)


class MaskingFilter(logging.Filter):
    """Masks the record's message (with its arguments) before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class MaskingFormatter(logging.Formatter):
    """Masks the whole formatted line, tracebacks and SQL parameters included."""

    def __init__(self, inner: logging.Formatter | None = None):
        super().__init__()
        self.inner = inner or logging.Formatter("[%(asctime)s] %(levelname)s in %(module)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        return mask_text(self.inner.format(record))


def install_masking_filter(app: Flask) -> None:
    mask = MaskingFilter()
    loggers = [
        app.logger,
        logging.getLogger("werkzeug"),
        logging.getLogger("gunicorn.error"),
        logging.getLogger("sqlalchemy"),
    ]
    for logger in loggers:
        logger.addFilter(mask)
    for handler in {
        *logging.getLogger().handlers,
        *app.logger.handlers,
        *(h for lg in loggers for h in lg.handlers),
    }:
        handler.addFilter(mask)
        if not isinstance(handler.formatter, MaskingFormatter):
            handler.setFormatter(MaskingFormatter(handler.formatter))
