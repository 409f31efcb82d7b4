"""What ``/calendar/years`` takes and shows: a year's public holidays and make-up working days."""

from __future__ import annotations

from marshmallow import fields, validate

from loanflow.api.schema import Schema

_DATES = {"type": "array", "items": {"type": "string", "format": "date"}}
YEARS = validate.Range(min=2000, max=2100)  # calendar.services.FIRST_YEAR, LAST_YEAR


class CalendarYearPut(Schema):
    holidays = fields.List(fields.Date(), load_default=list)
    workdays = fields.List(fields.Date(), load_default=list)


class CalendarYearIn(CalendarYearPut):
    year = fields.Integer(required=True, validate=YEARS)


def _sorted(dates) -> list[str]:
    return [d.isoformat() for d in sorted(dates)]


class MovedDateOut(Schema):
    case_type = fields.String()
    case_id = fields.Integer()
    case_number = fields.String()
    what = fields.String()
    before = fields.Date(allow_none=True)
    after = fields.Date(allow_none=True)
    still_provisional = fields.Boolean()


class ApprovedInsidePeriodOut(Schema):
    case_id = fields.Integer()
    case_number = fields.String()
    approved_on = fields.Date()
    period_end = fields.Date()
    approval_opens = fields.Date()


class CalendarYearOut(Schema):
    """The year as entered, how many dates each feature recomputed, which moved, and the flags it raised."""

    year = fields.Function(lambda e: e.table.year, metadata={"type": "integer"})
    holidays = fields.Function(lambda e: _sorted(e.table.holidays), metadata=_DATES)
    workdays = fields.Function(lambda e: _sorted(e.table.workdays), metadata=_DATES)
    created = fields.Boolean()
    refirmed = fields.Dict(keys=fields.String(), values=fields.Integer())
    moved = fields.List(fields.Nested(MovedDateOut))
    approved_inside_period = fields.List(fields.Nested(ApprovedInsidePeriodOut))


class CalendarYearShown(Schema):
    year = fields.Integer()
    holidays = fields.Function(lambda t: _sorted(t["holidays"]), metadata=_DATES)
    workdays = fields.Function(lambda t: _sorted(t["workdays"]), metadata=_DATES)
    source = fields.String(metadata={"enum": ["entered", "library", "provisional"]})
