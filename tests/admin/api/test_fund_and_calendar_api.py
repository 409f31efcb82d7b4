"""The admin's other operations through the API: a fund deposit and a calendar year; refusals; audit events."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from loanflow.audit.models import AuditEvent
from loanflow.calendar.models import CalendarYear
from loanflow.extensions import db
from loanflow.loans.models import FundEntry

pytestmark = pytest.mark.bare_demo
EN = {"Accept-Language": "en"}
DEPOSIT = {
    "county_code": "341503",
    "amount": "500000.00",
    "date": "2026-03-02",
    "reference": "裕财〔2026〕8号",
}
YEAR = {"year": 2027, "holidays": ["2027-01-01", "2027-01-02", "2027-01-03"], "workdays": ["2027-02-13"]}


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_a_deposit_is_audited_with_its_reference_and_raises_the_headroom(client, login):
    h = login("admin")
    assert client.post("/api/v1/fund/deposits", json=DEPOSIT, headers=h).status_code == 201
    (event,) = events("fund.deposit")
    assert event.actor == "admin" and event.after["reference"] == "裕财〔2026〕8号"
    assert event.after["amount"] == "500000.00"
    fund = client.get("/api/v1/fund", headers=h).json
    assert fund["balance"] == "500000.00"


def test_a_deposit_by_a_clerk_is_403_and_without_reference_is_422_and_nothing_is_written(client, login):
    assert client.post("/api/v1/fund/deposits", json=DEPOSIT, headers=login("clerk")).status_code == 403
    r = client.post(
        "/api/v1/fund/deposits", json={**DEPOSIT, "reference": ""}, headers={**login("admin"), **EN}
    )
    assert r.status_code == 422 and "reference" in r.json["errors"]
    assert db.session.scalars(select(FundEntry)).all() == [] and events("fund.deposit") == []


def test_a_calendar_year_entered_by_the_admin_is_audited_and_a_clerk_is_refused(client, login):
    assert client.post("/api/v1/calendar/years", json=YEAR, headers=login("clerk")).status_code == 403
    r = client.post(
        "/api/v1/calendar/years", json={**YEAR, "holidays": ["2027-02-30"]}, headers=login("admin")
    )
    assert r.status_code == 422 and "holidays" in str(r.json["errors"])
    assert db.session.get(CalendarYear, 2027) is None
    assert client.post("/api/v1/calendar/years", json=YEAR, headers=login("admin")).status_code == 201
    (event,) = events("calendar.enter")
    assert event.after["workdays"] == ["2027-02-13"] and event.before is None
