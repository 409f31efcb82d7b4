"""How a supervisor sees a household's name: the surname, the rest starred (王＊＊)."""

from __future__ import annotations


def mask_name(name: str | None) -> str:
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


def mask_phone(value: str) -> str:
    """``13812345678`` → ``138****5678``; anything shorter keeps only its last four digits."""
    if len(value) == 11:
        return value[:3] + "****" + value[-4:]
    return "*" * max(len(value) - 4, 0) + value[-4:]
