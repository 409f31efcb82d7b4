"""The fixtures live with their features (``loanflow/<feature>/testing/fixtures.py``); this loads them.

SQLite by default (files, so threads share them); PostgreSQL when TEST_DATABASE_URL is
set. The databases are built once per run (per xdist worker) and each test is rolled
back at its end: see ``loanflow.testing.database``.
"""

from __future__ import annotations

import os

os.environ.setdefault("LOANFLOW_TODAY", "2026-03-10")

from loanflow.api.schema import checking  # noqa: E402

checking(True)  # every response the suite makes is dumped twice: compiled and by marshmallow, and compared

pytest_plugins = [
    "loanflow.testing.fixtures",
    "loanflow.accounts.testing.fixtures",
    "loanflow.loans.testing.fixtures",
    "loanflow.supervision.testing.fixtures",
    "loanflow.supervision.dashboard.testing.fixtures",
    "loanflow.web.testing.fixtures",
    "loanflow.web.testing.browser",
]
