"""Column types shared by every table: exact money and UTC timestamps on both databases."""

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import JSON, BigInteger, DateTime, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator

FEN = Decimal("0.01")

JSONType = JSON().with_variant(JSONB(), "postgresql")


class Money(TypeDecorator):
    """Yuan as ``Decimal`` in Python, integer fen in the database (exact on SQLite too)."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        d = Decimal(value)
        if d != d.quantize(FEN):
            raise ValueError(f"money with more than two decimals: {value}")
        return int(d * 100)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return (Decimal(int(value)) / 100).quantize(FEN, rounding=ROUND_HALF_UP)


class UtcDateTime(TypeDecorator):
    """Aware datetimes stored as naive UTC, so both databases give back the same instant."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC)


class Rate(TypeDecorator):
    """An annual rate (0.0300 = 3.00 %) as ``Decimal``, stored as its exact decimal string."""

    impl = String(20)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else str(Decimal(value))

    def process_result_value(self, value, dialect):
        return None if value is None else Decimal(value)
