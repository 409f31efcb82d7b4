"""Exactly once across crashes: the key and its answer commit with the effect (core.once, core.uow)."""

from __future__ import annotations

import re
import time
from contextlib import contextmanager

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from loanflow.audit import services as audit
from loanflow.core import once
from loanflow.core.once import IdempotencyRecord
from loanflow.extensions import db
from loanflow.loans.models import Repayment
from loanflow.loans.testing.factories import disbursed_loan, fill_fund, on_day, user_named

pytestmark = pytest.mark.bare_demo


@pytest.fixture
def loan(users):
    fill_fund(users)
    return disbursed_loan(users)


def repay(client, headers, loan_id, amount="500.00"):
    return client.post(
        f"/api/v1/loans/{loan_id}/repay", json={"amount": amount, "date": "2026-05-01"}, headers=headers
    )


def repayments() -> int:
    return db.session.scalar(select(func.count(Repayment.id)))


@contextmanager
def the_commit_dies(monkeypatch):
    """The request inside dies at its commit as on a lost server (the error reaches the client); after it
    the commit works again and the dead transaction is rolled back, as the database would."""
    real_commit = Session.commit

    def dies(self):
        monkeypatch.setattr(Session, "commit", real_commit)
        raise OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(Session, "commit", dies)
    with pytest.raises(OperationalError):
        yield
    db.session.rollback()


def test_a_crash_before_the_commit_leaves_neither_effect_nor_key_and_the_retry_records_once(
    client, login, loan, monkeypatch
):
    headers = {**login("officer"), "Idempotency-Key": "repay-crash-1"}
    with on_day("2026-05-01"):
        with the_commit_dies(monkeypatch):
            repay(client, headers, loan.id)
        assert repayments() == 0
        assert db.session.scalar(select(func.count()).select_from(IdempotencyRecord)) == 0
        first = repay(client, headers, loan.id)
        again = repay(client, headers, loan.id)
    assert first.status_code == again.status_code == 200, first.json
    assert again.headers["Idempotent-Replayed"] == "true" and again.json == first.json
    assert repayments() == 1
    assert [e.action for e in audit.timeline("loan", loan.id)].count("loan.repay") == 1


def test_the_answer_is_written_in_the_same_commit_as_the_effect(client, login, loan, monkeypatch):
    seen: list[tuple[int, int]] = []
    real_commit = Session.commit

    def looks_before_committing(self):
        with self.no_autoflush:
            self.flush()
            seen.append(
                (repayments(), db.session.scalar(select(func.count()).select_from(IdempotencyRecord)))
            )
        return real_commit(self)

    monkeypatch.setattr(Session, "commit", looks_before_committing)
    with on_day("2026-05-01"):
        r = repay(client, {**login("officer"), "Idempotency-Key": "repay-together"}, loan.id)
    assert r.status_code == 200
    assert seen[-1] == (1, 1)  # the request's commit holds both
    assert set(seen) <= {(0, 0), (1, 1)}  # no commit ever holds one without the other


@pytest.mark.postgres_only
def test_a_retry_while_the_first_attempt_runs_is_answered_at_once_with_409_and_retry_after(
    client, login, loan
):
    headers = {**login("officer"), "Idempotency-Key": "repay-running"}
    officer = user_named("officer")
    # the first attempt's transaction holds the key (another connection, as another worker would)
    other = db.session.connection().engine.connect()
    try:
        other.execute(
            text("SELECT pg_advisory_lock(:id)"), {"id": once._lock_id(officer.id, "repay-running")}
        )
        started = time.monotonic()
        with on_day("2026-05-01"):
            busy = repay(client, headers, loan.id)
        assert time.monotonic() - started < 2
        assert busy.status_code == 409 and busy.headers["Retry-After"] == "1"
        assert repayments() == 0
    finally:
        other.invalidate()  # the first attempt died without an answer: its connection and lock go
        other.close()
    with on_day("2026-05-01"):
        done = repay(client, headers, loan.id)
    assert done.status_code == 200 and repayments() == 1


def test_a_refusal_is_not_stored_under_the_key_so_the_client_may_retry_it(client, login, loan):
    headers = {**login("officer2"), "Idempotency-Key": "disburse-twice"}
    refused = client.post(f"/api/v1/loans/{loan.id}/disburse", json={"date": "2026-03-10"}, headers=headers)
    assert refused.status_code == 409  # the state moved on (as for the loser of a race)
    assert db.session.scalar(select(func.count()).select_from(IdempotencyRecord)) == 0
    again = client.post(f"/api/v1/loans/{loan.id}/disburse", json={"date": "2026-03-10"}, headers=headers)
    assert again.status_code == refused.status_code and "Idempotent-Replayed" not in again.headers


def test_the_same_key_with_another_body_is_422_and_records_nothing(client, login, loan):
    headers = {**login("officer"), "Idempotency-Key": "repay-body"}
    with on_day("2026-05-01"):
        assert repay(client, headers, loan.id).status_code == 200
        other = repay(client, headers, loan.id, amount="600.00")
    assert other.status_code == 422 and "Idempotency-Key" in other.json["errors"]
    assert repayments() == 1


def test_a_repayment_form_submitted_twice_records_once_and_shows_the_first_result(page_as, loan):
    officer = page_as("officer")
    html = officer.get(f"/loans/{loan.id}").get_data(as_text=True)
    tokens = re.findall(r'name="form_token" value="([^"]+)"', html)
    assert tokens and len(set(tokens)) == len(tokens)  # one token per form on the page
    form = {"amount": "500.00", "date": "2026-05-01", "form_token": tokens[0]}
    with on_day("2026-05-01"):
        first = officer.post(f"/loans/{loan.id}/repay", data=form)
        second = officer.post(f"/loans/{loan.id}/repay", data=form)
    assert first.status_code == 302
    assert second.status_code == 303 and second.headers["Location"] == first.headers["Location"]
    assert repayments() == 1
    page = officer.get(second.headers["Location"]).get_data(as_text=True)
    assert "500.00" in page and "1,000.00" not in page


def test_a_form_refused_for_its_errors_keeps_its_token_for_the_corrected_submit(page_as, loan):
    officer = page_as("officer")
    with on_day("2026-05-01"):
        bad = officer.post(
            f"/loans/{loan.id}/repay", data={"amount": "-5", "date": "2026-05-01", "form_token": "t-1"}
        )
        good = officer.post(
            f"/loans/{loan.id}/repay", data={"amount": "500.00", "date": "2026-05-01", "form_token": "t-1"}
        )
    assert bad.status_code == 422 and good.status_code == 302
    assert repayments() == 1


def test_stored_answers_older_than_a_month_are_forgotten_by_the_periodic_job(client, login, loan):
    from datetime import timedelta

    from loanflow import periodic
    from loanflow.core import clock

    with on_day("2026-05-01"):
        assert repay(client, {**login("officer"), "Idempotency-Key": "old"}, loan.id).status_code == 200
    old = db.session.get(IdempotencyRecord, (user_named("officer").id, "old"))
    old.created_at = clock.now() - timedelta(days=31)
    db.session.commit()
    with on_day("2026-05-01"):
        assert repay(client, {**login("officer"), "Idempotency-Key": "new"}, loan.id).status_code == 200
    periodic.forget_old_answers()
    assert db.session.scalars(select(IdempotencyRecord.key)).all() == ["new"]


def test_a_second_answer_under_a_key_is_refused_by_the_store_and_the_first_is_replayed(
    client, login, users, monkeypatch
):
    """Should a second attempt run although the first finished (its lock lost mid-request), the stored
    answer's primary key refuses it at the commit: its effect is undone and the first answer replayed."""
    from loanflow.loans.models import FundEntry

    headers = {**login("admin"), "Idempotency-Key": "deposit-once"}
    body = {"county_code": "341503", "amount": "1000.00", "date": "2026-03-10", "reference": "财政拨款 1"}
    first = client.post("/api/v1/fund/deposits", json=body, headers=headers)
    assert first.status_code == 201
    deposits = db.session.scalar(select(func.count()).where(FundEntry.kind == "deposit"))
    real_stored, misses = once.stored, [None, None]  # the look before the lock and the one after it

    def missed(user_id, key):
        return misses.pop() if misses else real_stored(user_id, key)

    monkeypatch.setattr(once, "stored", missed)
    second = client.post("/api/v1/fund/deposits", json=body, headers=headers)
    assert misses == []  # the second attempt ran its action
    assert second.status_code == 201 and second.json == first.json
    assert second.headers["Idempotent-Replayed"] == "true"
    assert db.session.scalar(select(func.count()).where(FundEntry.kind == "deposit")) == deposits


# --- the other effects the crash doubled (issue 10): a subsidy case, a fund deposit, a recovery, an
# account change — each through its own endpoint, a crash at its commit, then the key retried twice.


def _applied_subsidy(client, login, users):
    from loanflow.subsidies.models import SubsidyCase
    from loanflow.subsidies.testing.factories import fresh_household

    h = fresh_household("341503001001", "陈有田")
    body = {"household_id": h.id, "industry": "kiwi", "quantity": "3", "consent": True}
    count = select(func.count(SubsidyCase.id)).where(SubsidyCase.household_id == h.id)
    return "/api/v1/subsidies", body, login("clerk"), count


def _deposit(client, login, users):
    from loanflow.loans.models import FundEntry

    body = {
        "county_code": "341503",
        "amount": "1000000.00",
        "date": "2026-03-01",
        "reference": "县财政 2026-9",
    }
    count = select(func.count(FundEntry.id)).where(FundEntry.kind == "deposit", FundEntry.amount == 1_000_000)
    return "/api/v1/fund/deposits", body, login("admin"), count


def _recovery(client, login, users):
    from datetime import date

    from loanflow.loans.models import FundEntry

    fill_fund(users)
    loan = disbursed_loan(users, "10000.00", 12, date(2026, 3, 10))
    officer, county = login("officer"), login("approver2")
    with on_day("2026-04-01"):
        client.post(f"/api/v1/loans/{loan.id}/recall", json={"reason": "挪用于建房"}, headers=officer)
    with on_day("2026-06-30"):
        client.post(
            f"/api/v1/loans/{loan.id}/claim-compensation", json={"note": "三次上门催收"}, headers=officer
        )
        r = client.post(f"/api/v1/loans/{loan.id}/approve-compensation", json={}, headers=county)
        assert r.status_code == 200 and r.json["state"] == "compensated", r.json
    count = select(func.count(FundEntry.id)).where(FundEntry.loan_id == loan.id, FundEntry.kind == "recovery")
    return f"/api/v1/loans/{loan.id}/recover", {"amount": "2000.00"}, officer, count


def _account_change(client, login, users):
    from loanflow.households.models import AccountChange
    from loanflow.subsidies.testing.factories import fresh_household

    h = fresh_household("341503001001", "陈有田")
    body = {
        "account_type": "passbook",
        "bank_account": "88881234567",
        "bank_name": "邮储银行",
        "reason": "旧卡遗失",
    }
    count = select(func.count(AccountChange.id)).where(AccountChange.household_id == h.id)
    return f"/api/v1/households/{h.id}/account-changes", body, login("clerk"), count


@pytest.mark.parametrize(
    "setup", [_applied_subsidy, _deposit, _recovery, _account_change], ids=lambda f: f.__name__.strip("_")
)
def test_a_crash_at_the_commit_then_two_retries_make_one_effect(client, login, users, monkeypatch, setup):
    path, body, headers, count = setup(client, login, users)
    headers = {**headers, "Idempotency-Key": f"crash-{setup.__name__}"}
    with on_day("2026-08-03"):
        with the_commit_dies(monkeypatch):
            client.post(path, json=body, headers=headers)
        assert db.session.scalar(count) == 0
        first = client.post(path, json=body, headers=headers)
        again = client.post(path, json=body, headers=headers)
    assert first.status_code in (200, 201), first.json
    assert again.status_code == first.status_code and again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert db.session.scalar(count) == 1
    assert audit.verify().ok
