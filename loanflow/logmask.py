"""Logs never carry a whole ID number or bank account: a filter masks them."""

import logging
import re

from flask import Flask

ID_RE = re.compile(r"\b(\d{6})\d{8}(\d{3}[\dXx])\b")
ACCOUNT_RE = re.compile(r"\b\d{12,15}(\d{4})\b")


def mask_text(text: str) -> str:
    text = ID_RE.sub(lambda m: f"{m.group(1)}********{m.group(2).upper()}", text)
    return ACCOUNT_RE.sub(lambda m: "*" * (len(m.group(0)) - 4) + m.group(1), text)


class MaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def install_masking_filter(app: Flask) -> None:
    mask = MaskingFilter()
    for logger in (app.logger, logging.getLogger("werkzeug"), logging.getLogger("gunicorn.error")):
        logger.addFilter(mask)
    for handler in logging.getLogger().handlers + app.logger.handlers:
        handler.addFilter(mask)
