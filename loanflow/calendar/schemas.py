"""What ``/calendar/years`` takes and shows: a year's public holidays and make-up working days."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

_DATES = {"type": "array", "items": {"type": "string", "format": "date"}}


class CalendarYearIn(Schema):
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    holidays = fields.List(fields.Date(), load_default=list)
    workdays = fields.List(fields.Date(), load_default=list)


def _sorted(dates) -> list[str]:
    return [d.isoformat() for d in sorted(dates)]


class CalendarYearOut(Schema):
    """The year as entered, and how many provisional dates it made firm (by kind)."""

    year = fields.Integer()
    holidays = fields.Function(lambda t: _sorted(t.holidays), metadata=_DATES)
    workdays = fields.Function(lambda t: _sorted(t.workdays), metadata=_DATES)
    refirmed = fields.Dict(keys=fields.String(), values=fields.Integer())
