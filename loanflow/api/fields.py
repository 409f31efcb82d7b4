"""marshmallow fields for the API's contract: money as decimal strings, codes with labels."""

from __future__ import annotations

from decimal import Decimal

from marshmallow import ValidationError, fields, validate

from loanflow.core.domain.money import MoneyError, format_money, parse_money


class Money(fields.Field):
    """Yuan as a string with at most two decimals ("50000.00"); a JSON number is refused."""

    def __init__(self, **kwargs):
        meta = {
            "type": "string",
            "format": "decimal",
            "pattern": r"^\d{1,12}(\.\d{1,2})?$",
            "example": "50000.00",
        }
        kwargs.setdefault("metadata", {}).update(meta)
        super().__init__(**kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else format_money(Decimal(value))

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return parse_money(value)
        except MoneyError as e:
            raise ValidationError(str(e.reason.zh) + " / " + str(e.reason.en)) from e


class Code(fields.String):
    """A code of DOMAIN.md's tables, checked against its allowed values."""

    def __init__(self, choices, **kwargs):
        from marshmallow.validate import OneOf

        kwargs.setdefault("metadata", {})["enum"] = list(choices)
        super().__init__(validate=OneOf(list(choices)), **kwargs)


MAX_ID = 2**31 - 1  # ids are 32-bit integers in PostgreSQL; larger numbers name nothing


class Id(fields.Integer):
    """A row id: a whole number from 1 to 2³¹−1 (a larger one is refused, never an overflow)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("strict", True)
        kwargs.setdefault("validate", validate.Range(min=1, max=MAX_ID))
        super().__init__(**kwargs)
