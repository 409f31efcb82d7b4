"""Browser fixtures: the app served by a real HTTP server in a thread, driven by Debian's chromium.

One browser per session; one server per session against the test database. The server's
threads need connections of their own, so a test using it is marked ``truncate`` and
``browser`` (see ``loanflow.testing.fixtures``): its ``demo`` is built in the scratch
database, emptied afterwards. Screenshots go to ``$LOANFLOW_SCREENSHOTS`` when set, else
to a temporary directory.
"""

from __future__ import annotations

import os
import threading

import pytest
from werkzeug.serving import make_server

from loanflow.extensions import db

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium():
    if not os.path.exists(CHROMIUM):  # make test installs it; a run without it must not pass quietly
        pytest.fail(f"{CHROMIUM} is not installed: run `make test` (or apt-get install chromium)")
    from playwright import sync_api

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def live_server(_app):
    """The app on 127.0.0.1 at a free port; every request gets its own app context."""
    server = make_server("127.0.0.1", 0, _app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def shots(tmp_path_factory):
    path = os.environ.get("LOANFLOW_SCREENSHOTS") or str(tmp_path_factory.mktemp("screens"))
    os.makedirs(path, exist_ok=True)
    return path


@pytest.fixture
def open_page(chromium, live_server, demo):
    """``open_page(width=1280)`` → a fresh browser page (its own cookies) on the demo county."""
    contexts = []

    def _open(width: int = 1280, height: int = 900):
        # the test's own session must not hold SQLite's write lock while the server works
        db.session.close()
        ctx = chromium.new_context(viewport={"width": width, "height": height}, base_url=live_server)
        ctx.set_default_timeout(10_000)
        contexts.append(ctx)
        return ctx.new_page()

    yield _open
    for ctx in contexts:
        ctx.close()


def follow(page, target) -> None:
    """Click what loads a page (a link, a form's submit button); return once that page has loaded.

    ``target`` is a selector (clicked as ``page.click`` does) or a locator. A click only starts
    the navigation: read straight after it, the page may still be the one being left, or the
    new one before it is parsed (an empty title). A check after a navigation uses this.
    """
    with page.expect_navigation():
        if isinstance(target, str):
            page.click(target)
        else:
            target.click()


def screenshot(page, path: str) -> None:
    """The whole page to ``path``. The page is brought to the front first: with a second page open (an
    officer beside a supervisor), chromium may not paint the one behind ("Unable to capture screenshot")."""
    page.bring_to_front()
    page.screenshot(path=path, full_page=True)


def log_in(page, username: str) -> None:
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo-password")
    page.click("main button[type=submit]")
    page.wait_for_url("**/")


def fits_the_window(page) -> bool:
    """Nothing wider than the window (no sideways scrolling of the page itself).

    Waits for the document first: right after a click that navigates, the new document may be
    committed but not yet parsed, and ``documentElement`` is then null.
    """
    page.wait_for_load_state()
    page.wait_for_function("document.documentElement !== null && document.readyState === 'complete'")
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
