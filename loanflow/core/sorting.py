"""A list's sort parameter (``amount`` ascending, ``-amount`` descending) as an ORDER BY."""

from __future__ import annotations


def sort_order(columns: dict, sort: str | None) -> list:
    """The ORDER BY terms for ``sort`` over the list's sortable ``columns``; none for an unknown key
    (the list keeps its own order), so a hand-edited address never fails."""
    key = (sort or "").lstrip("-")
    if key not in columns:
        return []
    col = columns[key]
    return [col.desc().nulls_last() if sort.startswith("-") else col.asc().nulls_last()]
