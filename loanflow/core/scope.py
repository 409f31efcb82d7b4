"""Who may see and do what: one named predicate per permission, for the API and the pages alike.

Scope first (a case outside the caller's region is 404), then role (403).
A user sees their region node and everything below it; a bank officer sees
the households and loans of the townships their branch serves.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import and_, func, or_

from loanflow.core.errors import Forbidden, msg


class User(Protocol):
    """Who acts: any object with these attributes (the accounts feature's ``User``)."""

    id: int
    role: str
    region_code: str
    township_codes: list[str]  # the townships a bank officer's branch serves


class Household(Protocol):
    """Anything that lives in a village (a household, a case)."""

    village_code: str


def in_region(user: User, code: str) -> bool:
    """Region codes are hierarchical: a village's code starts with its township's and county's."""
    return code.startswith(user.region_code)


def served_townships(user: User) -> list[str]:
    return user.township_codes


def sees_village(user: User, village_code: str) -> bool:
    if user.role == "bank_officer":
        return village_code[:9] in served_townships(user)
    if user.role == "admin":
        return False
    return in_region(user, village_code)


def can_view_household(user: User, household: Household) -> bool:
    return sees_village(user, household.village_code)


def can_register_household(user: User, village_code: str) -> bool:
    return user.role == "clerk" and in_region(user, village_code)


def can_register_households(user: User) -> bool:
    """Whether the user registers households at all (the pages offer the form only then)."""
    return user.role == "clerk"


def can_edit_household(user: User, household: Household) -> bool:
    return user.role == "clerk" and in_region(user, household.village_code)


def can_apply_for(user: User, household: Household) -> bool:
    """Open a loan or subsidy case on the household's behalf: a clerk of its region."""
    return user.role == "clerk" and in_region(user, household.village_code)


def may_apply_for(user: User, household: Household) -> None:
    """403 unless ``can_apply_for``: the pages ask before they show a form full of ID numbers."""
    if not can_apply_for(user, household):
        raise Forbidden(
            msg(
                "只有本辖区经办员可以代农户申请",
                "Only a clerk of the region may apply on the household's behalf",
            )
        )


def can_confirm_account_change(user: User, household: Household, requested_by_id: int) -> tuple[bool, str]:
    """四眼原则: a second clerk or approver of the region, never the one who asked."""
    if user.role not in ("clerk", "approver") or not in_region(user, household.village_code):
        return False, "role"
    if user.id == requested_by_id:
        return False, "four_eyes"
    return True, ""


def can_see_full_identity(user: User) -> bool:
    """ID numbers and accounts whole for the roles whose work needs them, else masked."""
    return user.role in ("clerk", "bank_officer", "approver")


def code_prefix(column, prefix: str):
    """``column`` starts with the region code ``prefix``, written so a plain btree index serves it.

    ``LIKE '341503%'`` and ``substr(…) IN (…)`` cannot use an index under the database's C.UTF-8
    collation (PostgreSQL treats only "C" as byte order for LIKE); a range of digit strings can:
    every code starting with ``341503`` lies in ``['341503', '341504')`` in any collation. A prefix
    that is not digits (never a region code) falls back to an escaped ``LIKE``.
    """
    if prefix.isdigit() and prefix.isascii() and prefix.strip("9"):
        upper = str(int(prefix) + 1).zfill(len(prefix))
        return and_(column >= prefix, column < upper)
    return column.startswith(prefix, autoescape=True)


def scope_key(user: User) -> tuple[str, ...]:
    """All that ``village_filter`` reads of the user, hashable: users with one key see the same rows,
    so a statement built for one serves them all (``loans.services.queries`` keeps them built)."""
    if user.role == "bank_officer":
        return ("townships", *served_townships(user))
    if user.role == "admin":
        return ("nothing",)
    return ("region", user.region_code)


def village_filter(user: User, column):
    """A SQL condition keeping the rows whose village the user may see (code ranges: see ``code_prefix``)."""
    return scope_filter(scope_key(user), column)


def scope_filter(key: tuple[str, ...], column):
    """``village_filter`` from a ``scope_key``."""
    kind, *codes = key
    if kind == "townships":
        return any_prefix(column, codes) if codes else column.is_(None)
    if kind == "region":
        return code_prefix(column, codes[0])
    return column.is_(None)


MAX_RANGES = 3  # more runs of adjacent codes than this: their hull and a membership test


def any_prefix(column, prefixes: list[str]):
    """``column`` starts with one of ``prefixes`` (a branch's townships), as few index ranges as it takes.

    Adjacent codes make one range (``341503001``…``341503010``: ``['341503001', '341503011')``), so a
    branch's ten neighbouring townships are one range, not ten. Ten ORed ranges cost PostgreSQL 1.4 ms to
    plan each statement (the app plans every statement for its values) and a tenfold test on every row
    read: an officer's stalled count at a million loans took 5–7 ms, one range 1 ms (issue 14). More than
    ``MAX_RANGES`` runs are read as the range from the first to the last, each row kept when its
    prefix is one of them (``substr(…) IN (…)``: a test on the rows read, the range serving the index).
    Codes that are not digits of one length keep one ``code_prefix`` each.
    """
    runs = prefix_runs(prefixes)
    if runs is None:
        return or_(*(code_prefix(column, p) for p in prefixes))
    if len(runs) <= MAX_RANGES:
        return or_(*(and_(column >= first, column < upper) for first, upper in runs))
    return and_(
        column >= runs[0][0],
        column < runs[-1][1],
        func.substr(column, 1, len(prefixes[0])).in_(sorted(set(prefixes))),
    )


def prefix_runs(prefixes: list[str]) -> list[tuple[str, str]] | None:
    """The ranges ``[first, upper)`` of the runs of adjacent codes among ``prefixes``, in order; None
    unless every prefix is a code of digits of one length (and not all nines: it has no upper code)."""
    width = len(prefixes[0])
    if not all(p.isdigit() and p.isascii() and len(p) == width and p.strip("9") for p in prefixes):
        return None
    runs: list[list[str]] = []
    for code in sorted(set(prefixes)):
        if runs and runs[-1][1] == code:
            runs[-1][1] = _next(code)
        else:
            runs.append([code, _next(code)])
    return [(first, upper) for first, upper in runs]


def _next(code: str) -> str:
    return str(int(code) + 1).zfill(len(code))
