"""Write and verify the hash-chained audit trail (审计留痕).

Each event stores ``sha256(prev_hash + canonical_json(event))``; chains are
partitioned by county (``chain`` = the 6-digit county code, ``global`` for the
policy), so writers in different counties never wait on each other. Within one
chain the head row's lock orders the writers; ``UNIQUE(chain, seq)`` keeps the
chain from forking. The event is written in the caller's transaction: it
commits or rolls back with the change it describes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from flask import current_app, g, has_app_context, has_request_context
from sqlalchemy import String, bindparam, insert, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite

from loanflow.audit.models import AuditChainHead, AuditEvent
from loanflow.core import clock, uow
from loanflow.extensions import db

GENESIS = "0" * 64
GLOBAL_CHAIN = "global"


def jsonable(value: Any) -> Any:
    """Money as strings, dates as ISO text: the form that is hashed and stored."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def canonical(payload: dict) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _stamp(dt: datetime) -> str:
    return dt.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def event_payload(e: AuditEvent | dict) -> dict:
    get = e.get if isinstance(e, dict) else lambda k: getattr(e, k)
    return {
        "chain": get("chain"),
        "seq": get("seq"),
        "occurred_at": _stamp(get("occurred_at")),
        "actor_id": get("actor_id"),
        "actor": get("actor"),
        "role": get("role"),
        "action": get("action"),
        "entity_type": get("entity_type"),
        "entity_id": str(get("entity_id")),
        "before": get("before"),
        "after": get("after"),
        "reason": get("reason") or "",
        "request_id": get("request_id") or "",
    }


def link_hash(prev_hash: str, payload: dict) -> str:
    return hashlib.sha256((prev_hash + canonical(payload)).encode()).hexdigest()


def _ensure_head(chain: str) -> None:
    dialect = db.session.get_bind().dialect.name
    ins = (postgresql if dialect == "postgresql" else sqlite).insert(AuditChainHead)
    db.session.execute(ins.values(chain=chain, seq=0, hash=GENESIS).on_conflict_do_nothing())


# Built once: executing a prepared Core statement skips SQLAlchemy's per-call statement building
# and cache-key work, which on SQLite costs more than the statements themselves.
_HEADS, _EVENTS = AuditChainHead.__table__, AuditEvent.__table__
_BUMP_HEAD = (
    update(_HEADS)
    .where(_HEADS.c.chain == bindparam("b_chain"))
    .values(seq=_HEADS.c.seq + 1)
    .returning(_HEADS.c.seq, _HEADS.c.hash)
)
_INSERT_EVENT = insert(_EVENTS)
_SET_HEAD = update(_HEADS).where(_HEADS.c.chain == bindparam("b_chain")).values(hash=bindparam("b_hash"))


def record(
    actor,
    action: str,
    entity_type: str,
    entity_id: Any,
    *,
    chain: str,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
) -> None:
    """Append one event to ``chain`` inside the current transaction (no commit here)."""
    conn = db.session.connection()
    head = conn.execute(_BUMP_HEAD, {"b_chain": chain}).one_or_none()
    if head is None:
        _ensure_head(chain)
        head = conn.execute(_BUMP_HEAD, {"b_chain": chain}).one()
    seq, prev_hash = head
    row = {
        "chain": chain,
        "seq": seq,
        "occurred_at": clock.now(),
        "actor_id": getattr(actor, "id", None),
        "actor": getattr(actor, "username", "system"),
        "role": getattr(actor, "role", "system"),
        "action": action,
        "entity_type": entity_type,
        "entity_id": str(entity_id),
        "before": jsonable(before) if before is not None else None,
        "after": jsonable(after) if after is not None else None,
        "reason": reason or "",
        "request_id": g.get("request_id", "") if has_request_context() else "",
    }
    digest = link_hash(prev_hash, event_payload(row))
    conn.execute(_INSERT_EVENT, {**row, "prev_hash": prev_hash, "hash": digest})
    conn.execute(_SET_HEAD, {"b_chain": chain, "b_hash": digest})


@dataclass(frozen=True)
class BrokenLink:
    chain: str
    seq: int
    event_id: int | None
    problem: str


@dataclass(frozen=True)
class Verification:
    ok: bool
    chains: int
    events: int
    broken: BrokenLink | None
    checkpoints: int = 0
    names: tuple[str, ...] = ()  # the chains walked (up to the broken one)


def verify(chains: list[str] | None = None) -> Verification:
    """Walk every chain (or the given ones) against itself and every signed checkpoint of the log
    (``audit.checkpoints``); report the first event that disagrees.

    The chain alone finds an edited, missing or reordered event. A checkpoint also finds a chain
    rewritten with recomputed hashes (its event at the checkpoint's seq has another hash: the first
    event after the last checkpoint that still agrees is reported, the earliest that can differ) and
    a chain cut at its tail with its head reset (the checkpoint's seq is missing). A checkpoint line
    whose signature does not hold is reported too: the log was edited or signed with another key.
    """
    from loanflow.audit.checkpoints import read_checkpoints

    log = read_checkpoints()
    if log.bad_lines:
        problem = f"checkpoint log line {log.bad_lines[0]}: the signature does not hold"
        return Verification(False, 0, 0, BrokenLink("", 0, None, problem), len(log.checkpoints), ())
    signed: dict[str, list] = {}
    for c in log.checkpoints:
        signed.setdefault(c.chain, []).append(c)
    heads = {h.chain: h for h in db.session.scalars(select(AuditChainHead).order_by(AuditChainHead.chain))}
    names = sorted(set(heads) | set(db.session.scalars(select(AuditEvent.chain).distinct())) | set(signed))
    if chains is not None:
        names = [c for c in names if c in chains]
    total = 0
    for chain in names:
        count, broken = _walk(chain, heads.get(chain), sorted(signed.get(chain, []), key=lambda c: c.seq))
        total += count
        if broken is not None:
            db.session.expire_all()
            return Verification(False, len(names), total, broken, len(log.checkpoints), tuple(names))
    db.session.expire_all()
    return Verification(True, len(names), total, None, len(log.checkpoints), tuple(names))


# Every verification is itself an audit event of the global chain, on the entity ``audit_trail`` with the
# scope it covered as its id: ``all`` (every chain), or the county chains a partial check walked (a
# supervisor's: their county and the global chain) — so "the newest verification that covered county X"
# is read through ``ix_audit_event_entity`` whatever the size of the trail, a partial check never stands
# for a whole one, and the record of who verified what cannot be edited quietly either (it is a link of a
# chain the next one checks).
VERIFY_ACTION = "audit.verify"
VERIFIED_ENTITY_TYPE = "audit_trail"
ALL_CHAINS = "all"


def verified_scope(chains: list[str] | None) -> str:
    """The entity id a verification is recorded under: ``all``, or its county chains (``341503``)."""
    if chains is None:
        return ALL_CHAINS
    return ",".join(sorted(c for c in chains if c != GLOBAL_CHAIN)) or GLOBAL_CHAIN


VIA = (
    "command",
    "api",
    "page",
)  # how it was run: ``flask loanflow verify-audit``, the API, the supervisor's page


def check(actor: Any, chains: list[str] | None = None, *, via: str) -> Verification:
    """``verify`` the chains and record that it was done (``audit.verify``: who, when, which chains, how
    many events, and the result, ok or the first broken link) in the caller's transaction. ``actor``
    None is the system (the command). A broken trail is recorded too: that is the record that matters."""
    assert via in VIA, via
    result = verify(chains)
    broken = result.broken
    record(
        actor,
        VERIFY_ACTION,
        VERIFIED_ENTITY_TYPE,
        verified_scope(chains),
        chain=GLOBAL_CHAIN,
        after={
            "via": via,
            "ok": result.ok,
            "asked": sorted(chains) if chains is not None else "all",
            "chains": list(result.names),
            "events": result.events,
            "checkpoints": result.checkpoints,
            "broken": None
            if broken is None
            else {
                "chain": broken.chain,
                "seq": broken.seq,
                "event_id": broken.event_id,
                "problem": broken.problem,
            },
        },
    )
    return result


@dataclass(frozen=True)
class RecordedCheck:
    """A verification as recorded: when, by whom (their name; "system" for the command), and its result."""

    at: datetime
    actor: str
    actor_name: str
    via: str
    ok: bool
    chains: list[str]
    events: int
    broken: dict | None  # chain, seq, event_id, problem

    @property
    def by_system(self) -> bool:
        return self.actor == "system"


def last_check(county: str, actions: tuple[str, ...] = (VERIFY_ACTION,)) -> RecordedCheck | None:
    """The newest recorded verification that walked ``county``'s chain — every chain, or a check of that
    county — with its person's name, in one statement: the entity's index finds the verifications (one row
    each), not a walk of the trail. Another county's check is neither shown nor taken for this one's."""
    name_of = current_app.extensions.get(NAME_OF, lambda _actor_id: literal(None, String))
    row = db.session.execute(
        select(AuditEvent.occurred_at, AuditEvent.actor, AuditEvent.after, name_of(AuditEvent.actor_id))
        .where(
            AuditEvent.entity_type == VERIFIED_ENTITY_TYPE,
            AuditEvent.entity_id.in_((ALL_CHAINS, county)),
            AuditEvent.action.in_(actions),
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ).one_or_none()
    if row is None:
        return None
    at, actor, after, name = row
    after = after or {}
    return RecordedCheck(
        at=at,
        actor=actor,
        actor_name=name or actor,
        via=after.get("via", ""),
        ok=bool(after.get("ok")),
        chains=list(after.get("chains") or []),
        events=int(after.get("events") or 0),
        broken=after.get("broken"),
    )


def _walk(chain: str, head: AuditChainHead | None, checkpoints: list) -> tuple[int, BrokenLink | None]:
    """One chain's events in order against their links, the head and the chain's checkpoints."""
    prev, expected, count = GENESIS, 1, 0
    pending = iter([c for c in checkpoints if c.seq > 0])  # a head at seq 0 names no event
    checkpoint = next(pending, None)
    agreed_seq, first_after = 0, None  # the last checkpoint that agrees, and the event right after it
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.chain == chain)
        .order_by(AuditEvent.seq)
        .execution_options(yield_per=2000)
    )
    for e in db.session.scalars(stmt):
        count += 1
        if e.seq != expected:
            return count, BrokenLink(chain, expected, None, "missing event")
        if e.prev_hash != prev:
            return count, BrokenLink(chain, e.seq, e.id, "prev_hash mismatch")
        if link_hash(prev, event_payload(e)) != e.hash:
            return count, BrokenLink(chain, e.seq, e.id, "content altered")
        if e.seq == agreed_seq + 1:
            first_after = e
        while checkpoint is not None and checkpoint.seq == e.seq:
            if checkpoint.hash != e.hash:
                problem = (
                    f"rewritten: the checkpoint of {checkpoint.at} signed seq {checkpoint.seq} with another hash; "
                    f"the events from seq {agreed_seq + 1} to {checkpoint.seq} are not the ones checkpointed"
                )
                return count, BrokenLink(chain, agreed_seq + 1, first_after.id, problem)
            agreed_seq, checkpoint = e.seq, next(pending, None)
        prev, expected = e.hash, expected + 1
    last = expected - 1
    if head is not None and (head.seq != last or head.hash != prev):
        return count, BrokenLink(chain, expected, None, "events missing at the end")
    if checkpoint is not None and checkpoint.seq > last:
        problem = f"truncated: the checkpoint of {checkpoint.at} signed seq {checkpoint.seq}; the chain ends at seq {last}"
        return count, BrokenLink(chain, last + 1, None, problem)
    if checkpoint is not None:  # a checkpoint at seq 0 or below: not one this service writes
        return count, BrokenLink(chain, checkpoint.seq, None, "a checkpoint names no event")
    return count, None


NAMES = "loanflow.audit.names"  # app.extensions key: user ids → people's names, set by accounts


NAME_OF = "loanflow.audit.name_of"  # app.extensions key: an actor id column → its person's name, as SQL


def use_names(app, resolve: Callable[[set[int]], dict[int, str]], name_of: Callable[[Any], Any]) -> None:
    """The accounts feature tells the audit trail how its actors' ids become people's names: for a
    list of events already read (``resolve``), and as a column of the timeline's own statement
    (``name_of``: a scalar subquery, so a case's timeline comes with its names in one round trip)."""
    app.extensions[NAMES] = resolve
    app.extensions[NAME_OF] = name_of


def with_names(events: list) -> list:
    """Each event with ``actor_name``: the person's name (their login name, or "system", when unknown)."""
    resolve = current_app.extensions.get(NAMES) if has_app_context() else None
    ids = {e.actor_id for e in events if e.actor_id is not None}
    names = resolve(ids) if resolve and ids else {}
    for e in events:
        e.actor_name = names.get(e.actor_id, e.actor)
    return events


@dataclass
class TimelineEntry:
    """One event as a timeline shows it (the columns it reads, and the person's name): a case page
    and every case's API answer read these, so they come as plain rows, not tracked ORM objects."""

    id: int
    occurred_at: datetime
    actor_id: int | None
    actor: str
    role: str
    action: str
    before: dict | None
    after: dict | None
    reason: str
    actor_name: str | None = None


_TIMELINES: dict[Any, Any] = {}  # the statement, built once per names column (once per process)


def _timeline_statement() -> Any:
    name_of = current_app.extensions.get(NAME_OF, lambda _actor_id: literal(None, String))
    stmt = _TIMELINES.get(name_of)
    if stmt is None:
        fields = [f for f in TimelineEntry.__dataclass_fields__ if f != "actor_name"]
        stmt = _TIMELINES[name_of] = (
            select(*(getattr(AuditEvent, f) for f in fields), name_of(AuditEvent.actor_id))
            .where(
                AuditEvent.entity_type == bindparam("entity_type", ""),
                AuditEvent.entity_id == bindparam("entity_id", ""),
            )
            .order_by(AuditEvent.occurred_at, AuditEvent.id)
        )
    return stmt


def timeline(entity_type: str, entity_id: Any) -> list[TimelineEntry]:
    """A case's or household's events, oldest first, each with its person's name (``actor_name``: their
    login name, or "system", when no account has the id), in one statement.

    Read by the driver on the session's connection (``uow.fetch``): every case's answer shows it."""
    rows = uow.fetch(_timeline_statement(), {"entity_type": entity_type, "entity_id": str(entity_id)})
    out = [TimelineEntry(*row) for row in rows]
    for e in out:
        e.actor_name = e.actor_name or e.actor
    return out
