"""The 要点 outline in a real browser: axe with AAA contrast in two themes, reflow at
320 px, and 朗读要点 playing the outline's sentences in the page's one <audio>."""

from __future__ import annotations

from selenium.webdriver.common.by import By

from reader.settings import SETTING

from .harness import (
    ENHANCED_CONTRAST,
    describe_violations,
    run_axe,
    set_cookie_settings,
    set_window,
    wait_for,
)

SLUG = "zs-nanqu-2022-work-summary"

PLAYING = """
const audio = document.querySelector('[data-module=rd-player] audio');
const current = document.querySelector('.rd-sentence--current');
return {src: audio.currentSrc, paused: audio.paused, time: audio.currentTime,
        current: current ? current.id : null,
        position: localStorage.getItem('rd-player-position')};
"""


def test_the_outline_passes_axe_with_aaa_contrast_in_two_themes(clean_browser, live_server):
    driver = clean_browser
    set_window(driver, 1280, 900)
    for theme in list(SETTING["theme"].values)[:2]:
        set_cookie_settings(driver, live_server, theme=theme)
        driver.get(f"{live_server}/r/{SLUG}/outline")
        assert len(driver.find_elements(By.CSS_SELECTOR, ".rd-outline__link")) == 8
        result = run_axe(driver, extra_rules=[ENHANCED_CONTRAST])
        assert not result.violations, (theme, describe_violations(result.violations))


def test_the_outline_reflows_at_320_px_at_the_largest_size(clean_browser, live_server):
    driver = clean_browser
    set_window(driver, 320, 640, mobile=True)
    set_cookie_settings(driver, live_server, size="5")
    driver.get(f"{live_server}/r/zs-xiqu-2023-work-plan/outline")
    scroll, client = driver.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= client


def test_reading_the_outline_aloud_plays_its_sentences_and_keeps_no_place(clean_browser, live_server):
    driver = clean_browser
    set_window(driver, 1280, 900)
    driver.get(f"{live_server}/r/{SLUG}/outline")
    toggle = wait_for(lambda: driver.find_element(By.ID, "rd-player-toggle").is_displayed()
                      and driver.find_element(By.ID, "rd-player-toggle"), message="player ready")
    toggle.click()
    seen = wait_for(
        lambda: (s := driver.execute_script(PLAYING)) and not s["paused"] and s["time"] > 0 and s,
        timeout=30, message="the outline never played",
    )
    assert "/audio/" in seen["src"]
    assert seen["current"] == "s1-0"  # the outline's first lead, by its page's id
    driver.find_element(By.CSS_SELECTOR, "[data-player-action=next]").click()
    wait_for(lambda: driver.execute_script(PLAYING)["current"] == "s1-1", message="next lead")
    driver.find_element(By.CSS_SELECTOR, "[data-player-action=stop]").click()
    assert driver.execute_script(PLAYING)["position"] is None  # 继续阅读 is the pages' alone
