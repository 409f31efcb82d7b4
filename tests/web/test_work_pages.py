"""What every user meets on the pages: where they are, names and Chinese in timelines, only the
documents they may open, lists with sortable columns, filter chips and the count."""

from __future__ import annotations

import re
from datetime import date

from loanflow.core.clock import business_date
from loanflow.extensions import db
from loanflow.loans.models import Loan
from loanflow.loans.testing.factories import disbursed_loan, fill_fund, free_households, open_loan


def _loans(users, amounts=("30000", "10000", "20000")) -> list[Loan]:
    fill_fund(users, "1000000.00")
    return [open_loan(users["clerk"], h, a) for h, a in zip(free_households(), amounts, strict=False)]


def _current(html: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)" aria-current="page">', html)


def test_the_menu_marks_where_the_user_is(page_as, users):
    _loans(users)
    officer = page_as("officer")
    assert _current(officer.get("/").get_data(as_text=True)) == ["/"]
    assert _current(officer.get("/loans").get_data(as_text=True)) == ["/loans"]
    loan_id = db.session.query(Loan.id).first()[0]
    assert _current(officer.get(f"/loans/{loan_id}").get_data(as_text=True)) == ["/loans"]
    assert _current(officer.get("/claims").get_data(as_text=True)) == ["/claims"]


def test_the_loan_list_sorts_by_a_column_both_ways(page_as, users):
    _loans(users)
    officer = page_as("officer")
    html = officer.get("/loans?sort=amount").get_data(as_text=True)
    assert 'aria-sort="ascending"' in html and 'href="/loans?sort=-amount"' in html
    up = [Loan.credited_amount or Loan.requested_amount for Loan in _rows(html)]
    down = [
        Loan.credited_amount or Loan.requested_amount
        for Loan in _rows(officer.get("/loans?sort=-amount").get_data(as_text=True))
    ]
    assert up == sorted(up) and down == sorted(down, reverse=True) and len(up) > 2


def _rows(html: str) -> list[Loan]:
    ids = [int(i) for i in re.findall(r'<td><a href="/loans/(\d+)">', html)]
    return [db.session.get(Loan, i) for i in ids]


def test_the_loan_list_shows_its_filters_as_chips_and_the_count(page_as, users):
    _loans(users)
    officer = page_as("officer")
    total = db.session.query(Loan).filter(Loan.state == "applied").count()
    html = officer.get("/loans?state=applied&sort=-amount").get_data(as_text=True)
    summary = html[html.index('class="list-summary"') :]
    assert f'<strong class="count">{total}</strong>' in summary
    chip = re.search(r'<a class="chip" href="([^"]+)"[^>]*>状态：已申请', summary)
    assert chip and chip.group(1) == "/loans?sort=-amount"  # the ✕ drops the filter, keeps the sort


def test_an_unknown_sort_is_ignored_not_a_500(page_as):
    assert page_as("officer").get("/loans?sort=-password").status_code == 200
    assert page_as("approver").get("/subsidies?sort=x").status_code == 200


def test_a_timeline_names_people_and_says_system_in_chinese(page_as, users):
    from loanflow.loans.sweep import run_sweep

    fill_fund(users)
    loan = disbursed_loan(users)
    with business_date(date(2027, 4, 1)):
        run_sweep()
        html = page_as("officer").get(f"/loans/{loan.id}").get_data(as_text=True)
    timeline = html[html.index('class="timeline"') :]
    assert users["officer"].full_name in timeline and users["officer2"].full_name in timeline
    assert "系统" in timeline and "每日逾期检查" in timeline
    assert "daily sweep" not in timeline and "system" not in timeline
    assert not re.search(r"\b(clerk|officer2?|approver)\b", timeline)


def test_a_supervisor_sees_no_link_to_a_document_that_would_be_refused(app, page_as, users, monkeypatch):
    monkeypatch.setitem(app.config, "ISSUE_DOCUMENTS_ON_ACTIONS", True)
    fill_fund(users)
    loan = disbursed_loan(users)
    assert page_as("clerk").post(f"/documents/loan/{loan.id}/receipt").status_code == 302
    html = page_as("supervisor").get(f"/loans/{loan.id}").get_data(as_text=True)
    docs = html[html.index("<h2>文书</h2>") :]
    links = re.findall(r'href="(/documents/loan/\d+/\d+)"', docs)
    for href in links:
        assert page_as("supervisor").get(href).status_code == 200
    assert "借款合同" in docs and "您的角色不能查看" in docs and links  # the receipt opens
    assert "/receipt" not in docs  # nor a receipt button they may not press


def test_the_officer_opens_every_document_link_shown(app, page_as, users, monkeypatch):
    monkeypatch.setitem(app.config, "ISSUE_DOCUMENTS_ON_ACTIONS", True)
    fill_fund(users)
    loan = disbursed_loan(users)
    assert page_as("clerk").post(f"/documents/loan/{loan.id}/receipt").status_code == 302
    officer = page_as("officer")
    html = officer.get(f"/loans/{loan.id}").get_data(as_text=True)
    links = re.findall(r'href="(/documents/loan/\d+/\d+)"', html)
    assert len(links) >= 2 and all(officer.get(h).status_code == 200 for h in links)


def test_the_pages_read_in_english_too(page_as, users):
    loan = _loans(users)[0]
    officer = page_as("officer")
    officer.get("/lang/en")
    html = officer.get(f"/loans/{loan.id}").get_data(as_text=True)
    assert "Household size" in html and "Earlier loans" in html and "from 90 points" in html
    html = officer.get("/loans?state=applied").get_data(as_text=True)
    assert "State: Applied" in html
    assert officer.get("/claims").status_code == 200


def test_a_hand_edited_list_address_still_answers_and_its_links_keep_every_parameter(page_as):
    """``?endpoint=…`` or ``?_method=…`` once broke every sort and filter link (a 500); a filter given
    twice lost its second value."""
    clerk = page_as("clerk")
    r = clerk.get("/loans?endpoint=x&_method=DELETE&state=applied&state=rated&sort=number&page=2")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    sort_link = re.search(r'href="(/loans\?[^"]*sort=-number[^"]*)"', html)
    assert sort_link, "the sort link of the sorted column"
    link = sort_link.group(1).replace("&amp;", "&")
    assert "endpoint=x" in link and "_method=DELETE" in link
    assert "state=applied" in link and "state=rated" in link and "page=" not in link
