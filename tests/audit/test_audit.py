"""The audit trail: append-only, hash-chained per county, and a tampered event is caught."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from loanflow.audit import services as audit
from loanflow.audit.models import APPEND_ONLY_DDL, DROP_APPEND_ONLY_DDL, AuditEvent
from loanflow.extensions import db


def _tamper(statement: str, **params) -> None:
    """What someone with SQL access could do: lift the guard, edit, put the guard back."""
    dialect = db.engine.dialect.name
    db.session.remove()
    with db.engine.begin() as conn:
        for s in DROP_APPEND_ONLY_DDL[dialect]:
            conn.exec_driver_sql(s)
        conn.execute(text(statement), params)
        for s in APPEND_ONLY_DDL[dialect]:
            conn.exec_driver_sql(s)


def test_the_demo_trail_verifies_whole(demo):
    result = audit.verify()
    assert result.ok and result.events > 100 and result.broken is None


@pytest.mark.truncate  # edits the table through a connection of its own
def test_an_event_edited_straight_in_the_database_is_caught_at_its_link(demo):
    victim = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.chain == "341503").order_by(AuditEvent.seq).offset(20).limit(1)
    ).one()
    db.session.rollback()
    _tamper("UPDATE audit_event SET reason = 'nothing happened' WHERE id = :id", id=victim.id)
    result = audit.verify()
    assert not result.ok
    assert (result.broken.chain, result.broken.seq, result.broken.problem) == (
        "341503",
        victim.seq,
        "content altered",
    )


@pytest.mark.truncate  # edits the table through a connection of its own
def test_a_deleted_event_is_caught_as_a_missing_link(demo):
    victim = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.chain == "341503").order_by(AuditEvent.seq).offset(5).limit(1)
    ).one()
    db.session.rollback()
    _tamper("DELETE FROM audit_event WHERE id = :id", id=victim.id)
    result = audit.verify()
    assert not result.ok and result.broken.seq == victim.seq and result.broken.problem == "missing event"


def test_the_database_refuses_to_update_or_delete_an_event(demo):
    event_id = db.session.scalar(db.select(AuditEvent.id).limit(1))
    with pytest.raises(DatabaseError):
        db.session.execute(text("UPDATE audit_event SET reason = 'x' WHERE id = :id"), {"id": event_id})
    db.session.rollback()
    with pytest.raises(DatabaseError):
        db.session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": event_id})
    db.session.rollback()
    assert audit.verify().ok


def test_the_verifier_is_available_to_supervisors_on_the_api_and_as_a_command(app, client, login):
    r = client.get("/api/v1/audit/verify", headers=login("supervisor"))
    assert r.status_code == 200 and r.json["ok"] is True and r.json["first_broken_link"] is None
    assert client.get("/api/v1/audit/verify", headers=login("clerk")).status_code == 403
    result = app.test_cli_runner().invoke(args=["loanflow", "verify-audit"])
    assert result.exit_code == 0 and '"ok": true' in result.output


@pytest.mark.truncate  # edits the table through a connection of its own
def test_the_command_exits_non_zero_at_a_broken_link(app, demo):
    _tamper("UPDATE audit_event SET actor = 'someone' WHERE seq = 3 AND chain = '341503'")
    result = app.test_cli_runner().invoke(args=["loanflow", "verify-audit"])
    assert result.exit_code == 1 and '"seq": 3' in result.output


def test_each_county_has_its_own_chain_numbered_from_one(app):
    for chain in ("341503", "341522", "341503"):
        audit.record(None, "test.event", "test", 1, chain=chain, after={"n": chain})
    db.session.commit()
    rows = db.session.execute(db.select(AuditEvent.chain, AuditEvent.seq).order_by(AuditEvent.id)).all()
    assert [tuple(r) for r in rows] == [("341503", 1), ("341522", 1), ("341503", 2)]
    assert audit.verify().ok


@pytest.mark.truncate  # threads racing through connections of their own
def test_writers_in_different_counties_do_not_wait_on_each_other(app):
    """A county's open transaction holds its own chain head only; another county's writer goes on."""
    for chain in ("341503", "341522"):
        audit.record(None, "test.event", "test", 0, chain=chain)
    db.session.commit()
    holding, release = threading.Event(), threading.Event()

    def slow_writer():
        with app.app_context():
            audit.record(None, "test.slow", "test", 1, chain="341503")
            holding.set()
            release.wait(10)
            db.session.commit()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert holding.wait(10)
    waited = None
    try:
        if db.engine.dialect.name == "postgresql":
            started = time.monotonic()
            audit.record(None, "test.fast", "test", 2, chain="341522")
            db.session.commit()
            waited = time.monotonic() - started
    finally:
        release.set()
        thread.join(10)
    if waited is not None:  # SQLite has a single writer by design: there the guarantee is PostgreSQL's
        assert waited < 1.0
    assert audit.verify().ok
