"""The county dashboard from the per-township rollup, beside the same figures counted from the cases.

    .venv/bin/python bench/dashboard_rollup.py URL [URL …]      (databases made by bench/generate.py,
                                                                the rollup built: flask loanflow rebuild-dashboard)

For each database: the dashboard's service (county, year to date; county, one month; county, a period whose
edges fall inside months; a township) from the rollup, and the direct computation it replaced (the county,
year to date; fewer runs, it takes seconds at 1M); the background rebuild of the largest township (what a
change costs the worker); the two agreeing field by field. Every statement of the county dashboard is
EXPLAINed (ANALYZE, BUFFERS) into ``bench/explain/supervision-dashboard-rollup-<size>.txt``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from supervision import TODAY, Statements, bench_app, database_size, explain, timed  # noqa: E402

EXPLAIN_DIR = Path(__file__).resolve().parent / "explain"


def bench(url: str) -> dict:
    from sqlalchemy import func, select

    from loanflow.core import clock, uow
    from loanflow.core.regions import Region
    from loanflow.extensions import db
    from loanflow.supervision.dashboard import keeping, services
    from loanflow.supervision.dashboard.models import RollupStock

    app = bench_app(url)
    out: dict = {}
    with app.app_context():
        size = out["size"] = database_size()
        county = db.session.get(Region, "341503")
        township = db.session.get(Region, "341503001")
        largest = db.session.scalar(
            select(RollupStock.township).group_by(RollupStock.township)
            .order_by(func.sum(RollupStock.cases).desc()).limit(1)
        )  # fmt: skip
        today = clock.today()
        year = (date(today.year, 1, 1), today)
        work = {
            "rollup_county_ytd": (lambda: services.dashboard_from_rollup(county, *year), 15),
            "rollup_county_month": (
                lambda: services.dashboard_from_rollup(county, date(2026, 11, 1), today),
                15,
            ),
            "rollup_county_edges": (
                lambda: services.dashboard_from_rollup(county, date(2026, 2, 10), date(2026, 10, 20)),
                15,
            ),
            "rollup_township_ytd": (lambda: services.dashboard_from_rollup(township, *year), 15),
            "direct_county_ytd": (lambda: services.dashboard_from_cases(county, *year), 3),
        }
        out["load_average_1min"] = round(os.getloadavg()[0], 1)
        for key, (fn, runs) in work.items():
            median, times = timed(fn, runs)
            out[key] = {"median_ms": round(median, 1), "max_ms": round(max(times), 1), "runs": runs}
            db.session.rollback()

        def rebuild_one():
            codes, at = keeping.claim(largest, everything=True)
            keeping.rebuild(codes, at)

        median, times = timed(rebuild_one, 3)
        out["rebuild_largest_township"] = {"township": largest, "median_ms": round(median, 1)}
        a = services.dashboard_from_rollup(county, date(2026, 2, 10), date(2026, 10, 20))
        b = services.dashboard_from_cases(county, date(2026, 2, 10), date(2026, 10, 20))
        differ = [
            f.name
            for f in dataclasses.fields(a)
            if f.name not in ("figures_as_of", "figures_current") and getattr(a, f.name) != getattr(b, f.name)
        ]
        out["fields_differing_from_direct"] = differ
        recorder = Statements(db.engine)
        recorder.on = True
        services.dashboard_from_rollup(county, *year)
        recorder.on = False
        EXPLAIN_DIR.mkdir(exist_ok=True)
        explain(recorder.seen, EXPLAIN_DIR / f"supervision-dashboard-rollup-{size}.txt")
        out["statements"] = len(recorder.seen)
        uow.rollback()
    return out


def main() -> int:
    os.environ.setdefault("LOANFLOW_TODAY", TODAY)
    urls = sys.argv[1:]
    if not urls:
        print(__doc__)
        return 2
    for url in urls:
        print(json.dumps(bench(url)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
