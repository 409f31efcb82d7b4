"""Supervision at scale: the stalled queue's first page, the county dashboard, the monthly report.

    .venv/bin/python bench/supervision.py URL [URL …]     (databases built by bench/generate.py)
    BENCH_ONLY=stalled,home .venv/bin/python bench/supervision.py URL   (only the timings named so)

Targets (issue 11): the first page of the stalled queue < 50 ms for a county and a township
supervisor, and flat from 10k to 1M; the county dashboard < 300 ms; the monthly report < 5 s.
Each is timed as the service runs it (warm: the median of repeated runs after one warm-up) and
every statement it sends is EXPLAINed (ANALYZE, BUFFERS) into ``bench/explain/``.

The stalled queue is the supervision feature's ``stalled_queue`` service (its first page of 50, with the
queue's total, who must act and the presses); ``stalled_first_page`` is the bare SQL of that page (both
products' cases past their stage's due date in the caller's region, most overdue first), timed beside
it to show what the service adds.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TODAY = "2026-11-30"
TARGETS = {"stalled_county": 50, "stalled_township": 50, "dashboard_county": 300, "monthly_report": 5000}
# also shown, without a target of their own: the county dashboard for one month, a township's for the year
EXPLAIN_DIR = Path(__file__).resolve().parent / "explain"


def stalled_first_page(user, today: date, size: int = 50) -> list:
    """The stalled queue's first page as SQL: both products, the caller's region, most overdue first."""
    from sqlalchemy import literal, select, union_all

    from loanflow.core.scope import code_prefix
    from loanflow.extensions import db
    from loanflow.loans.models import Loan
    from loanflow.subsidies.models import SubsidyCase

    def late(model, product: str):
        # the region as a code range, as the service writes it (ix_*_waiting_place serves a township's)
        where = code_prefix(model.village_code, user.region_code)
        return (
            select(
                literal(product).label("product"),
                model.id,
                model.village_code,
                model.state,
                model.stage_due_on,
                model.household_id,
            )
            .where(model.stage_due_on < today, where)
            .order_by(model.stage_due_on, model.id)
            .limit(size)
        )

    both = union_all(late(Loan, "loan"), late(SubsidyCase, "subsidy")).subquery()
    stmt = select(both).order_by(both.c.stage_due_on, both.c.product, both.c.id).limit(size)
    return list(db.session.execute(stmt))


class Statements:
    """The statements a piece of work sends (to EXPLAIN them afterwards)."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.engine, self.seen, self.on = engine, [], False
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        if self.on and statement.lstrip().upper().startswith(("SELECT", "WITH")):
            self.seen.append((statement, parameters))


def timed(fn, runs: int) -> tuple[float, list[float]]:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), times


def explain(statements: list, path: Path) -> None:
    from loanflow.extensions import db

    with path.open("w") as out:
        for statement, params in statements:
            plan = db.session.connection().exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
            out.write(statement.strip() + "\n" + json.dumps(params, default=str) + "\n")
            out.write("\n".join(r[0] for r in plan) + "\n\n")


def bench_app(url: str):
    """The app on a database ``bench/generate.py`` built, as production configures it (the app sets JIT off
    and custom plans on each PostgreSQL connection itself: ``core.database``)."""
    from config import Config
    from loanflow import create_app

    return create_app(Config, {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})


def database_size() -> str:
    """``10k``, ``100k``, ``1M``: the database's loans, as the results and the EXPLAIN files name it."""
    from sqlalchemy import func, select

    from loanflow.extensions import db
    from loanflow.loans.models import Loan

    loans = db.session.scalar(select(func.count()).select_from(Loan))
    return f"{loans // 1000}k" if loans < 1_000_000 else f"{loans // 1_000_000}M"


def bench(url: str) -> dict:
    from sqlalchemy import select

    from loanflow.accounts.models import User
    from loanflow.extensions import db
    from loanflow.supervision.dashboard import report, services

    app = bench_app(url)
    results: dict = {}
    with app.app_context():
        name = results["size"] = database_size()
        county = db.session.scalar(select(User).where(User.username == "supervisor"))
        township = db.session.scalar(select(User).where(User.username == "supervisor_t01"))
        today = date.fromisoformat(TODAY)
        from loanflow.supervision.services.stalled import stalled_queue
        from loanflow.supervision.services.summary import summary

        work = {
            "stalled_county": (lambda: stalled_queue(county, today=today), 30),
            "stalled_township": (lambda: stalled_queue(township, today=today), 30),
            "stalled_sql_county": (lambda: stalled_first_page(county, today), 30),
            "stalled_sql_township": (lambda: stalled_first_page(township, today), 30),
            # the supervisor's home: the ten most overdue, the stalled count, the dead ends (their screen)
            "home_county": (lambda: summary(county, today), 30),
            "home_township": (lambda: summary(township, today), 30),
            "dashboard_county": (lambda: services.dashboard(county), 7),
            "dashboard_county_month": (lambda: services.dashboard(county, None, date(2026, 11, 1), today), 7),
            "dashboard_township": (lambda: services.dashboard(township), 7),
            "monthly_report": (lambda: report.report_xlsx(report.monthly_report(county, "2026-11")), 3),
        }
        recorder = Statements(db.engine)
        EXPLAIN_DIR.mkdir(exist_ok=True)
        results["load_average_1min"] = round(os.getloadavg()[0], 1)  # the machine is shared: say how busy
        only = [k for k in os.environ.get("BENCH_ONLY", "").split(",") if k]
        work = {k: v for k, v in work.items() if not only or any(k.startswith(o) for o in only)}
        for key, (fn, runs) in work.items():
            median, times = timed(fn, runs)
            results[key] = {"median_ms": round(median, 1), "max_ms": round(max(times), 1), "runs": runs}
            recorder.seen, recorder.on = [], True
            fn()
            recorder.on = False
            explain(recorder.seen, EXPLAIN_DIR / f"supervision-{key}-{name}.txt")
            db.session.rollback()
        results["stalled_rows"] = len(stalled_first_page(county, today))
    return results


def main() -> int:
    os.environ.setdefault("LOANFLOW_TODAY", TODAY)
    urls = sys.argv[1:] or [u for u in os.environ.get("BENCH_SUPERVISION_URLS", "").split() if u]
    if not urls:
        print("usage: bench/supervision.py URL [URL …] (databases made by bench/generate.py)")
        return 2
    missed = []
    for url in urls:
        r = bench(url)
        print(json.dumps(r), flush=True)
        for key, limit in TARGETS.items():
            if key in r and r[key]["median_ms"] > limit:
                missed.append(f"{r['size']} {key} {r[key]['median_ms']} ms > {limit} ms")
    if missed:
        print("targets missed: " + "; ".join(missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
