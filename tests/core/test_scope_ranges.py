"""A branch's townships as few index ranges as it takes (``core.scope.any_prefix``): whatever the set,
the villages kept are exactly those of the branch's townships (issue 14)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, MetaData, String, Table, select

from loanflow.core.regions import Region
from loanflow.core.scope import MAX_RANGES, any_prefix
from loanflow.extensions import db

pytestmark = pytest.mark.bare_demo

# Codes of a county beside the demo's real ones: the next county's first townships, a township past the
# demo's last, one ending in 999 (its range ends in the next thousand).
EXTRA = ["341503999", "341504001", "341504002", "341599998"]


@pytest.fixture
def villages(demo) -> list[str]:
    codes = list(db.session.scalars(select(Region.code).where(Region.level == "village")))
    return sorted(codes + [t + "001" for t in EXTRA] + [t + "002" for t in EXTRA])


def _kept(villages: list[str], townships: list[str]) -> list[str]:
    """The codes the filter keeps, asked of the database (a temporary table of the codes)."""
    probe = Table("scope_probe", MetaData(), Column("code", String(12)), prefixes=["TEMPORARY"])
    conn = db.session.connection()
    probe.create(conn, checkfirst=True)
    conn.execute(probe.delete())
    conn.execute(probe.insert(), [{"code": v} for v in villages])
    return sorted(conn.scalars(select(probe.c.code).where(any_prefix(probe.c.code, townships))))


def _expected(villages: list[str], townships: list[str]) -> list[str]:
    return sorted(v for v in villages if v[:9] in townships)


def _sql(townships: list[str]) -> str:
    return str(any_prefix(Region.code, townships).compile(compile_kwargs={"literal_binds": True}))


def test_ten_neighbouring_townships_are_one_range(villages):
    towns = [f"341503{n:03d}" for n in range(1, 11)]
    assert _sql(towns) == "region.code >= '341503001' AND region.code < '341503011'"
    assert _kept(villages, towns) == _expected(villages, towns)


def test_runs_of_neighbours_are_a_range_each_and_a_range_may_end_in_the_next_thousand(villages):
    towns = ["341503001", "341503002", "341503005", "341503999", "341504000"]
    sql = _sql(towns)
    assert sql.count(" OR ") == 2 and "'341504001'" in sql  # 999 and the next county's 000 are one run
    assert _kept(villages, towns) == _expected(villages, towns)


def test_many_runs_are_their_hull_with_each_row_tested(villages):
    towns = [f"341503{n:03d}" for n in range(1, 2 * (MAX_RANGES + 1), 2)]  # every other township
    sql = _sql(towns)
    assert " OR " not in sql and "substr(region.code, 1, 9) IN" in sql
    assert _kept(villages, towns) == _expected(villages, towns)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_set_of_townships_keeps_exactly_their_villages(villages, data):
    towns = sorted({v[:9] for v in villages})
    chosen = data.draw(st.lists(st.sampled_from(towns), min_size=1, max_size=len(towns), unique=True))
    assert _kept(villages, chosen) == _expected(villages, chosen)
