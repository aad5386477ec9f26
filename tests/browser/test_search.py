"""A search result, followed on a phone in 长者助手 at the largest size: the page it opens
shows the first match on screen, every match marked."""

from __future__ import annotations

from urllib.parse import quote

from reader.settings import SETTING

from .harness import (
    ENHANCED_CONTRAST,
    describe_violations,
    run_axe,
    set_cookie_settings,
    set_window,
    wait_for,
)

FIRST_MATCH_ON_SCREEN = """
const marks = document.querySelectorAll('.rd-reading__body mark');
if (!marks.length) return null;
const box = marks[0].getBoundingClientRect();
return {count: marks.length, top: box.top, bottom: box.bottom, height: innerHeight,
        scrolled: scrollY, text: marks[0].textContent};
"""


def on_screen(seen: dict | None) -> dict | None:
    return seen if seen and seen["top"] >= 0 and seen["bottom"] <= seen["height"] else None


def test_a_result_opens_its_page_scrolled_to_the_first_match(clean_browser, live_server):
    driver = clean_browser
    set_window(driver, 390, 844, mobile=True)
    set_cookie_settings(driver, live_server, preset="elder")
    set_cookie_settings(driver, live_server, size="5")
    driver.get(f"{live_server}/search?q={quote('養老')}")
    links = driver.find_elements("css selector", "ol.rd-results a.rd-results__link")
    assert len(links) > 1
    checked = 0
    for href in [link.get_attribute("href") for link in links]:
        driver.get(href)
        # The page scrolls smoothly (unless the reader asks for reduced motion): wait for it.
        seen = wait_for(lambda: on_screen(driver.execute_script(FIRST_MATCH_ON_SCREEN)),
                        message=f"first match of {href} never on screen")
        assert seen["text"] == "养老", href
        checked += seen["scrolled"] > 0  # the match was below the first screen
    assert checked, "no result page had its match below the first screen"


def test_a_page_with_marked_matches_passes_axe_in_every_theme(clean_browser, live_server):
    driver = clean_browser
    set_window(driver, 390, 844, mobile=True)
    for theme in SETTING["theme"].values:
        set_cookie_settings(driver, live_server, preset="elder")
        set_cookie_settings(driver, live_server, theme=theme)
        driver.get(f"{live_server}/r/zs-dongqu-2020-work-plan/2?q={quote('社区')}")
        assert driver.find_elements("css selector", ".rd-reading__body mark")
        result = run_axe(driver, extra_rules=[ENHANCED_CONTRAST])
        assert not result.violations, (theme, describe_violations(result.violations))
        button = driver.find_element("css selector", ".rd-found a").rect
        assert min(button["width"], button["height"]) >= 60, (theme, button)
