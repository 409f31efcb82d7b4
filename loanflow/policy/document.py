"""The policy document as the pages see it: its leaves by path, a form's values put back, two versions compared.

Pure functions on the JSON document. A leaf's path is the one the policy check
names in its errors (``loan.rates[2].rate``), so a refusal lands beside its input.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

Leaf = tuple[str, Any]


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def leaves(document: Any, path: str = "") -> Iterator[Leaf]:
    """Every scalar (and every list of scalars, as one leaf) of the document, in document order."""
    if isinstance(document, dict):
        for key, value in document.items():
            yield from leaves(value, join(path, key))
    elif isinstance(document, list) and any(isinstance(v, dict | list) for v in document):
        for i, value in enumerate(document):
            yield from leaves(value, join(path, i))
    else:
        yield path, document


def _steps(path: str) -> list[str | int]:
    steps: list[str | int] = []
    for part in path.split("."):
        name, _, rest = part.partition("[")
        if name:
            steps.append(name)
        while rest:
            index, _, rest = rest.partition("]")
            steps.append(int(index))
            rest = rest.removeprefix("[")
    return steps


def put(document: Any, path: str, value: Any) -> None:
    """Set one leaf in place."""
    steps = _steps(path)
    node = document
    for step in steps[:-1]:
        node = node[step]
    node[steps[-1]] = value


def as_text(value: Any) -> str:
    """A leaf as a form shows it: lists comma-separated, booleans as yes/no, none as blank."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _parse(raw: str, like: Any) -> Any:
    """A typed-in value, read as the same kind as the leaf it replaces; ValueError if it cannot be."""
    raw = raw.strip()
    if isinstance(like, bool):
        if raw not in ("yes", "no"):
            raise ValueError("yes or no")
        return raw == "yes"
    if isinstance(like, int):
        return int(raw)
    if isinstance(like, list):
        return [v.strip() for v in raw.replace("，", ",").split(",") if v.strip()]
    if like is None:
        return raw or None
    return raw


def from_form(base: dict, form: Callable[[str], str | None]) -> tuple[dict, dict[str, str]]:
    """A new document: ``base`` with every leaf the form gives replaced; and the leaves that could not be read."""
    document = copy.deepcopy(base)
    unreadable: dict[str, str] = {}
    for path, value in leaves(base):
        raw = form(path)
        if raw is None:
            continue
        try:
            put(document, path, _parse(raw, value))
        except ValueError:
            unreadable[path] = raw
    return document, unreadable


@dataclass(frozen=True)
class Change:
    path: str
    before: Any
    after: Any

    @property
    def kind(self) -> str:
        if self.before is None and self.after is not None:
            return "added"
        if self.after is None and self.before is not None:
            return "removed"
        return "changed"


_MISSING = object()


def diff(a: dict, b: dict) -> list[Change]:
    """What changed from ``a`` to ``b``, leaf by leaf, in ``b``'s order then what ``b`` dropped."""
    old, new = dict(leaves(a)), dict(leaves(b))
    changes = [Change(p, old.get(p), v) for p, v in new.items() if old.get(p, _MISSING) != v]
    changes += [Change(p, v, None) for p, v in old.items() if p not in new]
    return changes
