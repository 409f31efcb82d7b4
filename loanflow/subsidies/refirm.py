"""Subsidy dates firmed up when a calendar year is entered or corrected (``calendar_year_entered``).

A 公示 period and a stage deadline computed on a year not published yet were
provisional; once the year is entered (or a year they count is corrected) they
are computed again. Every date that moved is reported, and a case approved on a
day that the calendar as now known puts before its approval opened is flagged.
Runs in the caller's transaction (``calendar.services.enter_year``); nothing is
committed here.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, or_, select

from loanflow.core.domain.workdays import ApprovedInsidePeriod, MovedDate, Refirmed, WorkCalendar
from loanflow.extensions import db
from loanflow.subsidies.models import Publicity, SubsidyCase


def refirm_subsidy_dates(calendar: WorkCalendar, year: int | None = None) -> Refirmed:
    """Recompute the provisional 公示 periods and subsidy deadlines (and those counting ``year``'s days)."""
    out = Refirmed()
    periods = _refirm_periods(calendar, year, out)
    deadlines = _refirm_deadlines(calendar, year, out)
    out.counts.update(publicity_periods=periods, subsidy_deadlines=deadlines)
    return out


def _span(year: int | None) -> tuple[date, date] | None:
    return (date(year, 1, 1), date(year, 12, 31)) if year is not None else None


def _refirm_periods(calendar: WorkCalendar, year: int | None, out: Refirmed) -> int:
    which = Publicity.provisional.is_(True)
    span = _span(year)
    if span:
        which = or_(which, and_(Publicity.posted_on <= span[1], Publicity.approval_opens_on >= span[0]))
    count = 0
    for p in db.session.scalars(select(Publicity).where(which).order_by(Publicity.id)):
        period = calendar.publicity_period(p.posted_on, p.policy_days)
        for what, before, after in (
            ("publicity_end", p.end_on, period.end),
            ("approval_opens", p.approval_opens_on, period.approval_opens),
        ):
            if before != after:
                out.moved.append(
                    MovedDate("publicity", p.id, p.number, what, before, after, period.provisional)
                )
        p.start_on, p.end_on, p.approval_opens_on = period.start, period.end, period.approval_opens
        p.provisional = period.provisional
        approved = select(SubsidyCase).where(
            SubsidyCase.publicity_id == p.id,
            SubsidyCase.approved_on.is_not(None),
            SubsidyCase.approved_on < period.approval_opens,
        )
        for case in db.session.scalars(approved.order_by(SubsidyCase.id)):
            out.approved_inside_period.append(
                ApprovedInsidePeriod(
                    case.id, case.case_number, case.approved_on, period.end, period.approval_opens
                )
            )
        count += 1
    db.session.flush()
    return count


def _refirm_deadlines(calendar: WorkCalendar, year: int | None, out: Refirmed) -> int:
    which = SubsidyCase.stage_due_provisional.is_(True)
    span = _span(year)
    if span:
        which = or_(
            which,
            and_(
                SubsidyCase.stage_due_on.is_not(None),
                SubsidyCase.stage_started_on <= span[1],
                SubsidyCase.stage_due_on >= span[0],
            ),
        )
    count = 0
    for case in db.session.scalars(select(SubsidyCase).where(which).order_by(SubsidyCase.id)):
        on_list = case.state == "publicized" and case.publicity is not None
        base = case.publicity.end_on if on_list else case.stage_started_on
        due = calendar.add_working_days(base, case.stage_days or 0)
        provisional = due.provisional or (on_list and case.publicity.provisional)
        if due.date != case.stage_due_on:
            out.moved.append(
                MovedDate(
                    "subsidy",
                    case.id,
                    case.case_number,
                    "stage_due_on",
                    case.stage_due_on,
                    due.date,
                    provisional,
                )
            )
        case.stage_due_on, case.stage_due_provisional = due.date, provisional
        count += 1
    return count
