"""The dashboard from the per-township rollup equals the dashboard counted from the cases, and stays so.

The county here is generated: the demo's cases cloned and scattered with a seeded random over the
county's townships, states, dates, amounts, due dates, register statuses and cap reservations,
written straight through the ORM (as no service would: the point is variety, not realism). The ORM
writes are seen by the rollup's keeping (``dashboard.keeping``: ``after_flush``), so the commit that
writes them rebuilds the townships they touched, and no rebuild is called here.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import delete, select

from loanflow.core import clock, uow
from loanflow.core.domain.labels import codes
from loanflow.core.regions import Region
from loanflow.extensions import db
from loanflow.households.models import Household
from loanflow.loans.models import LOAN_STATES, Loan
from loanflow.subsidies.models import SUBSIDY_STATES, Publicity, SubsidyCap, SubsidyCase
from loanflow.supervision.dashboard import keeping, rollup
from loanflow.supervision.dashboard.models import RollupStock, RollupTownship
from loanflow.supervision.dashboard.services import dashboard_from_cases, dashboard_from_rollup

OPEN_ENDED = ("repaid", "rejected", "withdrawn")
TOWNSHIPS = ("341503001", "341503002", "341503003", "341503004")


def _day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


def _maybe(rng: random.Random, value):
    return value if rng.random() < 0.8 else None


def _clone(row, **values):
    cls = type(row)
    kept = {c.key: getattr(row, c.key) for c in cls.__table__.columns if c.key not in ("id", "case_number")}
    return cls(**{**kept, **values})


def _scatter(rng: random.Random) -> None:
    villages = list(
        db.session.scalars(
            select(Region.code).where(Region.level == "village", Region.parent_code.in_(TOWNSHIPS))
        )
    )
    households = list(db.session.scalars(select(Household)))
    loan, case = db.session.scalars(select(Loan)).first(), db.session.scalars(select(SubsidyCase)).first()
    posted = list(db.session.scalars(select(Publicity.id)))
    for x in db.session.scalars(select(Loan)):
        x.state = "withdrawn"  # the demo's own loans stay, closed, so each household may have one open
    start, end = date(2024, 12, 1), date(2026, 9, 30)
    for n, h in enumerate(households):
        h.village_code = rng.choice(villages)
        h.status, h.monitoring = rng.choice(codes("status")), rng.choice(codes("monitoring"))
        for x in db.session.scalars(select(Loan).where(Loan.household_id == h.id)):
            x.village_code = h.village_code
        for x in db.session.scalars(select(SubsidyCase).where(SubsidyCase.household_id == h.id)):
            x.village_code = h.village_code
        opened = False
        for k in range(rng.randint(0, 4)):
            state = rng.choice([s for s in LOAN_STATES if opened is False or s in OPEN_ENDED])
            opened = opened or state not in OPEN_ENDED
            applied = _day(rng, start, end)
            rated = _maybe(rng, applied + timedelta(days=rng.randint(0, 40)))
            credited = rated and _maybe(rng, rated + timedelta(days=rng.randint(0, 30)))
            disbursed = credited and _maybe(rng, credited + timedelta(days=rng.randint(0, 25)))
            amount = Decimal(rng.choice(["5000.00", "20000.00", "30000.00", "12345.67"]))
            db.session.add(
                _clone(
                    loan,
                    case_number=f"DK-T-{n:04d}-{k}",
                    household_id=h.id,
                    village_code=h.village_code,
                    state=state,
                    applied_on=applied,
                    rated_on=rated,
                    credited_on=credited,
                    disbursed_on=disbursed,
                    credited_amount=amount if credited else None,
                    principal_outstanding=_maybe(rng, amount - Decimal(rng.randint(0, 4000))),
                    overdue_since=_maybe(rng, _day(rng, start, end)) if state == "overdue" else None,
                    stage_due_on=_maybe(rng, _day(rng, date(2026, 1, 1), date(2026, 10, 1))),
                )
            )
        for _k in range(rng.randint(0, 3)):
            applied = _day(rng, start, end)
            verified = _maybe(rng, applied + timedelta(days=rng.randint(0, 20)))
            approved = verified and _maybe(rng, verified + timedelta(days=rng.randint(5, 40)))
            db.session.add(
                _clone(
                    case,
                    household_id=h.id,
                    village_code=h.village_code,
                    state=rng.choice(SUBSIDY_STATES),
                    applied_on=applied,
                    verified_on=verified,
                    approved_on=approved,
                    disbursed_on=approved and _maybe(rng, approved + timedelta(days=rng.randint(0, 30))),
                    amount=Decimal(rng.choice(["600.00", "1500.00", "3000.00", "812.50"])),
                    publicity_id=verified and posted and _maybe(rng, rng.choice(posted)),
                    stage_due_on=_maybe(rng, _day(rng, date(2026, 1, 1), date(2026, 10, 1))),
                )
            )
        for period in ("2025", "2026"):
            if rng.random() < 0.4 and db.session.get(SubsidyCap, (h.id, period)) is None:
                reserved = Decimal(rng.choice(["0.00", "600.00", "2400.00", "3000.00"]))
                db.session.add(SubsidyCap(household_id=h.id, period=period, reserved=reserved))


PERIODS = [
    (date(2026, 1, 1), date(2026, 3, 10)),  # the year to date, ending inside a month
    (date(2025, 7, 15), date(2026, 2, 11)),  # both edges inside months, whole months between
    (date(2026, 2, 3), date(2026, 2, 17)),  # inside one month
    (date(2025, 1, 1), date(2025, 12, 31)),  # whole months only
    (date(2026, 3, 1), date(2026, 3, 31)),  # one whole month
]


@pytest.fixture
def scattered(county):
    _scatter(random.Random(5321))
    uow.commit()
    db.session.expire_all()
    return county


def _same(a, b) -> None:
    a = dataclasses.replace(a, figures_as_of=None, figures_current=True)
    b = dataclasses.replace(b, figures_as_of=None, figures_current=True)
    for f in dataclasses.fields(a):
        assert getattr(a, f.name) == getattr(b, f.name), f.name


@pytest.mark.parametrize("today", [date(2026, 3, 10), date(2026, 3, 8), date(2026, 9, 30)])
def test_the_rollup_gives_the_numbers_the_cases_give_for_every_region_period_and_day(scattered, today):
    county = db.session.get(Region, "341503")
    assert rollup.freshness("341503").current
    with clock.business_date(today):
        for region in [county, *(db.session.get(Region, t) for t in TOWNSHIPS[:2])]:
            for start, end in PERIODS:
                direct = dashboard_from_cases(region, start, end)
                _same(dashboard_from_rollup(region, start, end), direct)
    # the comparison compares something: the generated county has figures of every kind
    with clock.business_date(date(2026, 3, 10)):
        d = dashboard_from_cases(county, date(2025, 7, 15), date(2026, 2, 11))
    assert d.credited.count > 5 and d.disbursed.count > 5 and d.subsidies_paid.count > 2
    assert sum(b.count for b in d.overdue) > 2 and sum(t.total for t in d.stalled) > 5
    assert d.cap_households > 2 and 0 < d.households_with_loan < d.eligible_households
    assert all(s.cases > 0 for s in d.durations if (s.product, s.stage) != ("subsidy", "verified"))


def test_a_move_through_the_engine_rebuilds_its_township_after_the_commit(county):
    from loanflow.loans.testing.factories import disbursed_loan, free_households

    before = dashboard_from_rollup(db.session.get(Region, "341503"), date(2026, 1, 1), date(2026, 3, 10))
    household = free_households("341503001001")[0]
    disbursed_loan(county, "7000.00", 6, on=date(2026, 3, 2), household=household)  # commits each step
    county = db.session.get(Region, "341503")
    after = dashboard_from_rollup(county, date(2026, 1, 1), date(2026, 3, 10))
    assert after.disbursed.count == before.disbursed.count + 1
    assert after.disbursed.amount == before.disbursed.amount + Decimal("7000.00")
    _same(after, dashboard_from_cases(county, date(2026, 1, 1), date(2026, 3, 10)))
    state = db.session.get(RollupTownship, "341503001")
    assert state.dirty_since is None and state.built_at == state.claimed_at


def test_only_the_commit_that_dirties_a_clean_township_enqueues_a_rebuild(county):
    session = db.session()
    assert keeping.mark_dirty(session, {"341503001"}) is True
    assert keeping.mark_dirty(session, {"341503001"}) is False  # already waiting: no second rebuild
    assert not rollup.freshness("341503001").current
    codes, claimed_at = keeping.claim()
    assert "341503001" in codes
    assert rollup.freshness("341503001").current is False  # claimed, not yet built
    keeping.rebuild(codes, claimed_at)
    assert rollup.freshness("341503001").current


def test_a_region_whose_rollup_was_never_built_is_counted_from_its_cases(client, login, county):
    """After the migration every township has a state row and no rows yet: the dashboard counts the cases
    (and says so: its figures are as of now) until ``flask loanflow rebuild-dashboard`` has run."""
    headers = login("supervisor")
    built = client.get("/api/v1/dashboard", headers=headers).json
    state = db.session.get(RollupTownship, "341503001")
    state.built_at = state.claimed_at = None  # as the migration leaves it: listed, never built
    db.session.execute(delete(RollupStock).where(RollupStock.township == "341503001"))
    uow.commit()
    assert rollup.freshness("341503").as_of is None
    unbuilt = client.get("/api/v1/dashboard", headers=headers).json
    for key in ("loans_by_state", "loan_amounts", "stage_durations", "loan_coverage", "subsidy_amounts"):
        assert unbuilt[key] == built[key], key
    assert built["figures_current"] is True and built["figures_as_of"]
    keeping.rebuild_all()
    assert client.get("/api/v1/dashboard", headers=headers).json["figures_current"] is True


def test_the_page_says_when_its_figures_are_from(page_as, county):
    html = page_as("supervisor").get("/supervision/dashboard").get_data(as_text=True)
    assert "数据截至" in html


def test_a_register_import_written_past_the_orm_marks_and_rebuilds_its_township(client, login, county):
    """The import writes households by COPY / multi-row INSERT, which no flush sees: it names its villages
    (``places_written``) and the township's households are in the rollup once the import commits."""
    import io

    from loanflow.households.testing.register_sheets import csv_bytes, member_rows

    town = db.session.get(Region, "341503001")
    before = dashboard_from_rollup(town, date(2026, 1, 1), date(2026, 3, 10)).eligible_households
    body = {
        "file": (io.BytesIO(csv_bytes(member_rows(4, "341503001001", start=900))), "r.csv"),
        "dry_run": "false",
    }
    r = client.post(
        "/api/v1/households/import", data=body, headers=login("clerk"), content_type="multipart/form-data"
    )
    assert r.status_code == 201, r.json
    town = db.session.get(Region, "341503001")
    after = dashboard_from_rollup(town, date(2026, 1, 1), date(2026, 3, 10))
    assert after.eligible_households == before + 4
    _same(after, dashboard_from_cases(town, date(2026, 1, 1), date(2026, 3, 10)))


def test_a_failed_rebuild_marks_its_townships_again_and_a_stale_mark_asks_again(county, monkeypatch):
    from loanflow.supervision.dashboard import build

    session = db.session()
    keeping.mark_dirty(session, {"341503001", "341503002"})
    uow.commit()
    codes, claimed_at = keeping.claim()
    assert codes == ["341503001", "341503002"]
    real = keeping.rebuild_township

    def fails_on_the_second(code, at, counter=None):
        if code == "341503002":
            raise RuntimeError("the database went away")
        return real(code, at, counter)

    monkeypatch.setattr(keeping, "rebuild_township", fails_on_the_second)
    with pytest.raises(RuntimeError):
        keeping.rebuild(codes, claimed_at)
    assert db.session.get(RollupTownship, "341503001").dirty_since is None  # rebuilt before the failure
    assert db.session.get(RollupTownship, "341503002").dirty_since is not None  # waits for the retry
    monkeypatch.setattr(keeping, "rebuild_township", build.rebuild_township)
    assert keeping.mark_dirty(session, {"341503002"}) is False  # a fresh mark: its rebuild is pending
    t = RollupTownship.__table__  # … and long past: the rebuild it asked for never came
    marked = db.session.scalar(select(t.c.dirty_since).where(t.c.code == "341503002"))
    db.session.execute(
        t.update().where(t.c.code == "341503002").values(dirty_since=marked - keeping.STALE_MARK)
    )
    uow.commit()
    assert keeping.mark_dirty(session, {"341503002"}) is True  # asked again
    assert keeping.mark_dirty(session, {"341503002"}) is False  # once: the mark is fresh again
