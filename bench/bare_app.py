"""The bare floor for the HTTP benchmark: Flask and psycopg, the same SQL as loanflow sends for loan
detail, the loan list's first page and a reject, and nothing else (no ORM, no schemas, no checks
beyond the ones the SQL needs). Run by ``bench/http_bench.py`` under gunicorn beside loanflow.

Its connections take loanflow's settings (``core.database.POSTGRESQL_SETTINGS``) unless
``BARE_PG_SETTINGS=server``. The statements are the ones loanflow's API sends (``tests/perf/test_statements.py`` pins their
number): the token with its user, branch and townships in one query; the loan; its audit trail and
the names in it (one statement); for the list, the capped count and the page; for a reject, the guarded UPDATE, the
audit chain's head, the event, the head's new hash, the press check, the trail, the commit.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, date, datetime

import psycopg
from flask import Flask, Response, abort, request
from psycopg.rows import dict_row

from loanflow.audit.services import event_payload, jsonable, link_hash
from loanflow.core.database import POSTGRESQL_SETTINGS
from loanflow.core.scope import MAX_RANGES, prefix_runs

app = Flask(__name__)
DSN = os.environ["BARE_DSN"]
TODAY = date.fromisoformat(os.environ.get("LOANFLOW_TODAY", "2026-03-10"))
_conn: psycopg.Connection | None = None
# The connection settings: loanflow's own (``core.database``: JIT off, every statement planned for its
# values), so that both sides do the same database work; ``BARE_PG_SETTINGS=server`` keeps the
# server's plan cache (JIT off only), to measure what loanflow's custom plans cost PostgreSQL.
SETTINGS = POSTGRESQL_SETTINGS if os.environ.get("BARE_PG_SETTINGS", "app") == "app" else {"jit": "off"}

WHO = (
    "SELECT t.id, t.user_id, t.revoked_at, t.expires_at, u.username, u.role, u.region_code, u.active, "
    "bt.township_code FROM api_token t LEFT JOIN user_account u ON u.id = t.user_id "
    "LEFT JOIN branch b ON b.id = u.branch_id LEFT JOIN branch_township bt ON bt.branch_id = b.id "
    "WHERE t.token_hash = %s ORDER BY bt.township_code"
)
TRAIL = (
    "SELECT e.id, e.occurred_at, e.actor_id, e.actor, e.role, e.action, e.before, e.after, e.reason, "
    "(SELECT u.full_name FROM user_account u WHERE u.id = e.actor_id) AS full_name "
    "FROM audit_event e WHERE e.entity_type = 'loan' AND e.entity_id = %s ORDER BY e.occurred_at, e.id"
)


def conn() -> psycopg.Connection:
    global _conn
    if _conn is None or _conn.closed:
        _conn = psycopg.connect(DSN, row_factory=dict_row, autocommit=True)
        for name, value in SETTINGS.items():
            _conn.execute(f"SET {name} = {value}")
        _conn.autocommit = False
    return _conn


def who(cur) -> dict:
    secret = request.headers.get("Authorization", "")[7:]
    rows = cur.execute(WHO, (hashlib.sha256(secret.encode()).hexdigest(),)).fetchall()
    if not rows or rows[0]["revoked_at"] is not None or not rows[0]["active"]:
        abort(401)
    return {**rows[0], "towns": [r["township_code"] for r in rows if r["township_code"]]}


def _prefixes(user: dict) -> list[str]:
    return user["towns"] if user["role"] == "bank_officer" else [user["region_code"]]


def sees(user: dict, village_code: str) -> bool:
    return any(village_code.startswith(p) for p in _prefixes(user))


def _ranges(user: dict) -> tuple[str, list]:
    """loanflow's scope filter (``core.scope.any_prefix``): a range per run of adjacent codes (the
    demo officer's five townships are two runs; more than ``MAX_RANGES`` runs are not in the bench)."""
    runs = prefix_runs(_prefixes(user))
    assert runs is not None and len(runs) <= MAX_RANGES
    sql = " OR ".join("(village_code >= %s AND village_code < %s)" for _ in runs)
    return sql, [code for run in runs for code in run]


def _json(data) -> Response:
    return Response(json.dumps(data, default=str, ensure_ascii=False), mimetype="application/json")


def _trail(cur, loan_id: int) -> list[dict]:
    events = cur.execute(TRAIL, (str(loan_id),)).fetchall()
    return [
        {"action": e["action"], "at": e["occurred_at"], "by": e["full_name"] or e["actor"]} for e in events
    ]


@app.get("/api/v1/loans/<int:loan_id>")
def loan(loan_id: int):
    with conn().cursor() as cur:
        user = who(cur)
        row = cur.execute("SELECT * FROM loan WHERE id = %s", (loan_id,)).fetchone()
        if row is None or not sees(user, row["village_code"]):
            abort(404)
        row["timeline"] = _trail(cur, loan_id)
    conn().commit()
    return _json(row)


@app.get("/api/v1/loans")
def loans():
    page = int(request.args.get("page", 1))
    with conn().cursor() as cur:
        user = who(cur)
        where, params = _ranges(user)
        total = cur.execute(
            f"SELECT count(*) AS n FROM (SELECT id FROM loan WHERE {where} LIMIT %s) s", (*params, 1051)
        ).fetchone()["n"]
        rows = cur.execute(
            f"SELECT * FROM loan WHERE {where} ORDER BY id DESC LIMIT 50 OFFSET %s",
            (*params, (page - 1) * 50),
        ).fetchall()
    conn().commit()
    return _json({"items": rows, "total": min(total, 1050), "total_capped": total > 1050, "page": page})


@app.post("/api/v1/loans/<int:loan_id>/reject")
def reject(loan_id: int):
    reason = (request.get_json(silent=True) or {}).get("reason", "")
    c = conn()
    with c.cursor() as cur:
        user = who(cur)
        loan = cur.execute("SELECT * FROM loan WHERE id = %s", (loan_id,)).fetchone()
        if loan is None or not sees(user, loan["village_code"]):
            abort(404)
        if user["role"] != "bank_officer":
            abort(403)
        now = datetime.now(UTC)
        stamp = now.replace(tzinfo=None)
        cur.execute(
            "UPDATE loan SET state=%s, version=%s, closed_on=%s, closing_reason=%s, stage_started_on=NULL, "
            "stage_days=NULL, stage_due_on=NULL, stage_due_provisional=false, updated_at=%s "
            "WHERE id=%s AND state=%s AND version=%s",
            ("rejected", loan["version"] + 1, TODAY, reason, stamp, loan_id, loan["state"], loan["version"]),
        )
        if cur.rowcount != 1:
            c.rollback()
            abort(409)
        chain = loan["village_code"][:6]
        head = cur.execute(
            "UPDATE audit_chain_head SET seq = seq + 1 WHERE chain = %s RETURNING seq, hash", (chain,)
        ).fetchone()
        after = jsonable({"closed_on": TODAY, "closing_reason": reason, "state": "rejected"})
        event = {
            "chain": chain,
            "seq": head["seq"],
            "occurred_at": now,
            "actor_id": user["user_id"],
            "actor": user["username"],
            "role": user["role"],
            "action": "loan.reject",
            "entity_type": "loan",
            "entity_id": str(loan_id),
            "before": {"state": loan["state"]},
            "after": after,
            "reason": reason,
            "request_id": "",
        }
        digest = link_hash(head["hash"], event_payload(event))
        cur.execute(
            "INSERT INTO audit_event (chain, seq, prev_hash, hash, occurred_at, actor_id, actor, role, action, "
            "entity_type, entity_id, before, after, reason, request_id) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s::jsonb, %s, %s) RETURNING id",
            (
                chain,
                head["seq"],
                head["hash"],
                digest,
                stamp,
                user["user_id"],
                user["username"],
                user["role"],
                "loan.reject",
                "loan",
                str(loan_id),
                json.dumps(event["before"]),
                json.dumps(after),
                reason,
                "",
            ),
        )
        cur.execute("UPDATE audit_chain_head SET hash = %s WHERE chain = %s", (digest, chain))
        cur.execute(
            "SELECT id FROM press WHERE case_type = 'loan' AND case_id = %s AND answered_at IS NULL",
            (loan_id,),
        ).fetchall()
        cur.execute(  # the dashboard rollup's mark of the loan's township
            "UPDATE dashboard_rollup_township SET dirty_since = coalesce(dirty_since, %s) WHERE code = ANY(%s) "
            "RETURNING code, dirty_since",
            (stamp, [loan["village_code"][:9]]),
        ).fetchall()
        loan.update(state="rejected", version=loan["version"] + 1, closed_on=TODAY, closing_reason=reason)
        loan["timeline"] = _trail(cur, loan_id)
    c.commit()
    return _json(loan)
