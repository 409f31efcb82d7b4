"""Benchmark one loan transition through the service layer against the bare floor.

Service: ``loans.services.actions.reject_loan`` (load the loan, scope, role, state,
guarded UPDATE on (id, state, version), the audit event with the chain head,
one commit) with a fresh session each time, as a request has.
Floor: the same statements with the same driver on its raw connection and
nothing else — the loan's SELECT, the guarded UPDATE, the chain head's UPDATE …
RETURNING, the event's INSERT (its hash computed the same way), the head's new
hash, the open presses' SELECT, the dashboard rollup's township mark, COMMIT.
Background work is queued, as in production, not run in the request.

Each round opens a new applied loan for each side (not timed) and times one
reject on each, alternating, so drift hits both. Reported: the median and the
ratio service / floor, per database, in one run.

Run from the repository root:
  python bench/transition.py                                   # SQLite (a temporary file)
  python bench/transition.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/loanflow_bench
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("LOANFLOW_TODAY", "2026-03-10")

TARGET_RATIO = 2.0
CHAIN = "341503"


def _app(url: str, no_sync: bool = False):
    from sqlalchemy import event

    from config import TestConfig
    from loanflow import create_app
    from loanflow.extensions import db

    # Background work is queued as in production (a queue file of its own), not run in the request as the
    # test suite runs it: the dashboard rollup's rebuild after a move is the worker's, not the transition's.
    queue = os.path.join(tempfile.mkdtemp(prefix="loanflow-bench-queue-"), "queue.db")
    overrides = {
        "SQLALCHEMY_DATABASE_URI": url,
        "TESTING": False,
        "LOANFLOW_QUEUE_IMMEDIATE": False,
        "LOANFLOW_QUEUE_FILE": queue,
    }
    if no_sync and url.startswith("postgresql"):
        overrides["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"options": "-c synchronous_commit=off"}}
    app = create_app(TestConfig, overrides)
    with app.app_context():
        if no_sync and url.startswith("sqlite"):

            @event.listens_for(db.engine, "connect")
            def _no_sync(dbapi_connection, _record):  # after the app's own pragmas
                dbapi_connection.execute("PRAGMA synchronous=OFF")

        db.drop_all()
        db.create_all()
    return app


def _setup():
    """The demo county without cases, a funded fund, one applied loan to copy rows from."""
    from sqlalchemy import select

    from loanflow import demo
    from loanflow.accounts.models import User
    from loanflow.extensions import db
    from loanflow.loans.demo import deposit, fresh_households, open_loan
    from loanflow.loans.models import Loan

    demo.build_demo(30, case_builders=())
    deposit(CHAIN, "1000000.00")
    clerk = db.session.scalar(select(User).where(User.username == "clerk"))
    households = fresh_households(clerk.region_code)[:2]
    template = open_loan(clerk, households[0])
    row = {
        c.key: getattr(template, c.key) for c in Loan.__table__.columns if c.key not in ("id", "case_number")
    }
    db.session.execute(Loan.__table__.update().where(Loan.id == template.id).values(state="withdrawn"))
    db.session.commit()
    return row, [h.id for h in households]


def _new_loan(row: dict, household_id: int, n: int) -> int:
    from loanflow.extensions import db
    from loanflow.loans.models import Loan

    table = Loan.__table__
    values = {**row, "household_id": household_id, "case_number": f"DK-BENCH-{n:07d}"}
    loan_id = db.session.execute(table.insert().values(**values).returning(table.c.id)).scalar_one()
    db.session.commit()
    db.session.remove()
    return loan_id


class Floor:
    """The statements the service issues, bare on the driver's connection."""

    def __init__(self, engine, actor):
        self.raw = engine.raw_connection()
        self.dbapi = self.raw.driver_connection
        self.pg = engine.dialect.name == "postgresql"
        self.p = "%s" if self.pg else "?"
        self.json = f"{self.p}::jsonb" if self.pg else self.p
        self.actor = actor

    def sql(self, text: str) -> str:
        return text.replace("?", self.p)

    def reject(self, loan_id: int, state: str, version: int, today, now) -> None:
        from loanflow.audit.services import event_payload, jsonable, link_hash

        cur = self.dbapi.cursor()
        stamp = now.astimezone(UTC).replace(tzinfo=None)
        if not self.pg:
            cur.execute("BEGIN IMMEDIATE")
            stamp_db, today_db = stamp.isoformat(sep=" "), today.isoformat()
        else:
            stamp_db, today_db = stamp, today
        reason = "bench"
        cur.execute(self.sql("SELECT * FROM loan WHERE id=?"), (loan_id,))  # the service reads the loan
        village = cur.fetchone()[[d[0] for d in cur.description].index("village_code")]
        cur.execute(
            self.sql(
                "UPDATE loan SET state=?, version=?, updated_at=?, closed_on=?, closing_reason=?, "
                "stage_started_on=NULL, stage_due_on=NULL, stage_due_provisional=? "
                "WHERE id=? AND state=? AND version=?"
            ),
            ("rejected", version + 1, stamp_db, today_db, reason, False, loan_id, state, version),
        )
        assert cur.rowcount == 1
        cur.execute(
            self.sql("UPDATE audit_chain_head SET seq=seq+1 WHERE chain=? RETURNING seq, hash"),
            (CHAIN,),
        )
        seq, prev = cur.fetchone()
        after = jsonable(
            {
                "closed_on": today,
                "closing_reason": reason,
                "stage_started_on": None,
                "stage_due_on": None,
                "stage_due_provisional": False,
                "state": "rejected",
            }
        )
        row = {
            "chain": CHAIN,
            "seq": seq,
            "occurred_at": now,
            "actor_id": self.actor.id,
            "actor": self.actor.username,
            "role": self.actor.role,
            "action": "loan.reject",
            "entity_type": "loan",
            "entity_id": str(loan_id),
            "before": {"state": state},
            "after": after,
            "reason": reason,
            "request_id": "",
        }
        digest = link_hash(prev, event_payload(row))
        cur.execute(
            self.sql(
                "INSERT INTO audit_event (chain, seq, prev_hash, hash, occurred_at, actor_id, actor, role, action, "
                f"entity_type, entity_id, before, after, reason, request_id) "
                f"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, {self.json}, {self.json}, ?, ?)"
            ),
            (
                CHAIN,
                seq,
                prev,
                digest,
                stamp_db,
                self.actor.id,
                self.actor.username,
                self.actor.role,
                "loan.reject",
                "loan",
                str(loan_id),
                json.dumps(row["before"]),
                json.dumps(after),
                reason,
                "",
            ),
        )
        cur.execute(self.sql("UPDATE audit_chain_head SET hash=? WHERE chain=?"), (digest, CHAIN))
        cur.execute(  # the open presses a move answers (supervision)
            self.sql("SELECT id FROM press WHERE case_type=? AND case_id=? AND answered_at IS NULL"),
            ("loan", loan_id),
        )
        cur.fetchall()
        cur.execute(  # the dashboard rollup's mark of the township (supervision.dashboard.keeping)
            self.sql(
                "UPDATE dashboard_rollup_township SET dirty_since=coalesce(dirty_since, ?) WHERE code IN (?) "
                "RETURNING code, dirty_since"
            ),
            (stamp_db, village[:9]),
        )
        cur.fetchall()
        if self.pg:
            self.dbapi.commit()
        else:
            cur.execute("COMMIT")
        cur.close()


def run(url: str, rounds: int, no_sync: bool = False) -> dict:
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from loanflow.accounts.models import User
    from loanflow.audit import services as audit
    from loanflow.core import clock, uow
    from loanflow.core.regions import Branch
    from loanflow.extensions import db
    from loanflow.loans.services.actions import reject_loan

    app = _app(url, no_sync)
    with app.app_context():
        row, (h_service, h_floor) = _setup()
        officer = db.session.scalar(
            select(User)
            .where(User.username == "officer")
            .options(selectinload(User.branch).selectinload(Branch.townships))
        )
        db.session.expunge(officer)  # the request's user, already loaded
        db.session.remove()
        floor = Floor(db.engine, officer)
        service_times, floor_times = [], []
        for n in range(rounds + 10):  # the first 10 rounds warm up
            a = _new_loan(row, h_service, 2 * n)
            started = time.perf_counter()
            reject_loan(officer, a, "bench")
            uow.commit()  # the request's one commit: the service only flushes
            elapsed = time.perf_counter() - started
            db.session.remove()
            if n >= 10:
                service_times.append(elapsed)
            b = _new_loan(row, h_floor, 2 * n + 1)
            started = time.perf_counter()
            floor.reject(b, "applied", 1, clock.today(), clock.now())
            elapsed = time.perf_counter() - started
            if n >= 10:
                floor_times.append(elapsed)
        floor.raw.close()
        ok = audit.verify([CHAIN]).ok
        db.session.remove()
        db.engine.dispose()
    service_us, floor_us = statistics.median(service_times) * 1e6, statistics.median(floor_times) * 1e6
    return {
        "database": url.split(":", 1)[0],
        "commits_synced": not no_sync,
        "rounds": rounds,
        "service_us": round(service_us),
        "floor_us": round(floor_us),
        "ratio": round(service_us / floor_us, 2),
        "audit_chain_ok": ok,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--postgres", help="a PostgreSQL URL (its tables are dropped and recreated)")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument(
        "--no-sync",
        action="store_true",
        help="also measure with commits not synced to disk (the CPU cost alone, not a production setting)",
    )
    args = parser.parse_args()
    results = []
    if not args.no_sqlite:
        tmp = tempfile.mkdtemp(prefix="loanflow-bench-")
        results.append(run(f"sqlite:///{tmp}/bench.db", args.rounds))
        if args.no_sync:
            results.append(run(f"sqlite:///{tmp}/bench-nosync.db", args.rounds, no_sync=True))
    if args.postgres:
        results.append(run(args.postgres, args.rounds))
        if args.no_sync:
            results.append(run(args.postgres, args.rounds, no_sync=True))
    for r in results:
        print(json.dumps(r))
    # The target (issue 14) is PostgreSQL's, with commits synced; SQLite's ratio is reported (on a disk
    # whose commit costs 0.7 ms the service's own CPU is most of it). Every audit chain must verify.
    target = [r for r in results if r["commits_synced"] and r["database"].startswith("postgresql")]
    chains = all(r["audit_chain_ok"] for r in results)
    return 0 if chains and all(r["ratio"] <= TARGET_RATIO for r in target) else 1


if __name__ == "__main__":
    sys.exit(main())
