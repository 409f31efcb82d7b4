"""Signed checkpoints catch the history that the chain alone cannot (DOMAIN.md, "Audit trail"):
someone with SQL access lifts the guard, edits an event and recomputes every later hash, or deletes
the last five events and resets the head. Both pass the chain walk; both are reported against the
checkpoint log kept outside the database, with the first event that disagrees. TRUNCATE is refused."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from loanflow.audit import services as audit
from loanflow.audit.checkpoints import log_path, write_checkpoint
from loanflow.audit.models import APPEND_ONLY_DDL, DROP_APPEND_ONLY_DDL, AuditChainHead, AuditEvent
from loanflow.audit.services import event_payload, link_hash
from loanflow.extensions import db

CHAIN = "341503"


@pytest.fixture
def checkpoint_log(app, tmp_path):
    """The checkpoint log in a folder of the test's own, signed with a key of its own."""
    app.config["AUDIT_CHECKPOINT_DIR"] = str(tmp_path)
    app.config["AUDIT_CHECKPOINT_KEY"] = "a key the database never sees"
    return tmp_path


def _events() -> list[AuditEvent]:
    return list(
        db.session.scalars(db.select(AuditEvent).where(AuditEvent.chain == CHAIN).order_by(AuditEvent.seq))
    )


def _lift_the_guard() -> None:
    """What SQL access allows: drop (SQLite) or disable (PostgreSQL) the append-only triggers."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
    else:
        for statement in DROP_APPEND_ONLY_DDL["sqlite"]:
            db.session.execute(text(statement))


def _restore_the_guard() -> None:
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ALTER TABLE audit_event ENABLE TRIGGER USER"))
    else:
        for statement in APPEND_ONLY_DDL["sqlite"]:
            db.session.execute(text(statement))


def _rewrite_from(seq: int, reason: str) -> None:
    """Edit the event at ``seq`` and recompute its hash and every later one, and the head."""
    _lift_the_guard()
    prev = None
    for e in _events():
        if e.seq < seq:
            prev = e.hash
            continue
        values = {"prev_hash": prev, "reason": reason if e.seq == seq else e.reason}
        payload = {**event_payload(e), "reason": values["reason"]}
        values["hash"] = prev = link_hash(prev, payload)
        db.session.execute(db.update(AuditEvent).where(AuditEvent.id == e.id).values(**values))
    db.session.execute(db.update(AuditChainHead).where(AuditChainHead.chain == CHAIN).values(hash=prev))
    _restore_the_guard()
    db.session.expire_all()


def _cut_the_tail(count: int) -> int:
    """Delete the last ``count`` events and reset the head to the event before them; its seq."""
    events = _events()
    keep = events[-count - 1]
    _lift_the_guard()
    db.session.execute(db.delete(AuditEvent).where(AuditEvent.chain == CHAIN, AuditEvent.seq > keep.seq))
    db.session.execute(
        db.update(AuditChainHead).where(AuditChainHead.chain == CHAIN).values(seq=keep.seq, hash=keep.hash)
    )
    _restore_the_guard()
    db.session.expire_all()
    return keep.seq


def _more_events(n: int) -> None:
    for i in range(n):
        audit.record(None, "test.note", "household", 1, chain=CHAIN, after={"i": i})
    db.session.flush()


def test_a_checkpoint_is_one_signed_line_per_chain_outside_the_database(demo, checkpoint_log):
    written = write_checkpoint()
    lines = [json.loads(line) for line in log_path().read_text().splitlines()]
    heads = {h.chain: (h.seq, h.hash) for h in db.session.scalars(db.select(AuditChainHead))}
    assert log_path().parent == checkpoint_log
    assert {line["chain"]: (line["seq"], line["hash"]) for line in lines} == heads
    assert all(len(line["signature"]) == 64 and line["at"] for line in lines)
    assert len(written) == len(heads)
    result = audit.verify()
    assert result.ok and result.checkpoints == len(heads)


def test_a_forged_checkpoint_line_is_reported(demo, checkpoint_log):
    write_checkpoint()
    forged = json.loads(log_path().read_text().splitlines()[0])
    forged["seq"] -= 1
    with open(log_path(), "a") as log:
        log.write(json.dumps(forged) + "\n")
    result = audit.verify()
    assert not result.ok and "signature" in result.broken.problem


def test_a_truncated_chain_is_reported_at_its_first_missing_event(demo, checkpoint_log):
    write_checkpoint()
    last = _events()[-1].seq
    kept = _cut_the_tail(5)
    assert kept == last - 5

    log_path().rename(checkpoint_log / "aside.jsonl")
    assert audit.verify().ok  # the chain alone cannot tell: what the checkpoint is for
    (checkpoint_log / "aside.jsonl").rename(log_path())

    result = audit.verify()
    assert not result.ok
    assert (result.broken.chain, result.broken.seq) == (CHAIN, last - 4)
    assert result.broken.problem.startswith("truncated")


def test_a_rewritten_chain_is_reported_from_the_first_event_after_the_last_agreeing_checkpoint(
    demo, checkpoint_log
):
    write_checkpoint()
    agreed = _events()[-1].seq
    _more_events(6)
    write_checkpoint()
    victim = next(e for e in _events() if e.seq == agreed + 3)
    _rewrite_from(victim.seq, "nothing happened")

    log_path().rename(checkpoint_log / "aside.jsonl")
    assert audit.verify().ok  # every hash recomputed: the chain alone cannot tell
    (checkpoint_log / "aside.jsonl").rename(log_path())

    result = audit.verify()
    assert not result.ok
    first = next(e for e in _events() if e.seq == agreed + 1)
    assert (result.broken.chain, result.broken.seq, result.broken.event_id) == (CHAIN, agreed + 1, first.id)
    assert result.broken.problem.startswith("rewritten")


@pytest.mark.postgres_only
def test_a_rewritten_chain_is_reported_through_the_api_and_the_command(
    app, client, login, demo, checkpoint_log
):
    write_checkpoint()
    agreed = _events()[-1].seq
    _more_events(3)
    write_checkpoint()
    _rewrite_from(agreed + 2, "nothing happened")
    db.session.commit()

    answer = client.get("/api/v1/audit/verify", headers=login("supervisor"))
    assert answer.status_code == 200
    assert answer.json["ok"] is False and answer.json["first_broken_link"]["seq"] == agreed + 1
    printed = app.test_cli_runner().invoke(args=["loanflow", "verify-audit"])
    assert printed.exit_code == 1 and '"rewritten' in printed.output


@pytest.mark.postgres_only
def test_truncate_of_the_audit_trail_is_refused(demo):
    with pytest.raises(DatabaseError, match="append-only"):
        with db.session.begin_nested():
            db.session.execute(text("TRUNCATE audit_event CASCADE"))
    assert _events()


def test_the_checkpoint_command_appends_and_verify_audit_checks_against_it(app, demo, checkpoint_log):
    runner = app.test_cli_runner()
    made = runner.invoke(args=["loanflow", "checkpoint-audit"])
    assert made.exit_code == 0 and str(log_path()) in made.output
    checked = runner.invoke(args=["loanflow", "verify-audit"])
    assert checked.exit_code == 0
    assert json.loads(checked.output)["checkpoints"] == len(log_path().read_text().splitlines())
