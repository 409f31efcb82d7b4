"""The money actions through ``POST /api/v1/loans/{id}/{action}``, the fund and the claim list."""

from __future__ import annotations

import io
import threading
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, func, select

from loanflow.audit import services as audit
from loanflow.core.once import IdempotencyRecord
from loanflow.extensions import db
from loanflow.loans.models import FundEntry, Repayment
from loanflow.loans.services.money import position_of
from loanflow.loans.testing.factories import (
    D,
    disbursed_loan,
    fill_fund,
    free_households,
    on_day,
    reload,
)

pytestmark = pytest.mark.bare_demo  # the demo county without seeded cases


@pytest.fixture
def loan(users):
    fill_fund(users)
    return disbursed_loan(users)


def act(client, headers, loan_id, action, body, **kw):
    return client.post(f"/api/v1/loans/{loan_id}/{action}", json=body, headers=headers, **kw)


def test_a_prepayment_in_mid_period_through_the_api_lowers_the_payoff_and_the_later_interest(
    client, login, loan
):
    with on_day("2026-05-01"):
        body = {"amount": "4000.00", "date": "2026-05-01", "prepay": True}
        r = act(client, login("officer"), loan.id, "repay", body)
        assert r.status_code == 200, r.json
        assert (r.json["state"], r.json["payoff"], r.json["due_now"]) == ("disbursed", "6000.00", "0.00")
        listed = client.get(f"/api/v1/loans/{loan.id}/repayments", headers=login("officer")).json["items"]
        pos = position_of(reload(loan))
    assert listed[0]["allocation"]["prepaid_principal"] == "4000.00"
    assert listed[0]["allocation"]["interest"] == "0.00"  # nothing was due yet
    # line 2: 10,000 for 42 days + 6,000 for 50 days = (12,600 + 9,000) / 360 = 60.00
    assert [str(x.interest) for x in pos.lines] == ["8.33", "60.00", "46.00", "45.50", "40.00"]


def test_an_amount_above_the_payoff_is_refused_with_the_payoff_in_the_message(client, login, loan):
    with on_day("2026-05-01"):
        r = act(client, login("officer"), loan.id, "repay", {"amount": "10000.01", "date": "2026-05-01"})
    assert r.status_code == 422
    assert "10000.00" in r.json["detail"] and "10000.00" in r.json["errors"]["amount"][0]
    assert db.session.scalar(select(func.count(Repayment.id))) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": 100}, "amount"),
        ({"amount": "100.001"}, "amount"),
        ({"amount": "100.00", "date": "tomorrow"}, "date"),
        ({"amount": "100.00", "note": "extra"}, "note"),
        ({}, "amount"),
    ],
)
def test_a_bad_repayment_body_is_422_naming_the_field(client, login, loan, body, field):
    r = act(client, login("officer"), loan.id, "repay", body)
    assert r.status_code == 422 and field in r.json["errors"], r.json


@pytest.mark.parametrize(
    ("username", "status"),
    [("clerk", 403), ("officer3", 404), ("supervisor", 403), ("officer2", 200)],
)
def test_who_may_record_a_repayment(client, login, loan, username, status):
    r = act(client, login(username), loan.id, "repay", {"amount": "100.00"})
    assert r.status_code == status, r.json


def test_a_reversal_by_the_same_officer_is_403_and_by_another_restores_the_payoff(client, login, loan):
    with on_day("2026-05-01"):
        act(client, login("officer"), loan.id, "repay", {"amount": "4000.00"})
        rid = db.session.scalar(select(Repayment.id))
        body = {"repayment_id": rid, "reason": "录入错误：应为 400 元"}
        same = act(client, login("officer"), loan.id, "reverse-repayment", body)
        other = act(client, login("officer2"), loan.id, "reverse-repayment", body)
        again = act(client, login("officer2"), loan.id, "reverse-repayment", body)
    assert same.status_code == 403 and "四眼原则" in same.json["detail"]
    assert (other.status_code, other.json["payoff"]) == (200, "10000.00")
    assert again.status_code == 409
    assert db.session.scalar(select(func.count(Repayment.id))) == 1  # marked, not deleted


def test_the_loan_shows_the_extension_actions_to_whom_they_are_open(client, login, loan):
    clerk = client.get(f"/api/v1/loans/{loan.id}", headers=login("clerk")).json
    officer = client.get(f"/api/v1/loans/{loan.id}", headers=login("officer")).json
    assert "request-extension" in clerk["allowed_actions"]
    assert "extend" not in officer["allowed_actions"] and "compensate" not in officer["allowed_actions"]
    assert {"repay", "recall"} <= set(officer["allowed_actions"])
    r = act(client, login("clerk"), loan.id, "request-extension", {"months": 6, "reason": "延迟出栏"})
    assert r.status_code == 200
    officer = client.get(f"/api/v1/loans/{loan.id}", headers=login("officer")).json
    assert "extend" in officer["allowed_actions"]
    r = act(client, login("officer"), loan.id, "extend", {})
    assert r.status_code == 200, r.json
    assert (r.json["maturity_on"], r.json["extension"]["count"]) == ("2027-09-10", 1)


@pytest.mark.truncate  # threads racing through connections of their own
def test_twenty_simultaneous_retries_with_one_idempotency_key_record_one_repayment(app, client, login, loan):
    """Each retry is answered at once: the first answer, or 409 + Retry-After while it still runs."""
    headers = {**login("officer"), "Idempotency-Key": "repay-2026-03-10-0001"}
    loan_id = loan.id
    db.session.remove()
    racers = 20
    barrier = threading.Barrier(racers)
    answers: list[tuple[int, bytes, str | None]] = []
    lock = threading.Lock()

    def retry() -> None:
        with app.app_context():
            c = app.test_client()
            barrier.wait()
            r = c.post(f"/api/v1/loans/{loan_id}/repay", json={"amount": "1000.00"}, headers=headers)
            with lock:
                answers.append((r.status_code, r.get_data(), r.headers.get("Retry-After")))
            db.session.remove()

    threads = [threading.Thread(target=retry) for _ in range(racers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == racers
    done = {body for status, body, _ in answers if status == 200}
    assert len(done) == 1  # one answer, replayed to every retry that came after it
    assert {status for status, _, _ in answers} <= {200, 409}
    assert all(wait == "1" for status, _, wait in answers if status == 409)
    later = app.test_client().post(
        f"/api/v1/loans/{loan_id}/repay", json={"amount": "1000.00"}, headers=headers
    )
    assert later.status_code == 200 and later.get_data() in done
    assert later.headers["Idempotent-Replayed"] == "true"
    assert db.session.scalar(select(func.count(Repayment.id))) == 1
    assert [e.action for e in audit.timeline("loan", loan_id)].count("loan.repay") == 1
    assert audit.verify().ok


def test_the_admin_deposits_into_the_fund_and_officers_of_the_county_see_the_balance(client, login, demo):
    body = {"county_code": "341503", "amount": "50000.00", "date": "2026-03-01", "reference": "县财政 2026-7"}
    assert client.post("/api/v1/fund/deposits", json=body, headers=login("officer")).status_code == 403
    r = client.post("/api/v1/fund/deposits", json=body, headers=login("admin"))
    assert r.status_code == 201 and r.json["amount"] == "50000.00"
    fund = client.get("/api/v1/fund", headers=login("officer3")).json
    assert (fund["balance"], fund["ceiling"], fund["outstanding_principal"]) == (
        "50000.00",
        "500000.00",
        "0.00",
    )
    assert [e["kind"] for e in fund["entries"]] == ["deposit"]
    assert client.get("/api/v1/fund", headers=login("clerk")).status_code == 404
    bad = client.post("/api/v1/fund/deposits", json={**body, "amount": "-1"}, headers=login("admin"))
    assert bad.status_code == 422 and "amount" in bad.json["errors"]


def test_the_leverage_check_refuses_a_credit_with_the_figures_in_the_reason(client, login, users):
    fill_fund(users, "1000.00")  # room for 10,000.00 of principal
    first, second = free_households()[:2]
    with on_day("2026-03-10"):
        from loanflow.loans.testing.factories import FULL_MARKS

        head = next(m for m in second.members if m.relation == "head")
        applied = client.post(
            "/api/v1/loans",
            json={
                "household_id": second.id,
                "borrower_id_number": head.id_number,
                "amount": "5000.00",
                "term_months": 12,
                "purpose": "planting",
                "consent": True,
            },
            headers=login("clerk"),
        )
        assert applied.status_code == 201, applied.json
        act(client, login("officer"), applied.json["id"], "rate", {"scores": FULL_MARKS})
        disbursed_loan(users, household=first)  # 10,000.00 now lent against the fund
        r = act(
            client, login("officer"), applied.json["id"], "credit", {"amount": "5000.00", "term_months": 12}
        )
    assert r.status_code == 422
    for figure in ("1000.00", "10000.00", "5000.00", "15000.00"):
        assert figure in r.json["detail"]


def test_the_quarterly_claim_list_lists_each_subsidised_line_with_totals_as_json_and_xlsx(
    client, login, users
):
    fill_fund(users)
    first, second = free_households()[:2]
    a = disbursed_loan(users, household=first)  # 10,000 on 2026-03-10
    b = disbursed_loan(users, "12000.00", household=second, on=date(2026, 1, 15))
    with on_day("2026-07-15"):
        r = client.get("/api/v1/claims?quarter=2026Q2&branch_id=1", headers=login("officer"))
        x = client.get("/api/v1/claims?quarter=2026Q2&branch_id=1&format=xlsx", headers=login("officer"))
        other = client.get("/api/v1/claims?quarter=2026Q2&branch_id=1", headers=login("officer3"))
        bad = client.get("/api/v1/claims?quarter=2026Q5&branch_id=1", headers=login("officer"))
    # 20 June: 76.67 on 10,000 for 92 days; 12,000 for 92 days is 92.00; both all subsidy
    assert [(i["case_number"], i["settlement_date"], i["subsidy"]) for i in r.json["items"]] == [
        (a.case_number, "2026-06-20", "76.67"),
        (b.case_number, "2026-06-20", "92.00"),
    ]
    assert (r.json["total_interest"], r.json["total_subsidy"]) == ("168.67", "168.67")
    assert other.status_code == 404 and bad.status_code == 422
    sheet = load_workbook(io.BytesIO(x.data)).active
    assert [c.value for c in sheet[2]] == [
        "序号",
        "贷款编号",
        "借款人",
        "户主",
        "村代码",
        "期次",
        "结息日",
        "利息（元）",
        "贴息（元）",
    ]
    assert [c.value for c in sheet[sheet.max_row]][0] == "合计"
    assert float(sheet.cell(sheet.max_row, 9).value) == 168.67


def test_a_compensation_pays_out_of_the_fund_through_the_api(client, login, loan):
    with on_day("2026-04-01"):
        r = act(client, login("officer"), loan.id, "recall", {"reason": "挪用于建房", "date": "2026-04-01"})
        assert (r.status_code, r.json["state"]) == (200, "recalled")
    with on_day("2026-06-30"):
        r = act(client, login("officer"), loan.id, "claim-compensation", {"note": "三次上门催收，两次函告"})
        assert (r.status_code, r.json["state"]) == (200, "compensation_claimed"), r.json
        r = act(client, login("approver2"), loan.id, "approve-compensation", {})
        assert (r.status_code, r.json["state"]) == (200, "compensated"), r.json
        # the 112.50 penalty is the bank's; 387.50 of principal, 80 % of it the fund's
        r = act(client, login("officer"), loan.id, "recover", {"amount": "500.00"})
        assert r.status_code == 200
    kinds = db.session.execute(select(FundEntry.kind, FundEntry.amount).order_by(FundEntry.id)).all()
    assert [(k, str(a)) for k, a in kinds] == [
        ("deposit", "100000.00"),
        ("payout", "8000.00"),
        ("recovery", "310.00"),
    ]


def test_a_repayment_retried_after_its_stored_answer_was_lost_is_a_409_and_is_not_recorded_twice(
    client, login, loan
):
    headers = {**login("officer"), "Idempotency-Key": "repay-2026-05-01-001"}
    with on_day("2026-05-01"):
        first = act(client, headers, loan.id, "repay", {"amount": "500.00", "date": "2026-05-01"})
        assert first.status_code == 200, first.json
        # the process died after the commit: the stored answer never arrived and its claim was released
        db.session.execute(delete(IdempotencyRecord))
        db.session.commit()
        again = act(client, headers, loan.id, "repay", {"amount": "500.00", "date": "2026-05-01"})
        payoff = position_of(reload(loan)).payoff
    assert again.status_code == 409
    assert "已按此幂等键（Idempotency-Key）入账：还款" in again.json["detail"]
    assert db.session.scalar(select(func.count(Repayment.id))) == 1
    assert payoff == D("9500.00")


def test_a_repayment_through_the_api_checks_scope_role_and_state_once(client, login, loan, monkeypatch):
    from loanflow.loans.services import actions as loans
    from loanflow.loans.services import money as loan_money

    calls: list[str] = []
    real = loans.begin_action

    def counted(user, loan_id, action):
        calls.append(action)
        return real(user, loan_id, action)

    monkeypatch.setattr(loans, "begin_action", counted)
    monkeypatch.setattr(loan_money, "begin_action", counted)
    with on_day("2026-05-01"):
        r = act(client, login("officer"), loan.id, "repay", {"amount": "100.00", "date": "2026-05-01"})
        assert r.status_code == 200
        assert calls == ["repay"]
        bad = act(client, login("clerk"), loan.id, "repay", {"amount": "x"})
    assert bad.status_code == 403  # the role comes before the body's 422


def test_a_disbursed_loan_shows_the_account_type_with_its_label(client, login, loan):
    shown = client.get(f"/api/v1/loans/{loan.id}", headers=login("officer")).json
    assert shown["account_type"] in ("card", "passbook")
    assert shown["account_type_label"] == {"card": "一卡通", "passbook": "存折"}[shown["account_type"]]
