"""How a supervisor sees a household's name: the surname, the rest starred (王＊＊)."""

from __future__ import annotations


def mask_name(name: str | None) -> str:
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)
