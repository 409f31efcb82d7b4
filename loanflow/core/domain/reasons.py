"""Reasons (理由): why the service refused something, in Chinese and in English.

Every refusal the domain reports is a ``Reason``: a stable machine ``code`` the
API and tests match on, the Chinese text a clerk reads out (``zh``) and its
English translation (``en``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reason:
    """One failed rule: a machine code and the same message in two languages."""

    code: str
    zh: str
    en: str

    def as_dict(self) -> dict[str, str]:
        """The JSON shape used in API error bodies."""
        return {"code": self.code, "zh": self.zh, "en": self.en}

    def text(self, lang: str = "zh") -> str:
        """The message in ``lang`` (``"zh"`` or ``"en"``)."""
        return self.en if lang == "en" else self.zh


class ReasonError(ValueError):
    """A refusal carrying a single ``Reason``."""

    def __init__(self, reason: Reason):
        super().__init__(f"{reason.code}: {reason.en}")
        self.reason = reason


class FieldErrors(ValueError):
    """Invalid input naming every bad field: ``errors`` maps field → reasons."""

    def __init__(self, errors: dict[str, list[Reason]]):
        super().__init__("; ".join(f"{f}: {', '.join(r.en for r in rs)}" for f, rs in errors.items()))
        self.errors = errors

    def messages(self, lang: str = "zh") -> dict[str, list[str]]:
        """Field → message texts in ``lang``, the shape of a problem body's ``errors``."""
        return {field: [r.text(lang) for r in reasons] for field, reasons in self.errors.items()}
