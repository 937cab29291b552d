"""Fixtures of the browser tests: the app served on a free local port, one Chromium for the session.

The tests are skipped, with the reason shown, where Chromium or Playwright is missing; CI installs
Debian's Chromium (`.ci/run`), and nothing is ever downloaded at run time.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.e2e.browser import CHROMIUM_ARGS, ROOT, Journey, chromium_path, unavailable

REASON = unavailable()


def pytest_collection_modifyitems(items):
    if REASON and os.environ.get("CODESIGN_REQUIRE_BROWSER"):
        raise pytest.UsageError(f"browser tests required (CODESIGN_REQUIRE_BROWSER) but {REASON}")
    if REASON:
        for item in items:
            if "/e2e/" in str(item.fspath):
                item.add_marker(pytest.mark.skip(reason=f"browser tests skipped: {REASON}"))


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def live_server(app_ctx):
    """The test app served over HTTP from a thread of this process (one database with the test)."""
    server = make_server("127.0.0.1", 0, app_ctx, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[FAILED] = report.failed
    return report


FAILED = pytest.StashKey[bool]()


@pytest.fixture()
def journey(request, chromium, live_server, tmp_path):
    """People in their own browser contexts; screenshots go to CODESIGN_SCREENSHOTS (make screenshots) or a tmp dir."""
    target = os.environ.get("CODESIGN_SCREENSHOTS")
    shots = Path(target) if target else tmp_path / "screenshots"
    if target and not shots.is_absolute():
        shots = ROOT / shots
    j = Journey(chromium, live_server, shots)
    yield j
    if request.node.stash.get(FAILED, False):
        # Where each person was when the test failed: URL and the page's text (and a picture in tmp_path).
        for n, context in enumerate(j.contexts):
            for page in context.pages:
                page.screenshot(path=str(tmp_path / f"failure-{n}.png"), full_page=True)
                print(f"--- context {n} at {page.url} ---\n{page.locator('body').inner_text()[:3000]}")
    j.close()
