"""The app fixtures: one app per test run, each test in a transaction rolled back at its end.

``app`` gives the app with an EMPTY database; a test that also uses ``demo`` gets the
demo county instead (built once per run, see ``loanflow.testing.database``). Markers:

- ``bare_demo``: ``demo`` is the county without seeded cases (regions, users, households);
- ``truncate``: the test's threads race through connections of their own, so it cannot run
  inside one transaction: it gets a scratch database, builds its county itself and the
  database is emptied afterwards (tests that use the browser's live server get it too);
- ``postgres_only``: skipped unless ``TEST_DATABASE_URL`` is a PostgreSQL database;
- ``browser``: drives chromium (every test under ``tests/browser/`` or using ``chromium``);
  ``-m "not browser"`` leaves them out.

The app's configuration is put back after each test, and the parsed policy versions
are forgotten, so nothing a test changes outside the database reaches the next one.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from loanflow.extensions import db
from loanflow.testing.database import TestDatabases, build_county, reset_process_state, test_database_url

os.environ.setdefault("LOANFLOW_TODAY", "2026-03-10")

_SUMMARY = pytest.StashKey[dict]()  # what build_demo answered for the county the test runs on
THREADED_FIXTURES = ("live_server",)  # fixtures that serve the app from another thread
BROWSER_FIXTURES = ("chromium", "open_page")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    on_postgres = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")
    skip_sqlite = pytest.mark.skip(reason="PostgreSQL only: set TEST_DATABASE_URL")
    for item in items:
        names = getattr(item, "fixturenames", ())
        under_browser = Path(item.path).is_relative_to(Path(config.rootpath) / "tests" / "browser")
        if under_browser or any(f in names for f in BROWSER_FIXTURES):
            item.add_marker(pytest.mark.browser)
        if any(f in names for f in THREADED_FIXTURES):
            item.add_marker(pytest.mark.truncate)
        if item.get_closest_marker("postgres_only") and not on_postgres:
            item.add_marker(skip_sqlite)


@pytest.fixture(scope="session")
def _app() -> Iterator[Flask]:
    """The one app of the run (per xdist worker), on the empty database."""
    from config import TestConfig
    from loanflow import create_app

    url = test_database_url("empty")
    overrides: dict[str, Any] = {"SQLALCHEMY_DATABASE_URI": url}
    if url.startswith("postgresql"):
        # tests only: commits need not wait for the disk
        overrides["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"options": "-c synchronous_commit=off"}}
    app = create_app(TestConfig, overrides)
    app.config["ISSUE_DOCUMENTS_ON_ACTIONS"] = False  # renders cost 100–250 ms; documents tests turn it on
    yield app


@pytest.fixture(scope="session")
def _databases(_app: Flask) -> Iterator[TestDatabases]:
    databases = TestDatabases(_app)
    yield databases
    databases.dispose()


def _county(request: pytest.FixtureRequest) -> str | None:
    """Which county the test needs: ``demo``, ``bare`` (marked ``bare_demo``) or none."""
    if "demo" not in request.fixturenames:
        return None
    return "bare" if request.node.get_closest_marker("bare_demo") else "demo"


@pytest.fixture
def app(_databases: TestDatabases, request: pytest.FixtureRequest) -> Iterator[Flask]:
    """The app with an empty database (the demo county if the test uses ``demo``), in an app
    context; whatever the test writes is rolled back (or, marked ``truncate``, emptied) after it."""
    app = _databases.app
    county = _county(request)
    threaded = request.node.get_closest_marker("truncate") is not None
    config = dict(app.config)
    reset_process_state(app)
    scope = _databases.truncated_after() if threaded else _databases.rolled_back(county or "empty")
    with scope:
        ctx = app.app_context()
        ctx.push()
        try:
            if threaded:
                request.node.stash[_SUMMARY] = build_county(county == "demo") if county else {}
            else:
                request.node.stash[_SUMMARY] = _databases.summary(county) if county else {}
            yield app
        finally:
            db.session.remove()
            ctx.pop()
            app.config.clear()
            app.config.update(config)
            reset_process_state(app)


@pytest.fixture
def client(app: Flask):
    return app.test_client()


@pytest.fixture
def demo(app: Flask, request: pytest.FixtureRequest) -> dict[str, Any]:
    """The demo county with 30 households (users: clerk, clerk2, officer, … password demo-password);
    without seeded cases when the test is marked ``bare_demo``."""
    summary = request.node.stash.get(_SUMMARY, None)
    if not summary:
        raise RuntimeError(
            "`demo` was asked for after `app` had chosen the empty database: request it by name"
        )
    return copy.deepcopy(summary)
