"""The officer's pages: household facts and grade on the rating form, owed by kind, who else may act."""

from __future__ import annotations

import re

from loanflow.extensions import db
from loanflow.loans.models import Loan
from tests.loans.web.test_loan_pages import SCORES, _apply, _fund, _household  # noqa: F401


def _loan_id(response) -> int:
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_the_rating_form_shows_the_households_facts_and_the_grade_table(page_as):
    clerk, officer, h = page_as("clerk"), page_as("officer"), _household()
    loan_id = _loan_id(_apply(clerk, h))
    html = officer.get(f"/loans/{loan_id}").get_data(as_text=True)
    form = html[html.index('id="action-rate"') :]
    assert "家庭人口" in form and f"{len(h.members)} 人" in form
    assert "劳动力" in form and "家庭纯收入" in form and "既往贷款" in form
    assert "★★★★★" in form and 'src="/static/rating.js"' in form and "<script>" not in html


def test_after_rating_the_page_shows_the_grade_and_its_limit(page_as):
    clerk, officer, h = page_as("clerk"), page_as("officer"), _household()
    loan_id = _loan_id(_apply(clerk, h))
    assert officer.post(f"/loans/{loan_id}/rate", data=SCORES).status_code == 302
    html = officer.get(f"/loans/{loan_id}").get_data(as_text=True)
    assert re.search(r"75 分 · <strong class=\"grade\">★★★</strong>", html)
    assert "限额 30,000.00 元" in html


def test_an_earlier_loan_of_the_household_is_listed_on_the_rating_form(page_as):
    clerk, officer, h = page_as("clerk"), page_as("officer"), _household()
    first = _loan_id(_apply(clerk, h))
    clerk.post(f"/loans/{first}/withdraw", data={"reason": "重新申请"})
    second = _loan_id(_apply(clerk, h, amount="20000"))
    html = officer.get(f"/loans/{second}").get_data(as_text=True)
    number = db.session.get(Loan, first).case_number
    assert number in html[html.index('id="action-rate"') :]


def test_the_officer_who_credited_is_told_who_may_disburse_and_why(page_as):
    clerk, officer, h = page_as("clerk"), page_as("officer"), _household()
    loan_id = _loan_id(_apply(clerk, h))
    officer.post(f"/loans/{loan_id}/rate", data=SCORES)
    officer.post(f"/loans/{loan_id}/credit", data={"amount": "30000", "term_months": "12"})
    html = officer.get(f"/loans/{loan_id}").get_data(as_text=True)
    assert 'id="action-disburse"' not in html
    others = html[html.index('class="others-may"') :]
    assert "放款" in others and "四眼原则" in others and "另一名信贷员" in others
    assert "拒绝" not in others


def test_a_clerk_is_told_that_an_officer_rates(page_as):
    clerk, h = page_as("clerk"), _household()
    loan_id = _loan_id(_apply(clerk, h))
    html = clerk.get(f"/loans/{loan_id}").get_data(as_text=True)
    others = html[html.index('class="others-may"') :]
    assert "评级" in others and "信贷员" in others


def test_an_overdue_loan_shows_principal_interest_penalty_and_compound_apart(page_as, users):
    from datetime import date

    from loanflow.core.clock import business_date
    from loanflow.loans.services.position import position_of
    from loanflow.loans.testing.factories import disbursed_loan
    from loanflow.web.present import money

    loan = disbursed_loan(users)
    officer = page_as("officer")
    with business_date(date(2027, 5, 10)):  # two months past maturity, nothing repaid
        owed = position_of(loan).due_now_owed
        html = officer.get(f"/loans/{loan.id}").get_data(as_text=True)
    table = html[html.index('class="list owed"') :]
    assert owed.principal == 10000 and owed.penalty > 0  # the interest is subsidized whole
    start = table.index("当前应还")
    row = table[start : table.index("</tr>", start)]
    for part in (owed.principal, owed.interest, owed.penalty, owed.compound, owed.total):
        assert money(part) in row
    assert "罚息" in table and "复利" in table


def test_the_officer_reads_the_quarters_claim_list_and_downloads_it(page_as, users):
    from datetime import date
    from io import BytesIO

    from openpyxl import load_workbook

    from loanflow.core.clock import business_date
    from loanflow.loans.claims import claim_list
    from loanflow.loans.testing.factories import disbursed_loan
    from loanflow.web.present import money

    loan = disbursed_loan(users)
    officer = page_as("officer")
    with business_date(date(2026, 7, 15)):
        expected = claim_list(users["officer"], "2026Q2", loan.branch_id)
        home = officer.get("/").get_data(as_text=True)
        html = officer.get(f"/claims?quarter=2026Q2&branch={loan.branch_id}").get_data(as_text=True)
        xlsx = officer.get(f"/claims.xlsx?quarter=2026Q2&branch={loan.branch_id}")
    assert 'href="/claims"' in home and 'href="/fund"' in home
    assert expected.rows and loan.case_number in html
    assert money(expected.total_subsidy) in html[html.index('id="claims-subsidy"') :]
    sheet = load_workbook(BytesIO(xlsx.data)).active
    assert xlsx.status_code == 200 and sheet["B3"].value == loan.case_number


def test_a_bad_quarter_is_named_not_a_500(page_as):
    r = page_as("officer").get("/claims?quarter=2026Q7")
    assert r.status_code == 422 and "季度格式应为 2026Q1" in r.get_data(as_text=True)


def test_a_clerk_has_no_claim_list(page_as):
    clerk = page_as("clerk")
    assert 'href="/claims"' not in clerk.get("/").get_data(as_text=True)
    assert clerk.get("/claims").status_code == 404


def test_the_officer_reads_the_fund_without_a_deposit_form(page_as):
    html = page_as("officer").get("/fund").get_data(as_text=True)
    assert 'id="fund-balance"' in html and "/fund/deposits" not in html
