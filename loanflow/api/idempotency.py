"""``Idempotency-Key`` on POST: a retry gets the first answer and nothing is done twice.

The key is claimed in its own committed transaction before the action runs
(an intermediate commit through the unit of work: a concurrent retry must see
the claim while the action is still running); the action and its answer then
commit together, once, and the work due after it runs;
a concurrent retry with the same key waits for the first answer and replays
it. The same key with another body is 422. Server errors release the claim so
that the client can retry. A claim whose answer never arrived (the process
died mid-request) is released after ``STALE_SECONDS``; the action's own
guarded update still refuses a second effect.
"""

from __future__ import annotations

import hashlib
import time
from datetime import timedelta
from functools import wraps

from flask import Response, g, make_response, request
from sqlalchemy import delete, insert, update
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from loanflow.api.errors import http_problem, problem, service_problem
from loanflow.api.models import IdempotencyRecord
from loanflow.core import clock, uow
from loanflow.core.errors import ServiceError
from loanflow.extensions import db

WAIT_SECONDS = 15
STALE_SECONDS = 120


def _request_hash() -> str:
    return hashlib.sha256(
        request.method.encode() + request.path.encode() + b"\0" + request.get_data()
    ).hexdigest()


def _replay(record: IdempotencyRecord) -> Response:
    resp = make_response(record.response_body or "", record.status_code)
    resp.headers["Content-Type"] = (
        "application/problem+json" if record.status_code >= 400 else "application/json"
    )
    resp.headers["Idempotent-Replayed"] = "true"
    return resp


def _claim(user_id: int, key: str, digest: str) -> IdempotencyRecord | None:
    """Insert our claim; return the existing record when another request holds the key."""
    try:
        db.session.execute(
            insert(IdempotencyRecord).values(
                user_id=user_id, key=key, request_hash=digest, created_at=clock.now()
            )
        )
        uow.commit()
        return None
    except IntegrityError:
        uow.rollback()
        return db.session.get(IdempotencyRecord, (user_id, key), populate_existing=True)


def idempotent(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if not key:
            return view(*args, **kwargs)
        if len(key) > 100:
            return problem(
                422,
                "Unprocessable input",
                "Idempotency-Key: at most 100 characters",
                errors={"Idempotency-Key": ["at most 100 characters"]},
            )
        user_id, digest = g.user.id, _request_hash()
        deadline = time.monotonic() + WAIT_SECONDS
        while (existing := _claim(user_id, key, digest)) is not None:
            if existing.request_hash != digest:
                return problem(
                    422,
                    "Unprocessable input",
                    "Idempotency-Key 已用于另一个请求 / the key was used with another request",
                    errors={"Idempotency-Key": ["used with another request body"]},
                )
            if existing.status_code is not None:
                return _replay(existing)
            if clock.now() - existing.created_at > timedelta(seconds=STALE_SECONDS):
                db.session.execute(
                    delete(IdempotencyRecord).where(
                        IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key
                    )
                )
                uow.commit()
                continue
            if time.monotonic() > deadline:
                return problem(
                    409, "Conflict", "同一请求仍在处理中 / the same request is still being processed"
                )
            uow.rollback()
            db.session.expire_all()
            time.sleep(0.05)
        db.session.expire_all()
        g.idempotency_key = key  # the action may store it under a UNIQUE constraint (repayments do)
        try:
            resp = make_response(view(*args, **kwargs))
        except ServiceError as error:
            uow.rollback()
            resp = make_response(service_problem(error))
        except HTTPException as error:
            uow.rollback()
            resp = make_response(http_problem(error))
        except Exception:
            uow.rollback()
            _release(user_id, key)
            raise
        if resp.status_code >= 500:
            uow.rollback()
            _release(user_id, key)
            return resp
        if resp.status_code >= 400:
            uow.rollback()  # a refusal writes nothing but its answer
        db.session.execute(
            update(IdempotencyRecord)
            .where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key)
            .values(status_code=resp.status_code, response_body=resp.get_data(as_text=True))
        )
        uow.commit()  # the action and its answer together, then the work due after it
        return resp

    return wrapper


def _release(user_id: int, key: str) -> None:
    db.session.execute(
        delete(IdempotencyRecord).where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key)
    )
    uow.commit()
