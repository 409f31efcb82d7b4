"""Every page of the site, as each demo user opens it, on the demo county: under 200 ms each.

The demo county is built as `make run` builds it (`flask loanflow demo`, 300 households and their cases in
every state) in a scratch database; then each demo user logs in through the login form and opens every
page route (``GET``, the web blueprint) that answers them 200, with its path filled from the demo: a
household, a loan and a subsidy case of township A, a 公示 list, a user, a spot-check sample, and so on.
Each page is asked once to warm up, then ``--runs`` times; the median is reported, per user and page.
Requests go through the WSGI app in this process (Werkzeug's test client: routing, session, scope, the
queries, the template; no socket), so the figure is what the server spends on the page.

The register import's pages are timed too: before the timing the clerk checks two files through the
pages as a big file goes (``HOUSEHOLD_IMPORT_SYNC_ROWS`` lowered, so each is a background job, run at
once in this process): one with bad cells (its job page lists them, with the marked-sheet link) and a
good one, which is then imported (its job page shows the finished import). Both job pages and the JSON
their progress bar polls are timed like every page. The dry-run report of a small file is not a
``GET`` but the answer to the upload: it is timed apart (``POST /households/import``), for a file of 30
households and one of 300 (600 rows, under the 1,000 rows above which a file goes to a job), the check
of the file included.

Run from the repository root:
  python bench/pages.py                                   # SQLite (a temporary file)
  python bench/pages.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/loanflow_bench
Exits non-zero when a page's median is over the target.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("LOANFLOW_TODAY", "2026-11-30")

TARGET_MS = 200.0
USERS = ("clerk", "officer", "approver", "approver2", "supervisor", "admin")
PASSWORD = "demo-password"


def _app(url: str):
    from config import TestConfig
    from loanflow import create_app
    from loanflow.extensions import db

    app = create_app(
        TestConfig, {"SQLALCHEMY_DATABASE_URI": url, "TESTING": False, "WTF_CSRF_ENABLED": False}
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        from loanflow import demo

        demo.build_demo(300)
    return app


def _samples(app) -> dict[str, str]:
    """A value for each path parameter, taken from the demo (township A, where the demo users work)."""
    from sqlalchemy import select

    from loanflow.accounts.models import User
    from loanflow.extensions import db
    from loanflow.households.models import Household
    from loanflow.loans.models import Loan
    from loanflow.subsidies.models import Publicity, SubsidyCase

    clerk_village = "341503001001"
    with app.app_context():
        household = db.session.scalar(
            select(Household.id).where(Household.village_code == clerk_village).order_by(Household.id)
        )
        loan = db.session.scalar(
            select(Loan.id).where(Loan.village_code.startswith("341503001"), Loan.state == "disbursed")
        )
        case = db.session.scalar(
            select(SubsidyCase.id).where(SubsidyCase.village_code.startswith("341503001"))
        )
        publicity = db.session.scalar(select(Publicity.id).order_by(Publicity.id.desc()))
        user = db.session.scalar(select(User.id).where(User.username == "officer"))
        values = {"household_id": household, "loan_id": loan, "user_id": user, "publicity_id": publicity}
        try:
            from loanflow.supervision.models import SpotCheck

            values["sample_id"] = db.session.scalar(select(SpotCheck.id))
        except ImportError:  # pragma: no cover - a tree without supervision
            pass
    values.update({"case_id:loans": loan, "case_id:subsidies": case, "case_id:supervision": loan})
    values.update({"case_type": "loan", "year": 2026, "lang": "zh"})
    return {k: str(v) for k, v in values.items() if v is not None}


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_VILLAGE = "341503001001"  # the clerk's village


def _register_file(households: int, start: int, bad_cells: int = 0) -> bytes:
    """A register sheet (one row per member) of ``households`` new households, ``bad_cells`` of them bad."""
    from loanflow.households.testing.register_sheets import member_rows, xlsx_bytes

    rows = member_rows(households, IMPORT_VILLAGE, start=start)
    for row in rows[1 : 1 + 2 * bad_cells : 2]:
        row["劳动力状况"] = "很强"  # not a labour status
    return xlsx_bytes(rows)


def _upload(client, data: bytes, name: str):
    return client.post(
        "/households/import",
        data={"file": (io.BytesIO(data), name, XLSX)},
        content_type="multipart/form-data",
    )


def _import_jobs(app) -> tuple[dict[str, str], list[str]]:
    """The clerk's import jobs as the pages make them: a checked file with bad cells, an imported one.

    Returns the job sample for ``_paths`` (the checked file with bad cells, the heavier page) and the
    other pages to time: that job's page as the clerk reaches it (with its upload token: the link to
    the marked sheet), and the finished import's page.
    """
    client = app.test_client()
    assert client.post("/login", data={"username": "clerk", "password": PASSWORD}).status_code == 302
    limit = app.config["HOUSEHOLD_IMPORT_SYNC_ROWS"]
    app.config["HOUSEHOLD_IMPORT_SYNC_ROWS"] = 5  # each file a background job
    try:
        checked = _upload(client, _register_file(100, start=5000, bad_cells=20), "花名册-有误.xlsx")
        good = _upload(client, _register_file(100, start=6000), "花名册.xlsx")
        assert checked.status_code == good.status_code == 302, (checked.status_code, good.status_code)
        token = good.location.split("token=")[1]
        imported = client.post(f"/households/import/{token}", data={"name": "花名册.xlsx"})
        assert imported.status_code == 302, imported.status_code
    finally:
        app.config["HOUSEHOLD_IMPORT_SYNC_ROWS"] = limit
    checked_page, imported_page = checked.location, imported.location
    for page in (checked_page, imported_page):
        assert client.get(page).status_code == 200, page
    job_id = re.search(r"/jobs/(\d+)", checked_page).group(1)
    return {"job_id": job_id}, [checked_page, imported_page]


def _measure_dry_runs(app, runs: int) -> list[tuple[str, str, float]]:
    """The dry-run report: the answer to the upload of a small file (checked at once, nothing written)."""
    client = app.test_client()
    assert client.post("/login", data={"username": "clerk", "password": PASSWORD}).status_code == 302
    rows = []
    for households, bad in ((30, 3), (300, 20)):
        data = _register_file(households, start=8000, bad_cells=bad)
        label = f"POST /households/import (dry run: {households} households, {bad} bad cells)"
        assert _upload(client, data, "花名册.xlsx").status_code == 200, label  # warm-up
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            r = _upload(client, data, "花名册.xlsx")
            times.append((time.perf_counter() - start) * 1000)
            assert r.status_code == 200 and "import-errors" in r.get_data(as_text=True), label
        rows.append(("clerk", label, statistics.median(times)))
    return rows


def _paths(app, samples: dict[str, str]) -> tuple[list[str], list[str]]:
    """The page routes with their parameters filled; those that cannot be filled are listed apart."""
    paths, unfilled = [], []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not rule.endpoint.startswith("web.") or rule.rule.startswith("/lang"):
            continue
        if any(
            word in rule.rule
            for word in ("logout", ".xlsx", ".csv", "/export", "/pdf", "/download", "/documents/")
        ):
            continue  # not a page: a file or an action
        path, ok = rule.rule, True
        for name in rule.arguments:
            key = f"{name}:{rule.rule.split('/')[1]}" if name == "case_id" else name
            value = samples.get(key)
            if value is None:
                ok = False
                break
            path = re.sub(rf"<(?:[a-z]+(?:\([^)]*\))?:)?{name}>", value, path)
        (paths if ok else unfilled).append(path if ok else rule.rule)
    return sorted(set(paths)), sorted(set(unfilled))


def _measure(app, paths: list[str], runs: int) -> list[tuple[str, str, float]]:
    rows = []
    for username in USERS:
        client = app.test_client()
        r = client.post("/login", data={"username": username, "password": PASSWORD})
        assert r.status_code == 302, (username, r.status_code)
        for path in paths:
            if client.get(path).status_code != 200:  # warm-up; pages this user may not open are not timed
                continue
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                client.get(path)
                times.append((time.perf_counter() - start) * 1000)
            rows.append((username, path, statistics.median(times)))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", help="a scratch PostgreSQL database (its tables are dropped)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    url = args.postgres or f"sqlite:///{tempfile.mkdtemp(prefix='loanflow-pages-')}/bench.db"
    app = _app(url)
    samples = _samples(app)
    job, job_pages = _import_jobs(app)
    samples.update(job)
    paths, unfilled = _paths(app, samples)
    rows = _measure(app, sorted(set(paths + job_pages)), args.runs) + _measure_dry_runs(app, args.runs)
    print(
        f"database: {url.split(':')[0]}; {len(rows)} user × page pairs; median of {args.runs}; target {TARGET_MS:.0f} ms"
    )
    print("| user | page | median ms |")
    print("| --- | --- | --- |")
    for username, path, ms in sorted(rows, key=lambda row: -row[2]):
        shown = re.sub(r"token=[0-9a-f]{64}", "token=…", path)  # the upload's SHA-256: noise in a table
        print(f"| {username} | `{shown}` | {ms:.1f} |")
    if unfilled:
        print("not timed (no demo value for the path): " + ", ".join(unfilled))
    over = [row for row in rows if row[2] > TARGET_MS]
    print(f"slowest: {max(row[2] for row in rows):.1f} ms; over target: {len(over)}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
