"""First pages at scale (issue 14): the loan and subsidy lists with and without filters and the work
queues of an officer, a township approver and the county approver, each timed through its service
(the SQL the API and the pages send) on a PostgreSQL database filled by ``bench/list_data.py``.

Prints, per list: the median of ``--runs`` calls (each from an empty session, as a request starts),
the statements it sent, and EXPLAIN (ANALYZE) of its slowest statement with ``--explain``.

    .venv/bin/python bench/lists.py postgresql+psycopg://postgres@127.0.0.1:5432/loanflow_bench [--explain]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.url
    os.environ.setdefault("LOANFLOW_TODAY", "2026-06-01")

    from flask import g
    from sqlalchemy import event, select, text

    from loanflow import create_app
    from loanflow.accounts.models import User
    from loanflow.extensions import db
    from loanflow.loans.services.queries import list_loans
    from loanflow.subsidies.services import list_cases
    from loanflow.web.queue import work_queue

    app = create_app()

    def user(name: str) -> User:
        return db.session.scalar(select(User).where(User.username == name))

    lists = [
        ("loan list, county", "approver2", lambda u: list_loans(u)),
        (
            "loan list, state + village",
            "approver2",
            lambda u: list_loans(u, state="applied", village="341503001"),
        ),
        ("loan list, stalled", "approver2", lambda u: list_loans(u, stalled=True)),
        ("loan list, stalled (officer)", "officer", lambda u: list_loans(u, stalled=True)),
        ("loan list, officer", "officer", lambda u: list_loans(u)),
        ("subsidy list, county", "approver2", lambda u: list_cases(u)),
        ("subsidy list, state", "approver2", lambda u: list_cases(u, state="applied")),
        ("home: officer", "officer", work_queue),
        ("home: township approver", "approver", work_queue),
        ("home: county approver", "approver2", work_queue),
        ("home: clerk", "clerk", work_queue),
    ]
    sent: list[tuple[float, str, object]] = []
    starts: dict[int, float] = {}

    def before(conn, cursor, statement, parameters, context, executemany):
        starts[id(cursor)] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        sent.append(
            (time.perf_counter() - starts.pop(id(cursor), time.perf_counter()), statement, parameters)
        )

    with app.test_request_context("/"):
        event.listen(db.engine, "before_cursor_execute", before)
        event.listen(db.engine, "after_cursor_execute", after)
        counts = {
            t: db.session.scalar(text(f"SELECT count(*) FROM {t}"))
            for t in ("loan", "household", "subsidy_case")
        }
        print(f"rows: {counts}; load average {os.getloadavg()[0]:.2f}")
        print("| first page | median ms | statements |\n| --- | --- | --- |")
        plans = []
        for name, who, call in lists:
            times = []
            for _ in range(args.runs):
                db.session.remove()
                u = user(who)
                g.user = u
                _ = u.branch and u.branch.township_codes  # who acts is loaded with the token in a request
                sent.clear()
                t0 = time.perf_counter()
                call(u)
                times.append((time.perf_counter() - t0) * 1000)
            print(f"| {name} | {statistics.median(times):.1f} | {len(sent)} |", flush=True)
            if args.explain and sent:
                _, statement, parameters = max(sent, key=lambda s: s[0])
                plans.append((name, statement, parameters))
        if args.explain:
            raw = db.engine.raw_connection()
            try:
                cur = raw.cursor()
                for name, statement, parameters in plans:
                    cur.execute("EXPLAIN (ANALYZE, COSTS OFF) " + statement, parameters)
                    print(f"\n### {name}\n```\n" + "\n".join(r[0] for r in cur.fetchall()) + "\n```")
                raw.rollback()
            finally:
                raw.close()
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
