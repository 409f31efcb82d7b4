"""The stored answers to POSTs with an Idempotency-Key (the table lives with ``core.once``)."""

from loanflow.core.once import IdempotencyRecord

__all__ = ["IdempotencyRecord"]
