"""GET /api/v1/dashboard: the numbers equal counts made here, case by case, from the rows themselves."""

from __future__ import annotations

import statistics
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from loanflow.calendar.services import work_calendar
from loanflow.core import clock
from loanflow.extensions import db
from loanflow.households.models import Household
from loanflow.loans.models import Loan
from loanflow.subsidies.models import Publicity, SubsidyCap, SubsidyCase

D = Decimal
TODAY = date(2026, 3, 10)
LENT = ("disbursed", "overdue", "recalled", "compensation_claimed")


def _in(prefix: str, rows):
    return [r for r in rows if r.village_code.startswith(prefix)]


def expected(prefix: str, start: date, end: date) -> dict:
    """The dashboard counted by hand: every case read as an object and tested in Python."""
    loans = _in(prefix, db.session.scalars(select(Loan)))
    subsidies = _in(prefix, db.session.scalars(select(SubsidyCase)))

    def within(d):
        return d is not None and start <= d <= end

    def owed(loan):
        return loan.principal_outstanding if loan.principal_outstanding is not None else loan.credited_amount

    bands = {"1-30": (1, 30), "31-90": (31, 90), "91-180": (91, 180), "180+": (181, 10**6)}
    overdue = {}
    for band, (low, high) in bands.items():
        hit = [x for x in loans if x.state == "overdue" and low <= (TODAY - x.overdue_since).days <= high]
        overdue[band] = (len(hit), sum((owed(x) for x in hit), D("0.00")))
    households = _in(prefix, db.session.scalars(select(Household)))
    lent_to = {x.household_id for x in loans if x.disbursed_on is not None and x.disbursed_on <= end}
    kept = [x for x in subsidies if x.state in ("approved", "disbursed")]
    return {
        "loan_states": {s: sum(1 for x in loans if x.state == s) for s in {x.state for x in loans}},
        "subsidy_states": {
            s: sum(1 for x in subsidies if x.state == s) for s in {x.state for x in subsidies}
        },
        "stalled": sum(
            1 for x in [*loans, *subsidies] if x.stage_due_on is not None and x.stage_due_on < TODAY
        ),
        "credited": [x.credited_amount for x in loans if within(x.credited_on)],
        "disbursed": [x.credited_amount for x in loans if within(x.disbursed_on)],
        "outstanding": [owed(x) for x in loans if x.state in LENT],
        "overdue": overdue,
        "approved": [x.amount for x in kept if within(x.approved_on)],
        "paid": [x.amount for x in kept if within(x.disbursed_on)],
        "coverage": (len(households), len({h.id for h in households} & lent_to)),
    }


def _count_amount(body: dict, amounts: list) -> None:
    assert body == {"count": len(amounts), "amount": format(sum(amounts, D("0.00")), "f")}


def _check(body: dict, want: dict) -> None:
    assert {r["state"]: r["count"] for r in body["loans_by_state"] if r["count"]} == want["loan_states"]
    assert {r["state"]: r["count"] for r in body["subsidies_by_state"] if r["count"]} == want[
        "subsidy_states"
    ]
    assert sum(r["total"] for r in body["stalled_by_township"]) == want["stalled"]
    for key in ("credited", "disbursed", "outstanding"):
        _count_amount(body["loan_amounts"][key], want[key])
    _count_amount(body["subsidy_amounts"]["approved"], want["approved"])
    _count_amount(body["subsidy_amounts"]["paid"], want["paid"])
    got = {r["band"]: (r["count"], D(r["principal"])) for r in body["overdue_by_age"]}
    assert got == want["overdue"]
    coverage = body["loan_coverage"]
    assert (coverage["eligible_households"], coverage["households_with_loan"]) == want["coverage"]


def test_the_county_dashboard_equals_the_cases_counted_one_by_one(client, login, county):
    r = client.get("/api/v1/dashboard", headers=login("supervisor"))
    assert r.status_code == 200, r.get_data(as_text=True)
    body = r.json
    assert (body["region"]["code"], body["from"], body["to"], body["as_of"]) == (
        "341503",
        "2026-01-01",
        "2026-03-10",
        "2026-03-10",
    )
    want = expected("341503", date(2026, 1, 1), TODAY)
    _check(body, want)
    # the cases built here are in it, and the demo's late cases are stalled, so nothing is trivially zero
    assert want["stalled"] >= 3 and len(want["paid"]) >= 2 and D("30000.00") in want["disbursed"]
    assert want["overdue"]["31-90"][0] == 1 and want["overdue"]["180+"][0] == 1
    assert len(body["stalled_by_township"]) == 11
    share = D(body["loan_coverage"]["share_percent"])
    assert share == (D(100) * want["coverage"][1] / want["coverage"][0]).quantize(D("0.1"))


def test_stalled_per_township_names_each_township_with_its_own_late_cases(client, login, county):
    body = client.get("/api/v1/dashboard", headers=login("supervisor")).json
    for row in body["stalled_by_township"]:
        want = expected(row["township"], date(2026, 1, 1), TODAY)["stalled"]
        assert row["total"] == want == row["loans"] + row["subsidies"]


def test_a_period_narrows_the_flows_but_not_what_stands_today(client, login, county):
    body = client.get("/api/v1/dashboard?from=2026-02-01&to=2026-02-28", headers=login("supervisor")).json
    _check(body, expected("341503", date(2026, 2, 1), date(2026, 2, 28)))
    assert body["loan_amounts"]["disbursed"]["count"] >= 1  # the loan of 2 February


def test_a_township_supervisor_sees_their_township_and_nothing_else(
    client, login, county, township_a_supervisor
):
    headers = login("supervisor_a")
    body = client.get("/api/v1/dashboard", headers=headers).json
    assert body["region"]["code"] == "341503001"
    _check(body, expected("341503001", date(2026, 1, 1), TODAY))
    assert [r["township"] for r in body["stalled_by_township"]] == ["341503001"]
    county_body = client.get("/api/v1/dashboard", headers=login("supervisor")).json
    # township B's stalled cases count for the county and never for township A's supervisor
    assert expected("341503002", date(2026, 1, 1), TODAY)["stalled"] > 0
    assert (
        sum(r["total"] for r in county_body["stalled_by_township"]) > body["stalled_by_township"][0]["total"]
    )
    for region in ("341503", "341503002", "341502"):
        r = client.get(f"/api/v1/dashboard?region={region}", headers=headers)
        assert r.status_code == 404, region


def test_the_county_supervisor_may_look_at_one_township(client, login, county):
    body = client.get("/api/v1/dashboard?region=341503002", headers=login("supervisor")).json
    assert body["region"] == {"code": "341503002", "name": "韩摆渡镇", "level": "township"}
    _check(body, expected("341503002", date(2026, 1, 1), TODAY))


def test_median_working_days_per_stage_are_those_of_the_cases(client, login, county):
    body = client.get("/api/v1/dashboard", headers=login("supervisor")).json
    cal, start = work_calendar(), date(2026, 1, 1)
    loans = list(db.session.scalars(select(Loan)))
    stages = {
        "applied": ("applied_on", "rated_on"),
        "rated": ("rated_on", "credited_on"),
        "credited": ("credited_on", "disbursed_on"),
    }
    got = {
        (r["product"], r["stage"]): (r["cases"], r["median_working_days"]) for r in body["stage_durations"]
    }
    for stage, (a, b) in stages.items():
        days = [
            cal.working_days_between(getattr(x, a), getattr(x, b)).days
            for x in loans
            if getattr(x, a) and getattr(x, b) and start <= getattr(x, b) <= TODAY
        ]
        assert got[("loan", stage)] == (len(days), statistics.median(days) if days else None), stage
    cases = list(db.session.scalars(select(SubsidyCase)))
    posted = {p.id: p for p in db.session.scalars(select(Publicity))}
    days = [
        cal.working_days_between(posted[x.publicity_id].end_on, x.approved_on).days
        for x in cases
        if x.approved_on and x.publicity_id and start <= x.approved_on <= TODAY
    ]
    assert days and got[("subsidy", "publicized")] == (len(days), statistics.median(days))


def test_the_caps_show_what_households_reserved_this_year(client, login, county):
    cap = client.get("/api/v1/dashboard", headers=login("supervisor")).json["subsidy_amounts"]["cap"]
    rows = [
        r for r in db.session.scalars(select(SubsidyCap).where(SubsidyCap.period == "2026")) if r.reserved > 0
    ]
    assert cap["period"] == "2026" and cap["household_cap"] == "3000.00"
    assert (cap["households"], D(cap["reserved"])) == (len(rows), sum((r.reserved for r in rows), D("0.00")))
    assert D(cap["cap_total"]) == D("3000.00") * len(rows)
    assert cap["households_at_cap"] == sum(1 for r in rows if r.reserved >= D("3000.00"))


@pytest.mark.parametrize("username", ["clerk", "officer", "approver", "approver2", "admin"])
def test_only_supervisors_see_the_dashboard_and_the_report(client, login, demo, username):
    headers = login(username)
    assert client.get("/api/v1/dashboard", headers=headers).status_code == 403
    assert client.get("/api/v1/reports/monthly?month=2026-02", headers=headers).status_code == 403


def test_without_a_token_it_is_401(client, demo):
    assert client.get("/api/v1/dashboard").status_code == 401


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("region=34150", "region"),
        ("region=abc", "region"),
        ("from=2026-13-01", "from"),
        ("from=2026-03-01&to=2026-02-01", "from"),
    ],
)
def test_bad_input_is_422_naming_the_field(client, login, demo, query, field):
    r = client.get(f"/api/v1/dashboard?{query}", headers=login("supervisor"))
    assert r.status_code == 422, r.get_data(as_text=True)
    assert r.content_type.startswith("application/problem+json")
    assert field in str(r.json.get("errors", {})), r.json


def test_today_moves_the_overdue_ages(client, login, county):
    headers = login("supervisor")
    now = {
        r["band"]: r["count"] for r in client.get("/api/v1/dashboard", headers=headers).json["overdue_by_age"]
    }
    assert sum(now.values()) >= 1
    with clock.business_date(TODAY + timedelta(days=200)):
        later = client.get("/api/v1/dashboard?from=2026-01-01&to=2026-09-26", headers=headers).json
    assert {r["band"]: r["count"] for r in later["overdue_by_age"]}["180+"] == sum(now.values())


def test_working_days_by_subtraction_agree_with_the_calendar_over_holidays_and_make_up_days():
    from collections import Counter

    from loanflow.core.domain.workdays import WorkCalendar
    from loanflow.supervision.dashboard.figures import WorkingDayCounter

    cal = WorkCalendar()
    counter = WorkingDayCounter(cal)
    # the Spring Festival of 2026 (15–23 February off, 14 and 28 February worked)
    starts = [date(2026, 2, 1) + timedelta(days=i) for i in range(40)]
    spans = Counter({(a, a + timedelta(days=k)): 1 for a in starts for k in (0, 3, 9, 20)})
    want = sorted(cal.working_days_between(a, b).days for a, b in spans.elements())
    assert counter.median(spans) == statistics.median(want)
    for a, b in spans:
        assert counter.between(a, b) == cal.working_days_between(a, b).days, (a, b)
    assert counter.median(Counter()) is None


def test_households_the_policy_does_not_admit_are_left_out_of_the_loan_coverage(client, login, county, users):
    from loanflow.core import uow
    from loanflow.core.domain.policy import default_policy_document
    from loanflow.policy.services import publish_policy

    document = default_policy_document()
    document["loan"]["admitted_statuses"] = ["not_out", "relapsed"]  # households out of poverty no longer
    publish_policy(users["admin"], document, "test: 已脱贫户不再纳入")
    uow.commit()
    coverage = client.get("/api/v1/dashboard", headers=login("supervisor")).json["loan_coverage"]
    households = list(db.session.scalars(select(Household)))
    eligible = {h.id for h in households if h.status != "out" or h.monitoring != "none"}
    lent = {x.household_id for x in db.session.scalars(select(Loan)) if x.disbursed_on is not None}
    assert 0 < len(eligible) < len(households)
    assert (coverage["eligible_households"], coverage["households_with_loan"]) == (
        len(eligible),
        len(eligible & lent),
    )


def test_under_a_campaign_policy_the_caps_are_the_campaigns(client, login, county):
    """The ledger keeps a campaign's reservations under ``campaign:<code>``: the dashboard once looked for
    ``campaign`` and showed every cap figure as 0."""
    from loanflow.policy.services import current_policy, publish_policy

    document = current_policy().document
    subsidy = {**document["subsidy"], "cap_period": "campaign", "campaign": "2026-2027"}
    publish_policy(None, {**document, "subsidy": subsidy}, "campaign cap")
    household = db.session.scalar(select(Household).where(Household.village_code.startswith("341503")))
    db.session.add(SubsidyCap(household_id=household.id, period="campaign:2026-2027", reserved=D("600.00")))
    db.session.flush()
    cap = client.get("/api/v1/dashboard", headers=login("supervisor")).json["subsidy_amounts"]["cap"]
    assert cap["period"] == "campaign:2026-2027"
    assert cap["households"] == 1 and D(cap["reserved"]) == D("600.00")


def test_the_dashboard_counts_a_case_stalled_by_the_queues_rule_not_over_a_weekend(county):
    """A Friday's due date is not stalled on Sunday (the stalled queue's rule); the dashboard and the
    monthly report once counted it from Saturday."""
    from loanflow.supervision.dashboard.services import stalled_by_township

    def total(today):
        return sum(t.total for t in stalled_by_township("341503", today))

    loan = db.session.scalar(
        select(Loan).where(Loan.village_code.startswith("341503"), Loan.state == "applied")
    )
    loan.stage_due_on = date(2027, 1, 1)
    db.session.flush()
    before = total(date(2026, 3, 8))
    loan.stage_due_on = date(2026, 3, 6)  # a Friday
    db.session.flush()
    assert total(date(2026, 3, 8)) == before  # Sunday: not stalled yet
    assert total(date(2026, 3, 10)) >= before + 1  # Tuesday: Monday, a working day, has passed
