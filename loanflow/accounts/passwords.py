"""The password policy: long enough, not the username, not one of the most common passwords."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from loanflow.core.errors import Msg, msg

MIN_LENGTH = 10


@cache
def common_passwords() -> frozenset[str]:
    """The bundled list (``data/common_passwords.txt``), lower-case."""
    text = (Path(__file__).parent / "data" / "common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#")


def password_problems(password: str, username: str, min_length: int = MIN_LENGTH) -> list[Msg]:
    """Every reason the password is refused (empty when it is acceptable)."""
    problems = []
    if len(password) < min_length:
        problems.append(
            msg(
                f"密码至少 {min_length} 位",
                f"The password needs at least {min_length} characters",
                "password.short",
            )
        )
    name = (username or "").strip().lower()
    if len(name) >= 3 and name in password.lower():
        problems.append(
            msg("密码不能包含用户名", "The password may not contain the username", "password.username")
        )
    if password.lower() in common_passwords():
        problems.append(
            msg(
                "这是最常见的密码之一，请换一个",
                "This is one of the most common passwords: choose another",
                "password.common",
            )
        )
    return problems
