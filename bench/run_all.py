"""Run every benchmark once (`make bench`); each prints its figures and exits non-zero on a missed target.

PostgreSQL is measured too when BENCH_DATABASE_URL names a database the benchmarks may empty; the
supervision benchmarks run when BENCH_SUPERVISION_URLS names the databases bench/generate.py built.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    postgres = os.environ.get("BENCH_DATABASE_URL")
    runs = [
        [sys.executable, str(HERE / "transition.py"), "--no-sync"]
        + (["--postgres", postgres] if postgres else []),
        [sys.executable, str(HERE / "import_register.py")],
        [sys.executable, str(HERE / "documents.py")],
        [sys.executable, str(HERE / "pages.py")] + (["--postgres", postgres] if postgres else []),
    ]
    if postgres:  # loanflow under gunicorn against the bare app (needs ``ab``, apache2-utils)
        runs.append([sys.executable, str(HERE / "http_bench.py"), postgres])
    # supervision at scale: the databases bench/generate.py built (10k, 100k, 1M loans), space-separated
    scaled = os.environ.get("BENCH_SUPERVISION_URLS", "").split()
    if scaled:
        runs.append([sys.executable, str(HERE / "supervision.py"), *scaled])
        runs += [[sys.executable, str(HERE / "lists.py"), url] for url in scaled]  # first pages at scale
    failed = []
    for command in runs:
        print(f"== {Path(command[1]).name}", flush=True)
        if subprocess.run(command, cwd=HERE.parent).returncode != 0:
            failed.append(Path(command[1]).name)
    if failed:
        print("targets missed: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
