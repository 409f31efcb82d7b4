"""marshmallow fields for the API's contract: money as decimal strings, codes with labels."""

from __future__ import annotations

import decimal

from marshmallow import ValidationError, fields, missing, validate

from loanflow.api.errors import language
from loanflow.core.domain.labels import label
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
        return None if value is None else format_money(decimal.Decimal(value))

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


# --- response fields: how a value is shown, and what the OpenAPI document says of it ---------------


class DecimalString(fields.Field):
    """A rate or another exact number as its decimal string (``"0.0435"``), never a float."""

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {}).update({"type": "string", "format": "decimal"})
        super().__init__(**kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else str(value)


class Label(fields.Field):
    """The label of another field's code in the client's language (``state`` → ``state_label``).

    ``source`` names the attribute whose code is labelled; an empty code has no label (null).
    """

    def __init__(self, kind: str, source: str, **kwargs):
        self.kind, self.source = kind, source
        kwargs.setdefault("metadata", {}).update({"type": "string"})
        kwargs.setdefault("allow_none", True)
        super().__init__(**kwargs)

    def get_value(self, obj, attr, accessor=None, default=missing):
        return super().get_value(obj, self.source, accessor, default)

    def _serialize(self, value, attr, obj, **kwargs):
        return label(self.kind, value, language()) if value else None


class MoneyOut(fields.Field):
    """Money in a response: yuan as a string with two decimals (``"50000.00"``; a balance may be
    negative); null where the amount is not known yet, unless ``allow_none=False``."""

    def __init__(self, **kwargs):
        meta = {"type": "string", "format": "decimal", "pattern": r"^-?\d+\.\d{2}$", "example": "50000.00"}
        kwargs.setdefault("metadata", {}).update(meta)
        kwargs.setdefault("allow_none", True)
        super().__init__(**kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else format_money(decimal.Decimal(value))
