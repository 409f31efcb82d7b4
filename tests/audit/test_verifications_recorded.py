"""Every verification of the audit trail is recorded (issue 12: the admin's home shows the last one): by
the command (the system), the API and the supervisor's page, as an ``audit.verify`` event of the global
chain with who, which chains, how many events and the result — a broken chain too."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from loanflow.audit import services as audit
from loanflow.audit.models import AuditEvent
from loanflow.core.database import _read_only_request
from loanflow.extensions import db
from tests.audit.test_audit import _tamper


def _verifications() -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "audit.verify").order_by(AuditEvent.id)
        )
    )


def test_the_command_records_its_verification_by_the_system(app, demo):
    assert _verifications() == []
    result = app.test_cli_runner().invoke(args=["loanflow", "verify-audit"])
    assert result.exit_code == 0, result.output
    (event,) = _verifications()
    assert (event.actor, event.actor_id, event.role, event.chain) == ("system", None, "system", "global")
    assert event.after["via"] == "command" and event.after["ok"] is True and event.after["broken"] is None
    assert "341503" in event.after["chains"] and event.after["events"] > 100
    assert audit.verify().ok  # the record is a link of the global chain like any other


def test_the_api_records_who_verified_and_a_refused_caller_records_nothing(client, login, users):
    r = client.get("/api/v1/audit/verify", headers=login("supervisor"))
    assert r.status_code == 200 and r.json["ok"] is True
    assert client.get("/api/v1/audit/verify", headers=login("clerk")).status_code == 403
    (event,) = _verifications()
    assert event.actor_id == users["supervisor"].id and event.role == "supervisor"
    assert event.after["via"] == "api" and event.after["ok"] is True
    assert event.after["events"] == r.json["events"] and event.after["asked"] == "all"


def test_the_supervisors_page_records_their_verification_of_their_chains(page_as, users):
    html = page_as("supervisor").post("/supervision/audit").get_data(as_text=True)
    assert "审计链完整" in html
    (event,) = _verifications()
    assert event.actor_id == users["supervisor"].id and event.after["via"] == "page"
    assert event.after["asked"] == ["341503", "global"] and event.after["ok"] is True


def test_the_verify_get_takes_sqlites_write_lock_from_its_start_and_other_gets_do_not(app):
    """A deferred transaction that has read cannot take the write lock once another writer committed
    ("database is locked" at once): the verification's GET writes its record, so it begins IMMEDIATE."""
    with app.test_request_context("/api/v1/audit/verify"):
        assert not _read_only_request()
    with app.test_request_context("/api/v1/households"):
        assert _read_only_request()
    with app.test_request_context("/api/v1/households", method="POST"):
        assert not _read_only_request()


@pytest.mark.truncate  # real commits: the GET's record must be in the database, not in a rolled-back test
def test_the_apis_verification_is_committed_though_the_request_is_a_get(app, client, login):
    assert client.get("/api/v1/audit/verify", headers=login("admin")).status_code == 200
    db.session.remove()
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(AuditEvent.actor, AuditEvent.chain).where(AuditEvent.action == "audit.verify")
        )
        assert [tuple(r) for r in rows] == [("admin", "global")]


@pytest.mark.truncate  # edits the table through a connection of its own
def test_a_broken_chain_is_recorded_with_its_first_broken_link(app, demo):
    _tamper("UPDATE audit_event SET actor = 'someone' WHERE seq = 3 AND chain = '341503'")
    result = app.test_cli_runner().invoke(args=["loanflow", "verify-audit"])
    assert result.exit_code == 1
    (event,) = _verifications()
    assert event.after["ok"] is False
    assert event.after["broken"]["chain"] == "341503" and event.after["broken"]["seq"] == 3
    assert event.after["broken"]["problem"] == "content altered"
