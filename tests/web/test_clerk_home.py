"""The clerk's home: their open cases waiting on others (who, by when), cases needing the household."""

from __future__ import annotations

from datetime import date

from loanflow.core import clock, uow
from loanflow.loans.testing.factories import deposit, disbursed_loan, free_households, open_loan
from loanflow.subsidies import publicity
from loanflow.subsidies.testing.factories import fresh_household, make_case


def test_the_clerk_sees_their_loans_waiting_on_the_bank_with_the_deadline(page_as, users):
    deposit("341503", "100000.00")
    loan = open_loan(users["clerk"], free_households()[0])
    html = page_as("clerk").get("/").get_data(as_text=True)
    assert "目前没有等待您办理的事项" not in html
    assert "我经办的贷款：等待他人办理" in html
    row = html[html.index(loan.case_number) :]
    row = row[: row.index("</tr>")]
    assert "信贷员：评级" in row and loan.stage_due_on.isoformat() in row
    other = page_as("clerk2").get("/").get_data(as_text=True)
    assert loan.case_number not in other  # another clerk's case is not theirs


def test_a_loan_near_maturity_asks_for_an_extension_request_before_it(app, page_as, users):
    deposit("341503", "100000.00")
    loan = disbursed_loan(users, term=12, on=date(2026, 3, 10))
    c = page_as("clerk")
    assert loan.case_number not in c.get("/").get_data(as_text=True)  # a year to go
    with clock.business_date(date(2027, 2, 20)):
        html = c.get("/").get_data(as_text=True)
    assert "需农户办理的贷款" in html
    row = html[html.index(loan.case_number) :]
    row = row[: row.index("</tr>")]
    assert "到期前可申请展期" in row and loan.maturity_on.isoformat() in row


def test_an_objection_sends_the_case_to_the_clerk_to_answer(page_as, users):
    h = fresh_household("341503001001", "钱异议")
    case = make_case(
        h,
        "publicized",
        start=date(2026, 3, 2),
        clerk=users["clerk"],
        verifier=users["approver"],
        approver=users["approver2"],
    )
    c = page_as("clerk")
    html = c.get("/").get_data(as_text=True)
    assert "我经办的奖补案件：等待他人办理" in html and case.case_number in html
    with clock.business_date(case.publicity.start_on):
        publicity.object_to_case(
            users["approver"], case.id, {"raised_by": "村民张三", "reason": "养殖数量不符"}
        )
        uow.commit()
    html = c.get("/").get_data(as_text=True)
    assert "需农户办理的奖补案件" in html and "有异议待答复" in html and "养殖数量不符" in html


def test_a_press_on_the_clerks_case_shows_on_their_home(page_as, users):
    from loanflow.supervision.services.presses import press_case

    deposit("341503", "100000.00")
    loan = open_loan(users["clerk"], free_households()[0])
    with clock.business_date(date(2026, 3, 30)):
        press_case(users["supervisor"], "loan", loan.id, "请尽快评级")
        uow.commit()
        html = page_as("clerk").get("/").get_data(as_text=True)
    assert "我经办案件的督办" in html and "请尽快评级" in html


def test_a_clerk_moved_to_another_township_no_longer_sees_the_cases_filed_in_the_old_one(page_as, users):
    """The clerk's waiting cases are read by who filed them in the home's order; the region is checked
    on the rows (loans.queue.clerk_loans_waiting): a move takes them off the clerk's home."""
    deposit("341503", "100000.00")
    clerk = users["clerk"]
    loan = open_loan(clerk, free_households()[0])
    case = make_case(
        fresh_household("341503001001", "孙调动"),
        "applied",
        start=date(2026, 3, 2),
        clerk=clerk,
        verifier=users["approver"],
        approver=users["approver2"],
    )
    home = page_as("clerk").get("/").get_data(as_text=True)
    assert loan.case_number in home and case.case_number in home
    old, clerk.region_code = clerk.region_code, "341503002"
    uow.commit()
    home = page_as("clerk").get("/").get_data(as_text=True)
    assert loan.case_number not in home and case.case_number not in home
    clerk.region_code = old
    uow.commit()
