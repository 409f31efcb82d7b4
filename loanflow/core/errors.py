"""Typed refusals of the service layer; the API and the pages map them to 404/403/409/422.

A message is anything with ``zh`` and ``en`` attributes (``domain.reasons.Reason``)
or a plain pair built with ``msg``; it is rendered in the caller's language.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Msg:
    zh: str
    en: str
    code: str = "invalid"

    def as_dict(self) -> dict:
        return {"code": self.code, "zh": self.zh, "en": self.en}


def msg(zh: str, en: str, code: str = "invalid") -> Msg:
    return Msg(zh, en, code)


def text(message, lang: str = "zh") -> str:
    """A message in one language."""
    if isinstance(message, str):
        return message
    return getattr(message, lang, None) or getattr(message, "zh", str(message))


class ServiceError(Exception):
    status = 500
    title = "Error"

    def __init__(self, message=None):
        self.message = message or msg(self.title_zh, self.title)
        super().__init__(text(self.message, "en"))

    title_zh = "错误"


class NotFound(ServiceError):
    """Not there, or outside the caller's region (the two are not told apart)."""

    status = 404
    title = "Not found"
    title_zh = "未找到"


class Unauthorized(ServiceError):
    """No valid credentials."""

    status = 401
    title = "Unauthorized"
    title_zh = "未登录或凭据无效"


class TooManyAttempts(ServiceError):
    """Too many wrong passwords for this user or from this address: wait ``retry_after`` seconds."""

    status = 429
    title = "Too many attempts"
    title_zh = "尝试次数过多，请稍后再试"

    def __init__(self, retry_after: int, message=None):
        super().__init__(message)
        self.retry_after = max(int(retry_after), 1)


class Forbidden(ServiceError):
    """The caller's role may not do this, or four eyes forbid it."""

    status = 403
    title = "Forbidden"
    title_zh = "无权操作"


class Conflict(ServiceError):
    """Not allowed in the current state; ``allowed_actions`` lists what is."""

    status = 409
    title = "Conflict"
    title_zh = "当前状态不允许此操作"

    def __init__(self, message=None, allowed_actions: list[str] | None = None, state: str | None = None):
        super().__init__(message)
        self.allowed_actions = allowed_actions or []
        self.state = state


class Invalid(ServiceError):
    """Bad input or an ineligible household; ``errors`` maps field → messages."""

    status = 422
    title = "Unprocessable input"
    title_zh = "输入有误"

    def __init__(self, errors: dict[str, list], message=None):
        first = next(iter(errors.items()), None)
        if message is None and first:
            field, messages = first
            m = messages[0]
            message = msg(f"{field}：{text(m, 'zh')}", f"{field}: {text(m, 'en')}")
        super().__init__(message)
        self.errors = errors


def invalid(field: str, zh: str, en: str) -> Invalid:
    return Invalid({field: [msg(zh, en)]})
