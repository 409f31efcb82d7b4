"""Import the seed county's whole register (18,490 households, 44,831 members) and time it.

    .venv/bin/python bench/import_register.py                       # SQLite
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/loanflow_bench \\
        .venv/bin/python bench/import_register.py                   # SQLite, then PostgreSQL

The register is generated deterministically (valid ID numbers, Luhn card
numbers, the demo county's 87 villages) as one xlsx. Each measurement runs in a
fresh subprocess that builds an empty database (the PostgreSQL database named
is dropped and recreated table by table: give it a scratch one), seeds the
regions and a county-level clerk, then imports the file (a real run: one
transaction, one audit event). Peak memory is ``ru_maxrss`` of that process;
the baseline is its ``ru_maxrss`` just before the import (interpreter, app,
SQLAlchemy, openpyxl loaded). The script exits non-zero when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("LOANFLOW_TODAY", "2026-03-10")

HOUSEHOLDS, MEMBERS = 18_490, 44_831  # 全县共识别贫困户18490户44831人 (the seed county's report)
TARGET_SECONDS, TARGET_MIB = 20.0, 500.0
STATUS = ["未脱贫", "已脱贫", "已脱贫", "返贫"]
MONITORING = ["无", "无", "无", "脱贫不稳定户", "边缘易致贫户", "突发严重困难户"]
ATTRIBUTE = ["一般户", "一般户", "低保户", "特困供养户"]
CAUSES = ["因病", "因残", "因学", "缺资金", "缺技术", "缺劳动力", "缺土地", "交通条件落后"]
LABOUR = ["技能劳动力", "普通劳动力", "普通劳动力", "弱劳动力", "无劳动力"]


def _sizes(rng: random.Random) -> list[int]:
    sizes = rng.choices([1, 2, 3, 4, 5, 6], weights=[22, 30, 22, 15, 8, 3], k=HOUSEHOLDS)
    while (diff := MEMBERS - sum(sizes)) != 0:
        i = rng.randrange(HOUSEHOLDS)
        if diff > 0 and sizes[i] < 8:
            sizes[i] += 1
        elif diff < 0 and sizes[i] > 1:
            sizes[i] -= 1
    return sizes


def _card(rng: random.Random) -> str:
    digits = "621799" + "".join(str(rng.randrange(10)) for _ in range(12))
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return digits + str((10 - total % 10) % 10)


def generate(path: Path) -> None:
    """The register as the county keeps it: one row per member, household columns repeated."""
    from openpyxl import Workbook

    from loanflow.core.domain.idcard import check_character
    from loanflow.demo import COUNTY, GIVEN, SURNAMES, VILLAGES_PER_TOWNSHIP
    from loanflow.households.domain.register_layout import HEADERS

    rng = random.Random(18490)
    villages = [
        f"{COUNTY[0]}{t:03d}{v:03d}" for t, n in enumerate(VILLAGES_PER_TOWNSHIP, 1) for v in range(1, n + 1)
    ]
    seen: set[str] = set()

    def id_number(birth: date) -> str:
        while True:
            first17 = f"{COUNTY[0]}{birth:%Y%m%d}{rng.randrange(1000):03d}"
            if first17 not in seen:
                seen.add(first17)
                return first17 + check_character(first17)

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("建档立卡户")
    ws.append(list(HEADERS))
    for h, size in enumerate(_sizes(rng), start=1):
        village = villages[h % len(villages)]
        monitoring = rng.choice(MONITORING)
        household = [
            f"{h:05d}",
            village,
            "",
            f"{rng.randint(1, 12)}组{rng.randint(1, 90)}号",
            rng.choice(STATUS),
            monitoring,
            "2025-06-30" if monitoring != "无" else "",
            rng.choice(ATTRIBUTE),
            rng.choice(CAUSES),
            "、".join(rng.sample(CAUSES, k=rng.randint(0, 2))),
            f"{rng.randint(3000, 15000)}.{rng.randrange(100):02d}",
            "一卡通",
            _card(rng),
            "裕安区农村商业银行",
        ]
        surname = rng.choice(SURNAMES)
        head_birth = date(rng.randint(1950, 1995), rng.randint(1, 12), rng.randint(1, 28))
        for i in range(size):
            relation = "户主" if i == 0 else ("配偶" if i == 1 else "子女")
            birth = (
                head_birth
                if i == 0
                else head_birth
                + timedelta(days=rng.randint(-1500, 1500) if i == 1 else rng.randint(7000, 11000))
            )
            infant = i > 1 and rng.random() < 0.01
            ws.append(
                household
                + [
                    surname + rng.choice(GIVEN) + rng.choice(GIVEN),
                    "" if infant or birth > date(2026, 3, 1) else id_number(birth),
                    "婴儿，未落户" if infant or birth > date(2026, 3, 1) else "",
                    relation,
                    rng.choice(LABOUR),
                    f"13{rng.randint(100000000, 999999999)}" if i == 0 else "",
                ]
            )
    wb.save(path)


def child(url: str, path: Path) -> None:
    """One measurement in this (fresh) process; prints one JSON line."""
    from config import Config
    from loanflow import create_app
    from loanflow.accounts.services import create_region, create_user
    from loanflow.demo import COUNTY, TOWNSHIPS, VILLAGES_PER_TOWNSHIP
    from loanflow.extensions import db

    app = create_app(Config, {"SQLALCHEMY_DATABASE_URI": url, "LOANFLOW_TODAY": os.environ["LOANFLOW_TODAY"]})
    with app.app_context():
        db.drop_all()
        db.create_all()
        create_region(None, COUNTY[0], COUNTY[1])
        for t, (name, n) in enumerate(zip(TOWNSHIPS, VILLAGES_PER_TOWNSHIP, strict=True), start=1):
            create_region(None, f"{COUNTY[0]}{t:03d}", name)
            for v in range(1, n + 1):
                create_region(None, f"{COUNTY[0]}{t:03d}{v:03d}", f"村{t:02d}{v:02d}")
        clerk = create_user(
            None,
            username="county-clerk",
            full_name="县级经办员",
            role="clerk",
            region_code=COUNTY[0],
            password="x" * 16,
        )
        db.session.commit()
        import openpyxl  # noqa: F401  (loaded before the baseline, like a warm worker)

        from loanflow.households.register_io import import_households

        data = path.read_bytes()
        before = resource.getrusage(resource.RUSAGE_SELF)
        start = time.perf_counter()
        report = import_households(clerk, data, path.name, village_scope=COUNTY[0], dry_run=False)
        seconds = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_SELF)
        baseline, peak = before.ru_maxrss, after.ru_maxrss
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        assert report.written and not report.errors, report.errors[:5]
        from loanflow.households.register_export import export_households

        start = time.perf_counter()
        with tempfile.TemporaryFile() as out:
            exported = export_households(clerk, out, "xlsx")
        export_seconds = time.perf_counter() - start
        assert exported.members == report.members
        print(
            json.dumps(
                {
                    "database": db.engine.dialect.name,
                    "households": report.households,
                    "members": report.members,
                    "seconds": round(seconds, 2),
                    "cpu_seconds": round(
                        cpu, 2
                    ),  # this process only; the database server's work is not in it
                    "baseline_mib": round(baseline / 1024, 1),
                    "peak_mib": round(peak / 1024, 1),
                    "export_xlsx_seconds": round(export_seconds, 2),  # the same register back out, streaming
                }
            )
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--child", nargs=2, metavar=("URL", "FILE"), help=argparse.SUPPRESS)
    parser.add_argument("--keep", type=Path, help="Also keep the generated xlsx at this path.")
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="loanflow-bench-"))
    path = args.keep or tmp / "register.xlsx"
    start = time.perf_counter()
    generate(path)
    print(
        f"generated {path.name}: {path.stat().st_size / 2**20:.1f} MiB in {time.perf_counter() - start:.1f} s"
    )
    urls = [f"sqlite:///{tmp}/bench.db"]
    if os.environ.get("BENCH_DATABASE_URL"):
        urls.append(os.environ["BENCH_DATABASE_URL"])
    ok = True
    for url in urls:
        out = subprocess.run(
            [sys.executable, __file__, "--child", url, str(path)], capture_output=True, text=True, cwd=ROOT
        )
        if out.returncode != 0:
            print(out.stderr, file=sys.stderr)
            return 1
        result = json.loads(out.stdout.strip().splitlines()[-1])
        met = result["seconds"] < TARGET_SECONDS and result["peak_mib"] < TARGET_MIB
        ok = ok and met
        print(json.dumps(result), "" if met else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
