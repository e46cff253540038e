"""The Chromium browser for the tests under tests/e2e/ (Playwright's Python sync API).

`.ci/run` installs Debian's chromium when it is missing; without it the browser tests fail
rather than skip, so a missing browser cannot pass unnoticed.

The browser starts at the beginning of the session, before any database is set up, whenever
the session includes browser tests. Playwright's sync API switches greenlets and marks this
thread as running an event loop; Django keeps its database connections in context-local
storage, and a browser started after the test database was set up leaves the tests with a new
connection object that has lost the serialized copy of the migrations' data (role groups,
catalogs) that transactional tests restore from. For the same reason the session allows
synchronous ORM calls from the test thread (DJANGO_ALLOW_ASYNC_UNSAFE): the tests are
synchronous; only Playwright's loop is not.
"""

import os
import shutil

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps trying to reach Google's services,
# which a closed network refuses; --no-sandbox because CI runs as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session", autouse=True)
def browser(request):
    if not any(item.get_closest_marker("e2e") for item in request.session.items):
        yield None
        return
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()
