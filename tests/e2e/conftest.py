"""Browser tests: Playwright (Python) driving Debian's Chromium against pytest-django's live
server (the browser itself is started by tests/browser.py)."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD


@pytest.fixture
def page(browser, live_server) -> Page:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def login(page):
    """Log in through the real login form (and the TOTP step when the user has one)."""

    def do_login(user, password: str = PASSWORD) -> Page:
        page.goto("/accounts/login/")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        if "/accounts/2fa/authenticate" in page.url:
            from tests.totp import current_code

            page.get_by_label("Authenticator code").fill(current_code())
            page.get_by_role("button", name="Verify").click()
        expect(page.get_by_role("button", name="Log out")).to_be_visible()
        return page

    return do_login


_axe = Axe()


def assert_accessible(page: Page) -> None:
    """No serious or critical axe-core violations on the current page."""
    results = _axe.run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    details = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']]}" for v in serious
    )
    assert not serious, f"accessibility violations on {page.url}:\n{details}"
