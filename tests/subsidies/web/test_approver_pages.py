"""The approver's pages: publicize ticks only the case at hand, the 公示 list prints, a list is approved
and paid in one step case by case, and one case number everywhere."""

from __future__ import annotations

import re
from datetime import date

import pytest

from loanflow.audit.models import AuditEvent
from loanflow.core import uow
from loanflow.core.clock import business_date
from loanflow.extensions import db
from loanflow.subsidies import publicity as publicity_service
from loanflow.subsidies import services
from loanflow.subsidies.models import Publicity, SubsidyCase
from loanflow.subsidies.testing.factories import fresh_household

VILLAGE = "341503001001"
START = date(2026, 3, 2)


def _verified(users, n: int, verifier: str = "approver") -> list[int]:
    ids = []
    for i in range(n):
        h = fresh_household(VILLAGE, f"批量户{i}", account=f"62179912345678901{i:02d}")
        with business_date(START):
            case = services.apply_for_subsidy(
                users["clerk"], {"household_id": h.id, "industry": "pig", "quantity": "2", "consent": True}
            )
            uow.commit()
            services.verify_case(users[verifier], case.id, {"verified_quantity": "2", "note": "核验"})
            uow.commit()
        ids.append(case.id)
    return ids


def test_publicize_ticks_nothing_but_offers_a_select_all(page_as, users):
    ids = _verified(users, 3)
    with business_date(START):
        html = page_as("approver").get(f"/subsidies/{ids[0]}").get_data(as_text=True)
    form = html[html.index('id="action-publicize"') :]
    form = form[: form.index("</form>")]
    boxes = re.findall(r'<input type="checkbox" name="case_ids" value="(\d+)"([^>]*)>', form)
    offered = {int(v) for v, _ in boxes}
    assert set(ids[1:]) <= offered and ids[0] not in offered
    assert all("checked" not in rest for _, rest in boxes)
    assert "data-select-all" in form and f"全选（{len(boxes)} 件）" in form
    assert db.session.get(SubsidyCase, ids[0]).case_number in form


def test_publicize_without_ticks_posts_only_the_case_at_hand(page_as, users):
    ids = _verified(users, 3)
    with business_date(START):
        assert page_as("approver").post(f"/subsidies/{ids[0]}/publicize", data={}).status_code == 302
    states = [db.session.get(SubsidyCase, i).state for i in ids]
    assert states == ["publicized", "verified", "verified"]


def _posted(users, ids) -> Publicity:
    with business_date(START):
        p = publicity_service.publicize_cases(users["approver"], ids[0], ids[1:])
        uow.commit()
    return p


def test_the_publicity_page_links_its_pdf_and_a_print_button_and_numbers_cases_alike(page_as, users):
    ids = _verified(users, 2)
    p = _posted(users, ids)
    approver = page_as("approver")
    with business_date(START):
        html = approver.get(f"/publicity/{p.id}").get_data(as_text=True)
        pdf = approver.get(f"/publicity/{p.id}/pdf")
        case_html = approver.get(f"/subsidies/{ids[0]}").get_data(as_text=True)
    number = db.session.get(SubsidyCase, ids[0]).case_number
    assert re.fullmatch(r"JB-2026-\d{6}", number)
    assert f'href="/publicity/{p.id}/pdf"' in html and "data-print" in html and "打印" in html
    assert number in html and f"<h1>{number} " in case_html and "奖补案件" not in case_html
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")


def test_the_list_index_is_newest_first_and_shows_no_empty_list(page_as, users):
    a, b, c = _verified(users, 3)
    with business_date(START):
        first = publicity_service.publicize_cases(users["approver"], a)
        uow.commit()
        services.close_case(users["approver"], a, "reject", "核验不符")
        uow.commit()
    with business_date(date(2026, 3, 9)):
        second = publicity_service.publicize_cases(users["approver"], b)
        uow.commit()
    with business_date(date(2026, 3, 16)):
        third = publicity_service.publicize_cases(users["approver"], c)
        uow.commit()
        html = page_as("approver").get("/publicity").get_data(as_text=True)
    links = re.findall(r'href="/publicity/(\d+)"', html)
    assert links[:2] == [str(third.id), str(second.id)]
    assert str(first.id) not in links  # its only line was taken off


def test_one_step_approves_every_case_of_the_list_and_reports_each(page_as, users):
    ids = _verified(users, 2) + _verified(users, 1, verifier="approver2")
    p = _posted(users, ids)
    approver2 = page_as("approver2")
    with business_date(p.approval_opens_on):
        html = approver2.get(f"/publicity/{p.id}").get_data(as_text=True)
        assert "审批这 3 件案件" in html
        r = approver2.post(f"/publicity/{p.id}/approve", data={})
    html = r.get_data(as_text=True)
    states = [db.session.get(SubsidyCase, i).state for i in ids]
    assert r.status_code == 200 and states == ["approved", "approved", "publicized"]
    result = html[html.index('id="batch-result"') :]
    assert result.count("已办理") == 2 and "未办理" in result and "四眼" in result
    assert "共 3 件，已办理 2 件。" in html
    events = db.session.query(AuditEvent).filter(AuditEvent.action == "subsidy.approve").all()
    assert sorted(int(e.entity_id) for e in events if int(e.entity_id) in ids) == sorted(ids[:2])


def test_one_step_pays_the_approved_cases_with_the_batchs_reference(page_as, users):
    ids = _verified(users, 2)
    p = _posted(users, ids)
    approver2 = page_as("approver2")
    day = p.approval_opens_on
    with business_date(day):
        approver2.post(f"/publicity/{p.id}/approve", data={})
        bad = approver2.post(f"/publicity/{p.id}/disburse", data={"date": day.isoformat()})
        assert bad.status_code == 422 and "payment_reference" in bad.get_data(as_text=True)
        r = approver2.post(
            f"/publicity/{p.id}/disburse", data={"date": day.isoformat(), "payment_reference": "PL-0001"}
        )
    cases = [db.session.get(SubsidyCase, i) for i in ids]
    assert r.status_code == 200 and [c.state for c in cases] == ["disbursed", "disbursed"]
    assert {c.payment_reference for c in cases} == {"PL-0001"}


@pytest.mark.parametrize("role", ["clerk", "bank_officer"])
def test_only_an_approver_is_offered_the_one_step(page_as, users, role):
    ids = _verified(users, 1)
    p = _posted(users, ids)
    who = {"clerk": "clerk", "bank_officer": "officer"}[role]
    with business_date(p.approval_opens_on):
        client = page_as(who)
        html = client.get(f"/publicity/{p.id}").get_data(as_text=True)
        r = client.post(f"/publicity/{p.id}/approve", data={})
        pay = client.post(f"/publicity/{p.id}/disburse", data={})  # 403 before the missing fields' 422
        assert client.post(f"/publicity/{p.id}/pay-twice", data={}).status_code == 404
    assert pay.status_code == 403
    assert "batch-approve" not in html
    assert db.session.get(SubsidyCase, ids[0]).state == "publicized"
    assert r.status_code == 403
