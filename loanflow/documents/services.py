"""Issuing, storing and fetching the documents (出具文书): render → store the bytes → audit event.

A document is rendered from the case as decided (the builders its feature registered, ``registry``)
*outside* any write transaction — a render takes 100–250 ms and must never
hold the database's write lock — then stored with its template version and
SHA-256 as the next version of its kind for the case, with a ``document.issue``
audit event on the case, in one short commit. Issuing again adds a version and
keeps the old ones; a download returns exactly the stored bytes.

A document due at a case action (credit, disburse, extend, approve) is recorded
as owed in the action's own transaction (``owe``) and rendered once it has
committed (``core.uow.after_commit``), in a transaction of its own that stores
it and deletes the owed row; a failed render is logged and leaves the action
done and the document owed. What is still owed (the process died between the
commit and the render) is rendered on the next read of the case's documents or
by the background worker (``render_owed``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

from flask import current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from loanflow.accounts.models import User
from loanflow.audit import services as audit
from loanflow.core import clock, uow
from loanflow.core.domain.labels import label
from loanflow.core.errors import Forbidden, Invalid, NotFound, msg
from loanflow.core.scope import can_see_full_identity
from loanflow.documents import registry
from loanflow.documents.models import IssuedDocument, OwedDocument
from loanflow.documents.render import render_document
from loanflow.extensions import db

VERSION_RETRIES = 5
MAX_ATTEMPTS = 5  # an owed document whose render failed this often waits for someone to look


def load_case(actor: User, case_type: str, case_id: int):
    """The case if the caller may see it (404 otherwise), through its feature's own loader."""
    return registry.case_type(case_type).load(actor, case_id)


def _model(case_type: str):
    return registry.case_type(case_type).model


def view_fingerprint(view: Any) -> str:
    """SHA-256 of what a view shows, its issue date aside (two days' renders of one list match)."""
    data = dataclasses.asdict(view)
    data.pop("issued_on", None)
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _check_kind(case_type: str, kind: Any) -> None:
    kinds = registry.case_type(case_type).kinds
    if kind not in kinds:
        known = "、".join(label("document_kind", k) for k in kinds)
        raise Invalid(
            {
                "kind": [
                    msg(
                        f"此类案件不能出具“{kind}”，可出具：{known}",
                        f"This case does not issue '{kind}'; it issues {', '.join(kinds)}",
                        "document.kind",
                    )
                ]
            }
        )


def _store(actor: User | None, case_type: str, case, kind: str, rendered, fingerprint: str) -> IssuedDocument:
    """Insert the next version and its audit event, under the case row's lock; the caller commits.

    The unit of work commits it: the request's for an issue through the API,
    the one after-commit step of its own for a document due at an action.
    """
    table = _model(case_type).__table__
    for _attempt in range(VERSION_RETRIES):
        # Lock the case row by a no-op UPDATE so that issues of one case are numbered one at a time:
        # a row lock on PostgreSQL, and on SQLite the write lock taken before anything is read (a GET
        # begins deferred; a read first would leave a snapshot that cannot always upgrade to a write).
        # Same order as the actions: the case row, then the audit chain.
        db.session.execute(update(table).where(table.c.id == case.id).values(id=table.c.id))
        latest = db.session.scalar(
            select(func.max(IssuedDocument.version)).where(
                IssuedDocument.case_type == case_type,
                IssuedDocument.case_id == case.id,
                IssuedDocument.kind == kind,
            )
        )
        doc = IssuedDocument(
            kind=kind,
            case_type=case_type,
            case_id=case.id,
            version=(latest or 0) + 1,
            template_version=rendered.template_version,
            sha256=rendered.sha256,
            view_sha256=fingerprint,
            content=rendered.content,
            size=len(rendered.content),
            issued_at=clock.now(),
            issued_by_id=getattr(actor, "id", None),
        )
        db.session.add(doc)
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            continue
        audit.record(
            actor,
            "document.issue",
            case_type,
            case.id,
            chain=case.county_code,
            after={"kind": kind, "version": doc.version, "sha256": doc.sha256, "document_id": doc.id},
        )
        return doc
    raise RuntimeError(f"could not number a new {kind} of {case_type} {case.id}")


def issue(actor: User | None, case_type: str, case, kind: str) -> IssuedDocument:
    """Render ``kind`` for a loaded case and store it as its next version (no scope check here)."""
    _check_kind(case_type, kind)
    view = registry.case_type(case_type).kinds[kind](case)
    db.session.rollback()  # end the read transaction: nothing is held while rendering
    rendered = render_document(kind, view)
    return _store(
        actor, case_type, db.session.get(_model(case_type), case.id), kind, rendered, view_fingerprint(view)
    )


def _may_issue(actor: User, case_type: str) -> None:
    issuers = registry.case_type(case_type).issuers
    if actor.role not in issuers:
        roles = "、".join(label("role", r) for r in issuers)
        raise Forbidden(msg(f"只有{roles}可以出具此类文书", f"Only {', '.join(issuers)} may issue these"))


def may_issue_for(actor: User, case_type: str, case_id: int) -> None:
    """404 unless the caller sees the case, 403 unless their role issues its documents (before any input)."""
    load_case(actor, case_type, case_id)
    _may_issue(actor, case_type)


def issue_document(actor: User, case_type: str, case_id: int, kind: Any) -> IssuedDocument:
    """Issue (again) a document of a case the caller works on: a new version, the old ones kept."""
    case = load_case(actor, case_type, case_id)
    _may_issue(actor, case_type)
    _check_kind(case_type, kind)
    return issue(actor, case_type, case, kind)


def issue_for_loan(actor: User, loan_id: int, kind: Any) -> IssuedDocument:
    return issue_document(actor, "loan", loan_id, kind)


def issue_for_subsidy(actor: User, case_id: int, kind: Any) -> IssuedDocument:
    return issue_document(actor, "subsidy", case_id, kind)


def issue_household_receipt(actor: User, case_type: str, case_id: int) -> IssuedDocument:
    """回执 for the household, for any case at any stage, on request."""
    return issue_document(actor, case_type, case_id, "household_receipt")


def issue_publicity_list(actor: User, publicity_id: int) -> IssuedDocument:
    """The 公示 list as it stands: the stored one if nothing on it changed, else a new version.

    Anyone who sees the village may fetch it; a new version is stored only when
    an objection, withdrawal or rejection took a line off since the last one.
    """
    p = load_case(actor, "publicity", publicity_id)
    view = registry.case_type("publicity").kinds["publicity_list"](p)
    fingerprint = view_fingerprint(view)
    latest = _latest(actor, "publicity", p.id, "publicity_list")
    if latest is not None and latest.view_sha256 == fingerprint:
        return latest
    db.session.rollback()
    rendered = render_document("publicity_list", view)
    return _store(
        actor, "publicity", db.session.get(_model("publicity"), p.id), "publicity_list", rendered, fingerprint
    )


def _latest(actor: User, case_type: str, case_id: int, kind: str) -> IssuedDocument | None:
    return db.session.scalar(
        select(IssuedDocument)
        .where(
            IssuedDocument.case_type == case_type,
            IssuedDocument.case_id == case_id,
            IssuedDocument.kind == kind,
        )
        .order_by(IssuedDocument.version.desc())
        .limit(1)
    )


def owe(actor: User | None, case_type: str, case_id: int, kind: str) -> None:
    """Record in the step's own transaction that ``kind`` is owed, and render it once that commits.

    The case actions (credit, disburse, extend, approve) call it before they
    flush: if the process dies after the step's commit and before the render,
    the owed row is still there and the document is rendered later (the next
    read of the case's documents, or the background worker), never lost.

    Off when the app's ``ISSUE_DOCUMENTS_ON_ACTIONS`` is false (the test suite
    turns it off so that tests of other areas do not pay for renders).
    """
    if not current_app.config.get("ISSUE_DOCUMENTS_ON_ACTIONS", True):
        return
    owed = OwedDocument(
        kind=kind,
        case_type=case_type,
        case_id=case_id,
        actor_id=getattr(actor, "id", None),
        owed_at=clock.now(),
        attempts=0,
    )
    db.session.add(owed)
    db.session.flush()
    uow.after_commit(render_owed_one, owed.id)


def render_owed_one(owed_id: int) -> IssuedDocument | None:
    """Render one owed document and store it, deleting the owed row in the same transaction.

    Run after the step's commit (``uow.after_commit``, which commits it) or by
    ``render_owed``. Two renderers of one owed row store one document: the
    second finds the row gone and stores nothing. A failure is logged, counted
    on the row and never undoes the step: the row stays owed.
    """
    owed = db.session.get(OwedDocument, owed_id)
    if owed is None:
        return None
    case_type, case_id, kind, actor_id = owed.case_type, owed.case_id, owed.kind, owed.actor_id
    try:
        case = db.session.get(_model(case_type), case_id)
        view = registry.case_type(case_type).kinds[kind](case)
        db.session.rollback()  # end the read transaction: nothing is held while rendering
        rendered = render_document(kind, view)
        taken = db.session.execute(delete(OwedDocument).where(OwedDocument.id == owed_id))
        if taken.rowcount != 1:  # rendered meanwhile by another worker or reader
            db.session.rollback()
            return None
        actor = db.session.get(User, actor_id) if actor_id else None
        return _store(
            actor,
            case_type,
            db.session.get(_model(case_type), case_id),
            kind,
            rendered,
            view_fingerprint(view),
        )
    except Exception:
        db.session.rollback()
        current_app.logger.exception(
            "rendering the owed %s of %s %s failed; it stays owed", kind, case_type, case_id
        )
        db.session.execute(
            update(OwedDocument).where(OwedDocument.id == owed_id).values(attempts=OwedDocument.attempts + 1)
        )
        db.session.commit()
        return None


def owed_documents(case_type: str | None = None, case_id: int | None = None) -> list[OwedDocument]:
    """What committed steps still owe, oldest first (rows that failed ``MAX_ATTEMPTS`` times aside)."""
    query = select(OwedDocument).where(OwedDocument.attempts < MAX_ATTEMPTS).order_by(OwedDocument.id)
    if case_type is not None:
        query = query.where(OwedDocument.case_type == case_type, OwedDocument.case_id == case_id)
    return list(db.session.scalars(query))


def render_owed(case_type: str | None = None, case_id: int | None = None) -> int:
    """Render what is still owed (of one case, or all): each document its own unit of work.

    Like the work after a commit, this commits: it is called where a request
    or the worker has nothing else uncommitted (the read of a case's
    documents; the periodic job). Returns how many documents it stored.
    """
    if not current_app.config.get("ISSUE_DOCUMENTS_ON_ACTIONS", True):
        return 0
    ids = [o.id for o in owed_documents(case_type, case_id)]
    stored = 0
    for owed_id in ids:
        if render_owed_one(owed_id) is not None:
            stored += 1
        uow.commit()
    return stored


def list_documents(actor: User, case_type: str, case_id: int) -> list[IssuedDocument]:
    """Every issued version of every kind for a case the caller may see (without the bytes).

    A document its steps still owe (the process died before rendering it) is rendered first.
    """
    load_case(actor, case_type, case_id)
    if owed_documents(case_type, case_id) and render_owed(case_type, case_id):
        load_case(actor, case_type, case_id)
    return list(
        db.session.scalars(
            select(IssuedDocument)
            .where(IssuedDocument.case_type == case_type, IssuedDocument.case_id == case_id)
            .order_by(IssuedDocument.kind, IssuedDocument.version)
        )
    )


def get_document(actor: User, case_type: str, case_id: int, document_id: int) -> IssuedDocument:
    """One issued document of a case the caller may see; 403 for whole-identity documents to other roles."""
    load_case(actor, case_type, case_id)
    doc = db.session.get(IssuedDocument, document_id)
    if doc is None or doc.case_type != case_type or doc.case_id != case_id:
        raise NotFound(msg(f"文书 {document_id} 不存在", f"Document {document_id} not found"))
    if doc.kind in registry.case_type(case_type).whole_identity and not can_see_full_identity(actor):
        raise Forbidden(
            msg(
                "此文书载有完整身份证号和账号，您的角色不能查看",
                "This document carries the whole ID number and account; your role may not see it",
                "identity",
            )
        )
    return doc
