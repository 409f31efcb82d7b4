"""Every API error as ``application/problem+json`` (RFC 9457): status, title, detail, errors."""

from __future__ import annotations

from flask import json, request
from werkzeug.exceptions import HTTPException

from loanflow.core.errors import Conflict, Invalid, ServiceError, TooManyAttempts, text

PROBLEM = "application/problem+json"
_LANGUAGE = "loanflow.api.language"


def language() -> str:
    """English when the client asks for it first, Chinese otherwise; worked out once per request (a
    list of fifty loans labels a hundred codes, and each parse of Accept-Language cost more than the label)."""
    lang = request.environ.get(_LANGUAGE)  # kept on the request (an app context may outlive it)
    if lang is None:
        lang = request.environ[_LANGUAGE] = (
            request.accept_languages.best_match(["zh", "en"], default="zh") or "zh"
        )
    return lang


def problem(status: int, title: str, detail: str = "", **extra):
    body = {"type": "about:blank", "status": status, "title": title, "detail": detail, **extra}
    return (
        json.dumps(body, ensure_ascii=False),
        status,
        {"Content-Type": PROBLEM},
    )


def service_problem(error: ServiceError):
    lang = language()
    extra = {}
    if isinstance(error, Invalid):
        extra["errors"] = {field: [text(m, lang) for m in msgs] for field, msgs in error.errors.items()}
        reasons = [m.as_dict() for msgs in error.errors.values() for m in msgs if hasattr(m, "as_dict")]
        extra["reasons"] = reasons
    if isinstance(error, Conflict):
        extra["allowed_actions"] = error.allowed_actions
        if error.state:
            extra["state"] = error.state
    title = error.title_zh if lang == "zh" else error.title
    response = problem(error.status, title, text(error.message, lang), **extra)
    if isinstance(error, TooManyAttempts):
        response[2]["Retry-After"] = str(error.retry_after)
    return response


def _flatten(messages) -> dict[str, list[str]]:
    """webargs nests by location ({"json": {"field": [...]}}); clients want field → messages."""
    out: dict[str, list[str]] = {}

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for key, sub in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), sub)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            out.setdefault(prefix or "_body", []).extend(value)
        elif isinstance(value, list):
            for i, sub in enumerate(value):
                walk(f"{prefix}[{i}]", sub)
        else:
            out.setdefault(prefix or "_body", []).append(str(value))

    for location, fields in (messages or {}).items():
        walk("" if location in ("json", "query", "form", "files", "headers") else location, fields)
    return out


def http_problem(error: HTTPException):
    data = getattr(error, "data", None) or {}
    extra = {}
    if data.get("messages"):
        extra["errors"] = _flatten(data["messages"])
    detail = error.description or ""
    if extra.get("errors"):
        field, msgs = next(iter(extra["errors"].items()))
        detail = f"{field}: {msgs[0]}"
    response = problem(error.code or 500, error.name, detail, **extra)
    if error.code == 405 and getattr(error, "valid_methods", None):
        response[2]["Allow"] = ", ".join(error.valid_methods)
    return response
