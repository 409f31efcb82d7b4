"""The compensation claim and the declined extension on the pages: who sees what, and the forms."""

from __future__ import annotations

from datetime import date

import pytest

from loanflow.core import uow
from loanflow.loans.fund.services import claim_compensation
from loanflow.loans.services.extensions import recall_loan, request_extension
from loanflow.loans.testing.factories import disbursed_loan, fill_fund, free_households, on_day, reload

pytestmark = pytest.mark.bare_demo  # the demo county without seeded cases


@pytest.fixture
def claimed(users):
    fill_fund(users)
    loan = disbursed_loan(users, "10000.00", 12, date(2026, 3, 10))
    with on_day("2026-04-01"):
        recall_loan(users["officer"], loan.id, "挪用于建房")
        uow.commit()
    with on_day("2026-06-30"):
        claim_compensation(users["officer"], loan.id, "三次上门催收，两次书面函告")
        uow.commit()
    return reload(loan)


def test_a_claim_waits_in_the_county_approvers_queue_and_not_in_the_townships(page_as, claimed):
    with on_day("2026-07-01"):
        county = page_as("approver2").get("/").get_data(as_text=True)
        township = page_as("approver").get("/").get_data(as_text=True)
    assert claimed.case_number in county and "批准代偿" in county
    assert claimed.case_number not in township


def test_the_county_approver_refuses_a_claim_on_the_page_with_a_reason(page_as, claimed):
    with on_day("2026-07-01"):
        page = page_as("approver2")
        html = page.get(f"/loans/{claimed.id}").get_data(as_text=True)
        assert "三次上门催收，两次书面函告" in html and 'id="action-refuse-compensation"' in html
        r = page.post(f"/loans/{claimed.id}/refuse-compensation", data={"reason": ""})
        assert r.status_code == 422 and reload(claimed).state == "compensation_claimed"
        r = page.post(f"/loans/{claimed.id}/refuse-compensation", data={"reason": "催收不充分"})
        assert r.status_code in (302, 303)
    loan = reload(claimed)
    assert (loan.state, loan.claim_refusal_reason) == ("recalled", "催收不充分")


def test_an_officer_declines_an_extension_on_the_page(page_as, users):
    fill_fund(users)
    loan = disbursed_loan(users, household=free_households()[0])
    with on_day("2027-01-10"):
        request_extension(users["clerk"], loan.id, 6, "牛价下跌，延迟出栏")
        uow.commit()
        r = page_as("officer").post(
            f"/loans/{loan.id}/decline-extension", data={"reason": "经营正常，有还款能力"}
        )
        assert r.status_code in (302, 303)
        html = page_as("clerk").get(f"/loans/{loan.id}").get_data(as_text=True)
    assert "展期未获同意" in html and "经营正常，有还款能力" in html
    assert reload(loan).extension_requested_months is None


def test_after_an_extension_the_page_shows_the_rate_in_force_beside_the_lines_computed_at_it(page_as, users):
    from loanflow.loans.services.extensions import extend_loan

    fill_fund(users)
    loan = disbursed_loan(users, household=free_households()[0])
    with on_day("2027-01-10"):
        request_extension(users["clerk"], loan.id, 6, "牛价下跌，延迟出栏")
        uow.commit()
    with on_day("2027-01-15"):
        extend_loan(users["officer"], loan.id)
        uow.commit()
        html = page_as("clerk").get(f"/loans/{loan.id}").get_data(as_text=True)
    assert "现行利率" in html and "3.50%" in html
    assert "83.89" in html and "89.44" in html and "79.72" in html  # the lines at 3.50 % from 15 January
