"""Fixtures for the browser tests: the reader served on loopback, and one headless Chromium.

Every test under tests/browser/ is marked `browser`. When Chromium, chromedriver or the npm
test tools are missing the tests skip with the reason, except in CI (CI=true), where they fail.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .harness import (
    REPO,
    missing_browser_tools,
    missing_html_checker_tools,
    reset_browser,
    serve_wsgi,
    skip_or_fail_if_missing,
    start_chromium,
)

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """Base URL (no trailing slash) of the reader serving content/, by waitress on loopback."""
    from reader.web import create_app

    app = create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": str(REPO / "content"),
            "INSTANCE_DIR": str(tmp_path_factory.mktemp("instance")),
        }
    )
    with serve_wsgi(app) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """One headless Chromium (a Selenium WebDriver) for the whole session."""
    skip_or_fail_if_missing(missing_browser_tools())
    driver = start_chromium(tmp_path_factory.mktemp("chromium-profile"))
    yield driver
    driver.quit()


@pytest.fixture
def clean_browser(browser, live_server):
    """The session's Chromium as on a first visit: default window, no cookies, empty log,
    and nothing kept in the shared server's local or session storage (the player keeps
    the place last read there: an earlier test's place is not this test's visitor's)."""
    reset_browser(browser)
    browser.execute_cdp_cmd(
        "Storage.clearDataForOrigin",
        {"origin": live_server, "storageTypes": "local_storage,session_storage"},
    )
    return browser


@pytest.fixture(scope="session")
def html_checker():
    """Skip (or, in CI, fail) unless java and vnu.jar are here; then `validate_html` works."""
    skip_or_fail_if_missing(missing_html_checker_tools())
