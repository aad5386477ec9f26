"""The home page of a library too big to list at once, in Chromium on a phone: browsed by
city, district, year and kind, paged, without JavaScript needed, passing axe."""

from __future__ import annotations

import os
import shutil
import time

import pytest

from .harness import (
    ENHANCED_CONTRAST,
    REPO,
    describe_violations,
    run_axe,
    serve_wsgi,
    set_cookie_settings,
    set_phone,
    tap,
    wait_for,
)

COPIES = 5  # of each bundled report: 25, more than the home page lists ungrouped


@pytest.fixture(scope="module")
def big_library(tmp_path_factory):
    from reader.web import create_app

    root = tmp_path_factory.mktemp("big-library")
    content = root / "content"
    content.mkdir()
    settled = time.time_ns() - 60 * 10**9
    for seed in (REPO / "content").glob("*.txt"):
        for n in range(COPIES):
            shutil.copyfile(seed, content / f"{seed.stem}-{n}.txt")
            os.utime(content / f"{seed.stem}-{n}.txt", ns=(settled, settled))
    app = create_app({"TESTING": True, "CONTENT_DIR": str(content), "INSTANCE_DIR": str(root / "i")})
    with serve_wsgi(app) as base_url:
        yield base_url


def test_browsing_by_facets_and_pages_on_a_phone_passes_axe(clean_browser, big_library):
    driver = clean_browser
    set_phone(driver)
    set_cookie_settings(driver, big_library, preset="elder")
    driver.get(f"{big_library}/?year=2023")
    for theme in ("default", "black-yellow"):
        set_cookie_settings(driver, big_library, theme=theme, next="/?year=2023")
        result = run_axe(driver, extra_rules=[ENHANCED_CONTRAST])
        assert not result.violations, (theme, describe_violations(result.violations))
    chosen = driver.find_elements("css selector", ".rd-facets a[aria-current]")
    assert [a.text.split()[0] for a in chosen] == ["全部", "2023年", "全部"]  # city, year, kind
    for link in driver.find_elements("css selector", ".rd-facets a, .rd-pagination a"):
        size = link.rect
        assert min(size["width"], size["height"]) >= 44, (link.text, size)

    driver.get(f"{big_library}/")
    tap(driver, driver.find_element("css selector", ".rd-pagination a[rel=next]"))
    wait_for(lambda: "page=2" in driver.current_url, message="the next page was not opened")
    status = driver.find_element("css selector", ".rd-pagination [aria-current=page]").text
    assert status == "第 2 页 / 共 2 页"
    assert len(driver.find_elements("css selector", ".rd-browse .rd-report-list__link")) == 5
