"""The officer's work queue (待办) of loans: the most overdue first, found without replaying any ledger."""

from __future__ import annotations

import pytest

from loanflow.loans import guards as loan_guards
from loanflow.loans.services import extensions as loan_extensions
from loanflow.loans.services import money as loan_money
from loanflow.loans.testing.factories import disbursed_loan, fill_fund, free_households, on_day, open_loan
from loanflow.web import queue

pytestmark = pytest.mark.bare_demo  # the demo county without seeded cases


def positions(html: str, case_numbers: list[str]) -> list[int]:
    return [html.find(n) for n in case_numbers]


def test_the_queue_keeps_the_most_overdue_applications_when_it_is_cut(page_as, funded, monkeypatch):
    households = free_households()
    applied = []
    for day, h in zip(("2026-03-02", "2026-03-03", "2026-03-04"), households, strict=False):
        with on_day(day):
            applied.append(open_loan(funded["clerk"], h).case_number)
    monkeypatch.setattr(queue, "HOME_ROWS", 2)
    html = page_as("officer").get("/").get_data(as_text=True)
    oldest, second, newest = positions(html, applied)
    assert 0 < oldest < second  # due 2026-03-09 (one working day over), then due today
    assert newest == -1  # the cut drops the least urgent, not the oldest


def test_a_pending_extension_is_in_the_queue_and_no_ledger_is_replayed_to_find_it(
    page_as, users, monkeypatch
):
    fill_fund(users)
    quiet, asking = (disbursed_loan(users, household=h) for h in free_households()[:2])
    with on_day("2026-06-01"):
        loan_extensions.request_extension(users["clerk"], asking.id, 6, "牛价下跌，延迟出栏")

    def no_replay(*args, **kwargs):
        raise AssertionError("the queue replayed a ledger")

    monkeypatch.setattr(loan_money, "position_of", no_replay)
    monkeypatch.setattr(loan_extensions, "position_of", no_replay)
    monkeypatch.setattr(loan_guards, "position_of", no_replay)  # the case guards replay through this name
    with on_day("2026-06-01"):
        r = page_as("officer").get("/")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert asking.case_number in html and "展期" in html
    assert quiet.case_number not in html
