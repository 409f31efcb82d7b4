"""Keeping the rollup current: which townships changed, marking them, rebuilding them in the background.

What changes a township's figures: a case's move through the engine (every loan and subsidy action,
repayments, reversals, prepayments, compensation and the daily sweep included: they all go through
``Workflow.move``, which sends ``case_moved``), and rows written through the ORM — cases, households,
公示 lists, cap reservations (``after_flush``). The townships touched in a unit of work are marked dirty
just before it commits, in its own transaction (``before_commit``): the mark and the change commit
together, so no committed change is ever left unmarked. The mark takes the township's row lock for the
commit's last instant; a rebuild claims a township only through that lock, so a change whose commit
follows the claim marks it dirty again, and one committed before the claim is read by the rebuild.

Debounce: only the unit of work that turns a clean township dirty enqueues a rebuild (after its commit);
while it is dirty, further moves in it only keep the mark. The task claims every dirty township (clears
the mark), then rebuilds each from its cases, one commit each: a busy township is rebuilt at most once per
rebuild's duration however many moves it sees. The nightly job rebuilds every township (a safety net for
rows written outside the app), as does ``flask loanflow rebuild-dashboard``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from itertools import chain
from typing import Any

from flask import has_app_context
from sqlalchemy import bindparam, case, event, func, inspect, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from loanflow.calendar.services import work_calendar
from loanflow.core import clock, uow
from loanflow.core.regions import Region
from loanflow.core.tasks import enqueue_after_commit, task
from loanflow.core.types import UtcDateTime
from loanflow.extensions import db
from loanflow.households.models import Household
from loanflow.loans.models import Loan
from loanflow.subsidies.models import Publicity, SubsidyCap, SubsidyCase
from loanflow.supervision.dashboard.build import rebuild_township
from loanflow.supervision.dashboard.figures import WorkingDayCounter, in_region
from loanflow.supervision.dashboard.models import ROLLUP_TABLES, RollupTownship

log = logging.getLogger(__name__)

_TOUCHED = "loanflow.dashboard.touched"
_PLACED = (Loan, SubsidyCase, Household, Publicity)  # rows that carry their village code


def touch(session: Session, *village_codes: str | None) -> None:
    """The townships of these villages changed in the current unit of work."""
    session.info.setdefault(_TOUCHED, set()).update(c[:9] for c in village_codes if c and len(c) >= 9)


def case_moved(_sender: Any, *, case: Any, **_kwargs: Any) -> None:
    """``case_moved``: the case's township changed (its state, dates or money)."""
    touch(db.session(), case.village_code)


def places_written(_sender: Any, *, village_codes: Any, **_kwargs: Any) -> None:
    """``places_written``: rows written in bulk past the ORM (a register import) change these townships."""
    touch(db.session(), *village_codes)


def _after_flush(session: Session, _context: Any) -> None:
    villages, households = [], set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, _PLACED):  # where it is, and where it was if it moved (both townships change)
            villages.append(vars(obj).get("village_code"))
            villages += inspect(obj).attrs.village_code.history.deleted or ()
        elif isinstance(obj, SubsidyCap):
            households.add(vars(obj).get("household_id"))
    households.discard(None)
    if households:
        villages += (
            session.connection()
            .scalars(select(Household.village_code).where(Household.id.in_(households)))
            .all()
        )
    if villages:
        touch(session, *villages)


def _before_commit(session: Session) -> None:
    if not session.info.get(_TOUCHED):
        return
    if not has_app_context():  # a session of a script outside the app: the nightly rebuild counts it
        session.info.pop(_TOUCHED, None)
        return
    session.flush()  # the last changes' townships too
    codes = session.info.pop(_TOUCHED, set())
    if codes and mark_dirty(session, codes) and session is db.session():
        enqueue_after_commit(rebuild_dirty_townships)  # the app's unit of work (another session: the
        # mark stays, and the next change of the township, once the mark is stale, enqueues again)


def _forget(session: Session, previous: Any) -> None:
    if previous.parent is None:
        session.info.pop(_TOUCHED, None)


_T = RollupTownship.__table__
# A mark older than this has outlived the rebuild it enqueued (the task failed, or was never queued): the
# next change of the township marks it afresh and enqueues again — once per this long, not once per commit,
# however long the worker stays down. A rebuild claims its townships within seconds.
STALE_MARK = timedelta(minutes=10)
# Built once (every commit that moves a case runs it); ``codes`` expands to the townships touched. A clean
# township's mark, or a stale one, becomes ``now``; a recent mark is kept.
_NOW = bindparam("now", type_=UtcDateTime())
_MARK = (
    update(_T)
    .where(_T.c.code.in_(bindparam("codes", expanding=True)))
    .values(
        dirty_since=case(
            (
                _T.c.dirty_since.is_(None) | (_T.c.dirty_since <= bindparam("stale", type_=UtcDateTime())),
                _NOW,
            ),
            else_=_T.c.dirty_since,
        )
    )
    .returning(_T.c.code, _T.c.dirty_since)
)
# The township rows, locked in code order before they are written: every writer takes them in one order
# (a unit of work marking several, the claim of every dirty one), so none waits on another in a cycle.
_LOCK_IN_ORDER = (
    select(_T.c.code)
    .where(_T.c.code.in_(bindparam("codes", expanding=True)))
    .order_by(_T.c.code)
    .with_for_update()
)


def mark_dirty(session: Session, codes: set[str]) -> bool:
    """Mark the townships dirty (keeping an earlier mark); True when one of them was clean, or its mark
    is stale (the rebuild it asked for did not happen: it is asked again)."""
    now = clock.now()
    t = _T
    if len(codes) > 1:
        session.connection().execute(_LOCK_IN_ORDER, {"codes": sorted(codes)}).all()
    params = {"codes": sorted(codes), "now": now, "stale": now - STALE_MARK}
    rows = session.connection().execute(_MARK, params).all()
    turned = any(dirty == now for _code, dirty in rows)
    missing = codes - {code for code, _ in rows}
    if missing:
        dialect = session.get_bind().dialect.name
        ins = (postgresql if dialect == "postgresql" else sqlite).insert(t)
        session.connection().execute(
            ins.on_conflict_do_nothing(), [{"code": c, "dirty_since": now} for c in sorted(missing)]
        )
    return turned or bool(missing)


def claim(prefix: str = "", everything: bool = False) -> tuple[list[str], datetime]:
    """Take the dirty townships of the region (every one with ``everything``) for a rebuild: their marks
    are cleared and committed, so that a change committed from now on marks them again."""
    now = clock.now()
    t = RollupTownship.__table__
    region = in_region(t.c.code, prefix) if prefix else t.c.code.is_not(None)
    marked = region if everything else region & t.c.dirty_since.is_not(None)
    codes = list(db.session.scalars(select(t.c.code).where(marked).order_by(t.c.code).with_for_update()))
    if codes:  # locked in code order (as ``mark_dirty`` locks), then cleared
        db.session.execute(update(t).where(t.c.code.in_(codes)).values(dirty_since=None, claimed_at=now))
    uow.commit()
    return codes, now


def rebuild(codes: list[str], claimed_at: datetime) -> None:
    """Rebuild each township from its cases, one commit each. A township whose rebuild fails is marked
    dirty again (with the others not yet rebuilt) before the error goes on to the queue, which retries."""
    counter = WorkingDayCounter(work_calendar())
    for i, code in enumerate(codes):
        try:
            rebuild_township(code, claimed_at, counter)
            uow.commit()
        except Exception:
            db.session.rollback()
            db.session.execute(
                update(_T)
                .where(_T.c.code.in_(codes[i:]))
                .values(
                    dirty_since=func.coalesce(_T.c.dirty_since, bindparam("at", claimed_at, UtcDateTime()))
                )
            )
            uow.commit()
            raise


@task(retries=3, retry_delay=30)
def rebuild_dirty_townships() -> int:
    """The background task: rebuild every township marked dirty; how many."""
    codes, at = claim()
    rebuild(codes, at)
    if codes:
        log.info("dashboard rollup: rebuilt %s townships", len(codes))
    return len(codes)


def rebuild_all(prefix: str = "") -> int:
    """Rebuild every township of the region (all of them by default), whether marked or not; how many."""
    known = set(db.session.scalars(select(RollupTownship.code)))
    towns = select(Region.code).where(Region.level == "township")
    if prefix:
        towns = towns.where(in_region(Region.code, prefix))
    new = [c for c in db.session.scalars(towns) if c not in known]
    if new:
        mark_dirty(db.session(), set(new))
    codes, at = claim(prefix, everything=True)
    rebuild(codes, at)
    _vacuum()
    return len(codes)


def _vacuum() -> None:
    """After rewriting every row: fresh statistics and visibility map on PostgreSQL, so that the dashboard's
    reads are index-only scans planned for the tables' real sizes (autovacuum would come later)."""
    engine = db.engine
    if engine.dialect.name != "postgresql" or not isinstance(engine, Engine):  # a test's bound connection
        return
    names = ", ".join(t.__tablename__ for t in (*ROLLUP_TABLES, RollupTownship))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f"VACUUM ANALYZE {names}")


def calendar_year_entered(_sender: Any, **_kwargs: Any) -> None:
    """``calendar_year_entered``: the stages' working days may have changed: every township is rebuilt
    (marked when the entry commits, as every change is)."""
    touch(db.session(), *db.session.connection().scalars(select(_T.c.code)))


def init_app() -> None:
    """Connect the receivers that see the changes (the session events once per process)."""
    from loanflow.core import signals

    signals.case_moved.connect(case_moved)
    signals.places_written.connect(places_written)
    signals.calendar_year_entered.connect(calendar_year_entered)
    for name, fn in (("after_flush", _after_flush), ("before_commit", _before_commit)):
        if not event.contains(Session, name, fn):
            event.listen(Session, name, fn)
    if not event.contains(Session, "after_soft_rollback", _forget):
        event.listen(Session, "after_soft_rollback", _forget)
