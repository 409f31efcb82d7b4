"""A county at scale on PostgreSQL: households, loans and subsidies in every state, with valid audit chains.

    .venv/bin/python bench/generate.py --loans 100000 --url postgresql+psycopg://postgres@127.0.0.1:5432/lf_bench

Deterministic (one seed, the same rows every run). The schema comes from the migrations;
the county's regions, branches, users and the policy go through the app's own services (so
their audit events are the app's); the cases go in by COPY (no ORM), with the audit events
each case's history implies appended to the county's hash chain with the audit feature's own
hashing (``audit.services.link_hash`` over ``event_payload``), so ``flask loanflow verify-audit``
passes. ``--loans N`` makes N loans, N/2 subsidy cases and 3N/4 households (the proportions
of the province-scale measurement: 1M loans, 500k subsidies, 750k households) over 40
townships and 812 villages, villages of uneven size; states, dates (three years up to the
business date) and stage deadlines in working days are drawn so that about one waiting case
in three is past its deadline. Foreign keys are not checked during the load
(``session_replication_role = replica``): the generator writes the keys it made itself.
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

COUNTY = "341503"
TOWNSHIPS = 40
VILLAGES = 812
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "德明华国建文秀英兰芳春桂玉志海军平强红梅伟勇敏静丽涛超霞刚琴云峰"
LOAN_STATES = (  # (state, share of loans)
    ("applied", 0.03), ("rated", 0.02), ("credited", 0.02), ("disbursed", 0.45), ("overdue", 0.04),
    ("recalled", 0.008), ("repaid", 0.35), ("compensated", 0.007),
    ("rejected", 0.05), ("withdrawn", 0.025),
)  # fmt: skip
SUBSIDY_STATES = (
    ("applied", 0.06), ("verified", 0.04), ("publicized", 0.04), ("approved", 0.03), ("disbursed", 0.70),
    ("rejected", 0.08), ("withdrawn", 0.05),
)  # fmt: skip
INDUSTRIES = (
    ("pig", 20000, "head"),
    ("poultry", 30000, "100"),
    ("tea", 50000, "mu"),
    ("kiwi", 80000, "mu"),
    ("silkworm", 40000, "mu"),
    ("konjac", 60000, "mu"),
)  # fmt: skip  (rate in fen per unit)
CAP = 300000  # fen
LOAN_DEADLINES = {"applied": 5, "rated": 5, "credited": 7, "extension_requested": 5}
SUBSIDY_DEADLINES = {"applied": 5, "verified": 5, "publicized": 5, "approved": 5}
WEIGHTS = [0.0300, 0.0350]
N = "\\N"


def luhn(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return digits + str((10 - total % 10) % 10)


def id_number(birth: date, seq: int) -> str:
    from loanflow.core.domain.idcard import check_character

    first17 = f"{COUNTY}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_character(first17)


class Workdays:
    """Working days as a sorted list, so that "n working days after d" is one bisect."""

    def __init__(self, first: date, last: date):
        from loanflow.core.domain.workdays import WorkCalendar

        cal = WorkCalendar()
        self.days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        self.days = [d for d in self.days if cal.is_working_day(d)]

    def add(self, d: date, n: int) -> date:
        return self.days[bisect.bisect_right(self.days, d) + n - 1]


class Copier:
    """Rows as COPY text, spooled to a temporary file and copied in one COPY when closed (one connection
    runs one COPY at a time, and a loan writes its disbursement and plan lines beside it)."""

    def __init__(self, cursor, table: str, columns: list[str]):
        self.cursor, self.table, self.columns, self.count = cursor, table, columns, 0
        self._file = tempfile.TemporaryFile("w+", encoding="utf-8")

    def row(self, values) -> None:
        self._file.write("\t".join(values))
        self._file.write("\n")
        self.count += 1

    def close(self) -> None:
        self._file.seek(0)
        with self.cursor.copy(f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN") as copy:
            while chunk := self._file.read(1 << 22):
                copy.write(chunk)
        self._file.close()


def s(value) -> str:
    """One value as COPY text."""
    if value is None:
        return N
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    return str(value)


# An audit event waiting for its place in the chain: (epoch seconds, entity type, entity id, action,
# (actor id, login, role), before JSON or None, after JSON). Tuples, not objects: a million loans make
# six million of them, sorted by time before they are linked.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def stamp(d: date, rng: random.Random) -> int:
    """A moment of office hours on ``d`` (Asia/Shanghai, 09:00–17:00), as epoch seconds."""
    return int((datetime(d.year, d.month, d.day, 1, 0, tzinfo=UTC) - EPOCH).total_seconds()) + rng.randrange(
        28800
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, default=10000)
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--today", default="2026-11-30")
    parser.add_argument("--seed", type=int, default=5321)
    args = parser.parse_args()
    if not args.url.startswith("postgresql"):
        parser.error("--url (or BENCH_DATABASE_URL) must name a PostgreSQL database it may drop and rebuild")
    os.environ["LOANFLOW_TODAY"] = args.today
    started = time.perf_counter()
    recreate(args.url)
    app = make_app(args.url)
    with app.app_context():
        base = build_base()
        print(f"schema and county: {time.perf_counter() - started:.1f} s", flush=True)
        counts = load_cases(base, args.loans, date.fromisoformat(args.today), random.Random(args.seed))
    took = time.perf_counter() - started
    print(json.dumps({"loans": args.loans, **counts, "seconds": round(took, 1)}), flush=True)
    return 0


def recreate(url: str) -> None:
    import psycopg

    base, name = url.replace("postgresql+psycopg", "postgresql").rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def make_app(url: str):
    from config import Config
    from loanflow import create_app

    return create_app(Config, {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})


def build_base() -> dict:
    """Schema by migration; regions, branches, users and the policy through the services."""
    from flask_migrate import upgrade

    from loanflow.accounts.services import create_branch, create_region, create_user
    from loanflow.core import uow
    from loanflow.policy.services import current_policy

    upgrade()
    rng = random.Random(1)
    create_region(None, COUNTY, "裕安区")
    per = [VILLAGES // TOWNSHIPS + (1 if t < VILLAGES % TOWNSHIPS else 0) for t in range(TOWNSHIPS)]
    towns, villages = [], []
    for t in range(TOWNSHIPS):
        tcode = f"{COUNTY}{t + 1:03d}"
        create_region(None, tcode, f"第{t + 1}镇")
        towns.append(tcode)
        for v in range(per[t]):
            vcode = f"{tcode}{v + 1:03d}"
            create_region(None, vcode, f"{SURNAMES[(t + v) % len(SURNAMES)]}{GIVEN[v % len(GIVEN)]}村")
            villages.append(vcode)
    branches = []
    for b in range(4):
        served = towns[b * 10 : (b + 1) * 10]
        branch = create_branch(
            None,
            name=f"网点{b + 1}",
            bank="农村商业银行",
            address="",
            county_code=COUNTY,
            township_codes=served,
        )
        branches.append(branch.id)

    def user(username, role, region, branch=None):
        u = create_user(
            None, username=username, full_name=username, role=role, region_code=region,
            password="bench-password", branch_id=branch,
        )  # fmt: skip
        return (u.id, username, role)

    users = {
        "clerk": [user(f"clerk{t:02d}", "clerk", towns[t]) for t in range(TOWNSHIPS)],
        "officer": [
            [user(f"officer{b}{k}", "bank_officer", COUNTY, branches[b]) for k in range(3)] for b in range(4)
        ],
        "approver": [user(f"approver{t:02d}", "approver", towns[t]) for t in range(TOWNSHIPS)],
        "county": [user("approver_county", "approver", COUNTY), user("approver_county2", "approver", COUNTY)],
    }
    user("supervisor", "supervisor", COUNTY)
    user("supervisor_t01", "supervisor", towns[0])
    user("admin", "admin", COUNTY)
    current_policy()
    uow.commit()
    sizes = [rng.lognormvariate(0, 0.6) for _ in villages]  # villages of uneven size
    return {
        "towns": towns,
        "villages": villages,
        "weights": sizes,
        "branches": branches,
        "users": users,
        "rng": rng,
    }


def load_cases(base: dict, n_loans: int, today: date, rng: random.Random) -> dict:
    from loanflow.extensions import db

    raw = db.engine.raw_connection()
    conn = raw.driver_connection
    cur = conn.cursor()
    cur.execute("SET session_replication_role = replica")  # the generator's own keys: no FK checks per row
    cur.execute("SET synchronous_commit = off")
    dropped = drop_indexes(cur, ("household", "member", "loan", "disbursement", "loan_schedule_line",
                                 "subsidy_case", "publicity", "publicity_entry", "subsidy_cap", "audit_event"))  # fmt: skip
    work = Workdays(today - timedelta(days=1800), today + timedelta(days=400))
    events: list[tuple] = []
    t0 = time.perf_counter()
    households = load_households(cur, base, int(n_loans * 0.75), today, rng)
    print(f"households: {time.perf_counter() - t0:.1f} s", flush=True)
    from bench.generate_cases import load_loans, load_subsidies

    t0 = time.perf_counter()
    n_lines = load_loans(cur, base, households, n_loans, today, rng, work, events)
    print(f"loans: {time.perf_counter() - t0:.1f} s", flush=True)
    t0 = time.perf_counter()
    load_subsidies(cur, base, households, n_loans // 2, today, rng, work, events)
    print(f"subsidies: {time.perf_counter() - t0:.1f} s", flush=True)
    t0 = time.perf_counter()
    n_events = load_events(cur, events, rng)
    events.clear()
    print(f"audit events: {time.perf_counter() - t0:.1f} s", flush=True)
    t0 = time.perf_counter()
    for statement in dropped:
        cur.execute(statement)
    cur.execute("SET session_replication_role = DEFAULT")
    for table in ("household", "member", "loan", "loan_schedule_line", "subsidy_case", "audit_event"):
        cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    conn.commit()
    conn.autocommit = True
    cur.execute("VACUUM ANALYZE")
    print(f"indexes and analyze: {time.perf_counter() - t0:.1f} s", flush=True)
    raw.close()
    return {"households": len(households["village"]), "schedule_lines": n_lines, "audit_events": n_events}


def drop_indexes(cur, tables: tuple[str, ...]) -> list[str]:
    """Drop the tables' plain indexes (not keys) for the load; the statements that put them back."""
    cur.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint)",
        (list(tables),),
    )
    rows = cur.fetchall()
    for name, _ in rows:
        cur.execute(f'DROP INDEX "{name}"')
    return [definition for _, definition in rows]


def load_households(cur, base: dict, count: int, today: date, rng: random.Random) -> dict:
    """Households (3N/4) of weighted villages, each with a head and mostly a spouse and a child."""
    villages, weights = base["villages"], base["weights"]
    chosen = rng.choices(range(len(villages)), weights=weights, k=count)
    hh = Copier(cur, "household", ["id", "village_code", "address", "status", "status_reason", "status_document",
        "monitoring", "attribute", "main_cause", "secondary_causes", "income_per_head", "account_type",
        "bank_account", "bank_name", "created_at", "updated_at", "version"])  # fmt: skip
    mm = Copier(cur, "member", ["id", "household_id", "name", "id_number", "no_id_reason", "sex", "birth_date",
        "relation", "labour", "phone", "village_code", "id_tail"])  # fmt: skip
    now = datetime(2023, 1, 3, 2, tzinfo=UTC)
    head_birth0, other_birth0 = date(1962, 1, 1), date(1950, 1, 1)
    member_id, others = 0, 0
    heads, names, accounts, id_numbers = [], [], [], []
    statuses = ("not_out", "out", "out", "out", "relapsed")
    causes = ("illness", "disability", "schooling", "no_funds", "no_skills", "no_labour", "disaster")
    for i, v in enumerate(chosen):
        hid = i + 1
        account = luhn(f"621799{hid:012d}")
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i // 7) % len(GIVEN)] + GIVEN[(i // 3) % len(GIVEN)]
        hh.row([str(hid), villages[v], f"{1 + i % 9}组{1 + i % 60}号", statuses[i % 5], "", "",
                "none" if i % 23 else "unstable", "general" if i % 7 else "dibao", causes[i % 7], "[]",
                str(300000 + (i * 7919) % 900000), "card", account, "农村商业银行", s(now), s(now), "1"])  # fmt: skip
        member_id += 1
        birth = head_birth0 + timedelta(days=i % 15000)
        seq = i // 15000
        idn = id_number(birth, seq)
        id_numbers.append(idn)
        mm.row([str(member_id), str(hid), name, idn, "", "male" if seq % 2 else "female",
                birth.isoformat(), "head", "normal", f"139{hid:08d}", villages[v], idn[-4:]])  # fmt: skip
        heads.append(member_id)
        names.append(name)
        accounts.append(account)
        for relation, share in (("spouse", 0.8), ("child", 0.5)):
            if rng.random() < share:
                member_id += 1
                birth = other_birth0 + timedelta(days=others % 21900)
                seq = 500 + others // 21900
                others += 1
                other = id_number(birth, seq)
                mm.row([str(member_id), str(hid), name[0] + GIVEN[others % len(GIVEN)], other, "",
                        "male" if seq % 2 else "female", birth.isoformat(), relation, "normal", "",
                        villages[v], other[-4:]])  # fmt: skip
    hh.close()
    mm.close()
    return {"village": chosen, "head": heads, "name": names, "account": accounts, "id_number": id_numbers}


def load_events(cur, events: list[tuple], rng: random.Random) -> int:
    """The cases' events in time order, appended to the county chain after what the services wrote."""
    from loanflow.audit.services import event_payload, link_hash

    cur.execute("SELECT seq, hash FROM audit_chain_head WHERE chain = %s", (COUNTY,))
    seq, prev = cur.fetchone()
    cur.execute("SELECT max(id) FROM audit_event")
    next_id = cur.fetchone()[0] + 1
    events.sort()
    out = Copier(cur, "audit_event", ["id", "chain", "seq", "prev_hash", "hash", "occurred_at", "actor_id", "actor",
        "role", "action", "entity_type", "entity_id", "before", "after", "reason", "request_id"])  # fmt: skip
    parsed: dict[str, dict] = {}  # the few distinct payloads, parsed once
    for at, entity_type, entity_id, action, actor, before, after in events:
        seq += 1
        when = EPOCH + timedelta(seconds=at)
        row = {"chain": COUNTY, "seq": seq, "occurred_at": when, "actor_id": actor[0], "actor": actor[1],
               "role": actor[2], "action": action, "entity_type": entity_type, "entity_id": str(entity_id),
               "before": None if before is None else parsed.setdefault(before, json.loads(before)),
               "after": parsed.setdefault(after, json.loads(after)), "reason": "", "request_id": ""}  # fmt: skip
        digest = link_hash(prev, event_payload(row))
        out.row([str(next_id), COUNTY, str(seq), prev, digest, s(when), s(actor[0]), actor[1], actor[2],
                 action, entity_type, str(entity_id), before or N, after, "", ""])  # fmt: skip
        prev, next_id = digest, next_id + 1
    out.close()
    cur.execute("UPDATE audit_chain_head SET seq = %s, hash = %s WHERE chain = %s", (seq, prev, COUNTY))
    return out.count


if __name__ == "__main__":
    sys.exit(main())
