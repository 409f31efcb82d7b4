"""The case types that issue documents, and their kinds: each feature registers its own in ``init_app``.

Documents knows how to render, store and audit a document; what a document
shows is read from a case by the feature that owns the case (``loans.documents``,
``subsidies.documents``), so documents imports none of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

from loanflow.core.errors import NotFound, msg

EXTENSION = "loanflow.documents"


@dataclass(frozen=True)
class CaseType:
    """A case type that issues documents.

    ``load(actor, id)`` returns the case in the actor's scope (404 otherwise);
    ``kinds`` maps each kind it issues to the builder of its view, in the order
    they are named to a caller; ``whole_identity`` are the kinds that carry the
    whole ID number and account; ``number(case)`` is the case number in file names.
    """

    name: str
    model: type
    load: Callable[[Any, int], Any]
    issuers: tuple[str, ...]
    kinds: Mapping[str, Callable[[Any], Any]]
    number: Callable[[Any], str]
    whole_identity: frozenset[str] = field(default_factory=frozenset)


def register_case_type(app: Flask, case_type: CaseType) -> None:
    """File a case type's document kinds with this app (a feature's ``init_app`` calls it)."""
    app.extensions.setdefault(EXTENSION, {})[case_type.name] = case_type


def case_type(name: str) -> CaseType:
    """The registered case type called ``name``; 404 for one nobody registered."""
    found = current_app.extensions.get(EXTENSION, {}).get(name)
    if found is None:
        raise NotFound(msg(f"没有“{name}”类案件", f"There is no case type '{name}'"))
    return found
