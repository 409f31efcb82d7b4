"""Logs never carry a whole ID number or bank account, and every record names its request.

A filter masks the message, a formatter the traceback. Every record carries ``request_id`` (the
request's ``X-Request-Id``, or a new one, echoed on the response; ``-`` outside a request), so the
lines of one request can be found together and matched with its audit events.

Patterns match by digits, not word boundaries, so a number written straight after Chinese text
(``账号6217991234567890123已变更``) is found too. An ID number keeps its first 6 and last 4
characters; any other run of 12 or more digits (cards, passbooks) keeps its last 4.
"""

from __future__ import annotations

import logging
import re
import uuid

from flask import Flask, g, has_request_context, request

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


class RequestIdFilter(logging.Filter):
    """Puts the request's id on the record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class MaskingFormatter(logging.Formatter):
    """Masks the whole formatted line, tracebacks and SQL parameters included."""

    def __init__(self, inner: logging.Formatter | None = None):
        super().__init__()
        self.inner = inner or logging.Formatter(
            "[%(asctime)s] %(levelname)s [%(request_id)s] in %(module)s: %(message)s"
        )
        self.names_request = "%(request_id)" in (self.inner._fmt or "")

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):  # a record that met no RequestIdFilter (another logger's)
            record.request_id = "-"
        line = self.inner.format(record)
        request_id = record.request_id
        if not self.names_request and request_id != "-":
            line = f"[{request_id}] {line}"
        return mask_text(line)


def init_app(app: Flask) -> None:
    """The request id (read or made, echoed on the response) and the filters on the app's loggers."""

    @app.before_request
    def _request_id():
        g.request_id = (request.headers.get("X-Request-Id") or uuid.uuid4().hex)[:64]

    @app.after_request
    def _echo_request_id(response):
        response.headers["X-Request-Id"] = g.get("request_id", "")
        return response

    install_masking_filter(app)


def install_masking_filter(app: Flask) -> None:
    mask, named = MaskingFilter(), RequestIdFilter()
    loggers = [
        app.logger,
        logging.getLogger("werkzeug"),
        logging.getLogger("gunicorn.error"),
        logging.getLogger("sqlalchemy"),
    ]
    for logger in loggers:
        logger.addFilter(named)
        logger.addFilter(mask)
    for handler in {
        *logging.getLogger().handlers,
        *app.logger.handlers,
        *(h for lg in loggers for h in lg.handlers),
    }:
        handler.addFilter(named)
        handler.addFilter(mask)
        if not isinstance(handler.formatter, MaskingFormatter):
            handler.setFormatter(MaskingFormatter(handler.formatter))
