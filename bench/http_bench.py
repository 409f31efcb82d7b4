"""HTTP benchmark (issue 14): loanflow under gunicorn against a bare Flask app doing the same SQL.

Both run under gunicorn (sync workers, ``-w 2``) on the same PostgreSQL database, built here from
scratch (its tables are dropped): the demo county without cases, 2,000 loans for the list, and one
applied loan per reject to come, each of its own household. Then, for each request, ``--rounds``
interleaved runs (loanflow first in odd rounds, bare first in even ones, so drift hits both):

- ``GET /api/v1/loans/{id}`` and ``GET /api/v1/loans?page=1``: ``ab -n N -c 2`` (apache2-utils);
- ``POST /api/v1/loans/{id}/reject``: two client threads, each rejecting its own fresh loans
  (``ab`` sends one URL, and a loan is rejected once). loanflow renders no document after the step
  unless ``--documents`` (the bare app renders none: the ratio compares the same work).

The bare app's connections take loanflow's settings (JIT off, each statement planned for its values:
``core.database``), so both do the same database work; ``--bare-settings server`` lets the bare app
keep PostgreSQL's plan cache instead, which shows what loanflow's custom plans cost the database.

Reported: the median requests per second of each side, the ratio of the two medians, and the median of
each round's ratio (the two runs of a round are seconds apart: the machine's drift between rounds, which
moved the bare app's loan detail between 873 and 1,234 rps within one sitting, cancels out in a round's ratio); the target
(≥ 0.60) is met when both are; the load average before and after; non-2xx answers fail the run.

    .venv/bin/python bench/http_bench.py postgresql+psycopg://postgres@127.0.0.1:5432/loanflow_http
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TODAY = "2026-03-10"
os.environ.setdefault("LOANFLOW_TODAY", TODAY)
TARGET = 0.60
PORTS = {"loanflow": 8931, "bare": 8932}


def setup(url: str, rejects: int) -> tuple[str, int, list[int]]:
    """Build the database; return an officer's bearer secret, a loan to read, the loans to reject."""
    from sqlalchemy import select, text

    from config import Config
    from loanflow import create_app, demo
    from loanflow.accounts.models import User
    from loanflow.accounts.tokens import issue_token
    from loanflow.core import uow
    from loanflow.extensions import db
    from loanflow.loans.models import Loan
    from loanflow.loans.testing.factories import deposit, fresh_households, open_loan

    app = create_app(Config, {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.drop_all()
        db.create_all()
        demo.build_demo(30, case_builders=())
        clerk = db.session.scalar(select(User).where(User.username == "clerk"))
        officer = db.session.scalar(select(User).where(User.username == "officer"))
        deposit(clerk.county_code, "1000000.00")
        household = fresh_households(clerk.region_code)[0]
        read = open_loan(clerk, household)
        read_id, household_id = read.id, household.id
        uow.commit()
        cols = [
            c.key
            for c in Loan.__table__.columns
            if c.key not in ("id", "case_number", "household_id", "state")
        ]
        hcols = [
            c
            for c in (
                "village_code",
                "address",
                "status",
                "status_reason",
                "status_document",
                "monitoring",
                "attribute",
                "main_cause",
                "secondary_causes",
                "income_per_head",
                "account_type",
                "bank_account",
                "bank_name",
                "created_at",
                "updated_at",
                "version",
            )
        ]
        db.session.execute(
            text(
                f"INSERT INTO household ({', '.join(hcols)}) SELECT {', '.join(hcols)} FROM household, "
                f"generate_series(1, :n) WHERE id = :h"
            ),
            {"n": rejects, "h": household_id},
        )
        fresh = list(
            db.session.scalars(
                text("SELECT id FROM household WHERE id > :h ORDER BY id"), {"h": household_id}
            )
        )
        db.session.execute(
            text(
                f"INSERT INTO loan (case_number, household_id, state, {', '.join(cols)}) "
                f"SELECT 'BL-' || lpad(g::text, 7, '0'), household_id, 'repaid', {', '.join(cols)} "
                "FROM loan, generate_series(1, 2000) g WHERE id = :id"
            ),
            {"id": read_id},
        )
        db.session.execute(
            text(
                f"INSERT INTO loan (case_number, household_id, state, {', '.join(cols)}) "
                f"SELECT 'BR-' || lpad(h::text, 7, '0'), h, 'applied', {', '.join(cols)} "
                "FROM loan, unnest(CAST(:hs AS int[])) h WHERE id = :id"
            ),
            {"id": read_id, "hs": fresh[-rejects:]},
        )
        to_reject = list(
            db.session.scalars(text("SELECT id FROM loan WHERE case_number LIKE 'BR-%' ORDER BY id"))
        )
        secret, _token = issue_token(officer)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":  # the planner's statistics for the rows just written
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
    return secret, read_id, to_reject


def serve(which: str, url: str, documents: bool, bare_settings: str = "app") -> subprocess.Popen:
    env = {
        "BARE_PG_SETTINGS": bare_settings,
        "BENCH_DOCUMENTS": "1" if documents else "0",
        **os.environ,
        "DATABASE_URL": url,
        "LOANFLOW_TODAY": TODAY,
        "SECRET_KEY": "bench",
        "BARE_DSN": url.replace("postgresql+psycopg://", "postgresql://"),
    }
    target = "bench.loanflow_app:app" if which == "loanflow" else "bench.bare_app:app"
    proc = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{PORTS[which]}",
            "--log-level",
            "warning",
            target,
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            http.client.HTTPConnection("127.0.0.1", PORTS[which], timeout=1).request("GET", "/")
            return proc
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{which} did not start")


def ab(which: str, path: str, secret: str, n: int) -> float:
    out = subprocess.run(
        [
            "ab",
            "-q",
            "-n",
            str(n),
            "-c",
            "2",
            "-H",
            f"Authorization: Bearer {secret}",
            f"http://127.0.0.1:{PORTS[which]}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    bad = re.search(r"Non-2xx responses:\s+(\d+)", out)
    failed = int(re.search(r"Failed requests:\s+(\d+)", out).group(1))
    if bad or failed and which == "loanflow":
        raise SystemExit(f"{which} {path}: non-2xx or failed answers\n{out}")
    return float(re.search(r"Requests per second:\s+([\d.]+)", out).group(1))


def rejects(which: str, ids: list[int], secret: str) -> float:
    errors: list[str] = []

    def client(mine: list[int]) -> None:
        for loan_id in mine:
            c = http.client.HTTPConnection("127.0.0.1", PORTS[which])
            c.request(
                "POST",
                f"/api/v1/loans/{loan_id}/reject",
                body=json.dumps({"reason": "银行审查未通过"}),
                headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
            )
            r = c.getresponse()
            r.read()
            if r.status != 200:
                errors.append(f"{loan_id}: {r.status}")
            c.close()

    threads = [threading.Thread(target=client, args=(ids[i::2],)) for i in range(2)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise SystemExit(f"{which} reject: {errors[:5]}")
    return len(ids) / (time.perf_counter() - t0)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("-n", type=int, default=3000, help="requests per ab run")
    parser.add_argument("--per-round", type=int, default=400, help="rejects per side per round")
    parser.add_argument(
        "--bare-settings",
        choices=("app", "server"),
        default="app",
        help="the bare app's connection settings: loanflow's (JIT off, custom plans) or the server's plan cache",
    )
    parser.add_argument(
        "--documents",
        action="store_true",
        help="loanflow renders the documents a step issues (the bare app never)",
    )
    args = parser.parse_args()
    secret, read_id, to_reject = setup(args.url, 2 * args.rounds * args.per_round + 20)
    load_before = os.getloadavg()
    procs = [serve(w, args.url, args.documents, args.bare_settings) for w in PORTS]
    results: dict[str, dict[str, list[float]]] = {}
    try:
        for side in PORTS:  # warm both: imports, the first connection, the policy parsed
            ab(side, f"/api/v1/loans/{read_id}", secret, 50)
            rejects(side, [to_reject.pop() for _ in range(10)], secret)
        for r in range(args.rounds):
            order = list(PORTS) if r % 2 == 0 else list(reversed(PORTS))
            for name, run in (
                ("GET /api/v1/loans/{id}", lambda s: ab(s, f"/api/v1/loans/{read_id}", secret, args.n)),
                ("GET /api/v1/loans?page=1", lambda s: ab(s, "/api/v1/loans?page=1", secret, args.n)),
                (
                    "POST /api/v1/loans/{id}/reject",
                    lambda s: rejects(s, [to_reject.pop() for _ in range(args.per_round)], secret),
                ),
            ):
                for side in order:
                    results.setdefault(name, {}).setdefault(side, []).append(run(side))
    finally:
        for p in procs:
            p.terminate()
            p.wait()
    load_after = os.getloadavg()
    print(
        f"load average before {load_before[0]:.2f} {load_before[1]:.2f}, after {load_after[0]:.2f} {load_after[1]:.2f}"
        f"; the bare app's connection settings: {args.bare_settings}"
    )
    print(
        "| request | loanflow rps | bare rps | ratio of the medians | median of the rounds' ratios | target |\n"
        "| --- | --- | --- | --- | --- | --- |"
    )
    missed = False
    for name, sides in results.items():
        lf, bare = statistics.median(sides["loanflow"]), statistics.median(sides["bare"])
        paired = statistics.median(a / b for a, b in zip(sides["loanflow"], sides["bare"], strict=True))
        missed |= min(lf / bare, paired) < TARGET
        print(f"| `{name}` | {lf:.0f} | {bare:.0f} | {lf / bare:.2f} | {paired:.2f} | ≥ {TARGET:.2f} |")
    print(
        "runs:", json.dumps({k: {s: [round(x) for x in v] for s, v in d.items()} for k, d in results.items()})
    )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
