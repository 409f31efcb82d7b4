"""``Idempotency-Key`` on POST: a retry gets the first answer and nothing is done twice.

The key and its answer are stored by the unit of work in the same transaction
as the action (``core.once``): after a crash a retry finds either the finished
answer (replayed, ``Idempotent-Replayed: true``) or nothing done, and runs. A
retry while the first attempt still runs is answered at once: 409 with
``Retry-After``. The same key with another body is 422. Error answers are not
stored (they wrote nothing; a lost race's 409 may be retried).
"""

from __future__ import annotations

import hashlib
from functools import wraps

from flask import g, request

from loanflow.api.errors import problem
from loanflow.core import once

MAX_KEY_LENGTH = 100


def _request_hash() -> str:
    return hashlib.sha256(
        request.method.encode() + request.path.encode() + b"\0" + request.get_data()
    ).hexdigest()


def idempotent(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if not key:
            return view(*args, **kwargs)
        if len(key) > MAX_KEY_LENGTH:
            return problem(
                422,
                "Unprocessable input",
                f"Idempotency-Key: at most {MAX_KEY_LENGTH} characters",
                errors={"Idempotency-Key": [f"at most {MAX_KEY_LENGTH} characters"]},
            )
        try:
            first = once.begin(g.user.id, key, _request_hash())
        except once.KeyReused:
            return problem(
                422,
                "Unprocessable input",
                "Idempotency-Key 已用于另一个请求 / the key was used with another request",
                errors={"Idempotency-Key": ["used with another request body"]},
            )
        except once.Busy:
            body, status, headers = problem(
                409, "Conflict", "同一请求仍在处理中，请稍后重试 / the same request is still being processed"
            )
            return body, status, {**headers, "Retry-After": str(once.RETRY_AFTER_SECONDS)}
        if first is not None:
            return once.replay(first)
        g.idempotency_key = key  # the action may store it under a UNIQUE constraint (repayments do)
        return view(*args, **kwargs)

    return wrapper
