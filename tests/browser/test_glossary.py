"""The 术语 disclosure in a real Chromium: a term on a reading page is a button that says
it explains the term, opens the explanation in place, shows its state to a screen reader,
closes with Esc, and the page stays axe-clean open and closed, in every theme."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from selenium.webdriver.common.keys import Keys

from reader.settings import SETTING

from .harness import (
    ENHANCED_CONTRAST,
    ax_outline,
    ax_tree,
    describe_violations,
    requested_urls,
    run_axe,
    set_cookie_settings,
    wait_for,
)

MEETING = "/r/zs-nanqu-2024-cadre-meeting/1"

TERM = """
const term = [...document.querySelectorAll('#rd-text button.rd-term')]
  .find(b => b.textContent === arguments[0]);
if (!term) return null;
const panel = document.getElementById(term.getAttribute('aria-controls'));
const sentence = term.closest('[data-sentence]');
return {expanded: term.getAttribute('aria-expanded'), label: term.getAttribute('aria-label'),
        panelShown: !!panel && !panel.hidden && panel.getClientRects().length > 0,
        panelText: panel ? panel.textContent : '',
        afterBlock: !!panel && (() => {  // after the paragraph and its earlier terms' panels
          let before = panel.previousElementSibling;
          while (before && before.classList.contains('rd-term-panel')) before = before.previousElementSibling;
          return before === sentence.closest('[data-block]');
        })(),
        sentenceId: sentence.id, sentenceText: sentence.textContent,
        focused: document.activeElement === term,
        panelTop: panel ? panel.getBoundingClientRect().top : 0,
        termBottom: term.getBoundingClientRect().bottom};
"""


def term_state(driver, text: str) -> dict | None:
    return driver.execute_script(TERM, text)


def click(driver, element) -> None:
    """Click `element` where a reader would: scrolled to the middle of the window, clear of
    the player docked at its foot."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element)
    element.click()


def open_term(driver, text: str):
    button = next(b for b in driver.find_elements("css selector", "#rd-text button.rd-term")
                  if b.text == text)
    click(driver, button)
    wait_for(lambda: term_state(driver, text)["expanded"] == "true", message="did not open")
    return button


def audio_asked_for(driver) -> list[str]:
    """The audio URLs the page asks for next (after a `requested_urls` to forget earlier ones)."""
    return wait_for(
        lambda: [unquote(u) for u in requested_urls(driver) if "/audio" in u] or None,
        timeout=20, message="no audio asked for",
    )


def test_a_term_opens_in_place_and_closes_with_esc(clean_browser, live_server):
    driver = clean_browser
    driver.get(live_server + MEETING)
    before = wait_for(lambda: term_state(driver, "百千万工程"), message="no term button")
    assert before["expanded"] == "false" and not before["panelShown"]
    assert before["label"] == "百千万工程：术语解释"
    text_before = before["sentenceText"]

    button = open_term(driver, "百千万工程")
    opened = term_state(driver, "百千万工程")
    assert opened["panelShown"] and opened["afterBlock"]
    assert "让县城、乡镇和农村一起发展起来" in opened["panelText"]
    assert opened["panelTop"] >= opened["termBottom"] - 1  # beneath the term, in place
    assert opened["sentenceId"] == "s1-2" and opened["sentenceText"] == text_before
    assert driver.current_url.endswith(MEETING)  # not a visit to /glossary

    read = driver.find_element("css selector", ".rd-term-panel:not([hidden]) .rd-term-panel__read")
    assert read.text == "朗读解释"
    read.send_keys(Keys.ESCAPE)  # Esc from inside the explanation
    closed = wait_for(lambda: (s := term_state(driver, "百千万工程"))["expanded"] == "false" and s,
                      message="Esc did not close it")
    assert not closed["panelShown"] and closed["focused"]

    button.send_keys(Keys.ENTER)  # the keyboard opens it again, and Esc on the term closes it
    wait_for(lambda: term_state(driver, "百千万工程")["expanded"] == "true", message="Enter")
    button.send_keys(Keys.ESCAPE)
    wait_for(lambda: term_state(driver, "百千万工程")["expanded"] == "false", message="Esc on term")


def test_the_close_button_and_the_entry_link_in_the_explanation(clean_browser, live_server):
    driver = clean_browser
    driver.get(live_server + MEETING)
    wait_for(lambda: term_state(driver, "点状供地"), message="no term button")
    open_term(driver, "点状供地")
    panel = driver.find_element("css selector", ".rd-term-panel:not([hidden])")
    more = panel.find_element("css selector", "a.rd-term-panel__more")
    assert unquote(more.get_attribute("href")).endswith("/glossary#term-点状供地")
    click(driver, panel.find_element("css selector", ".rd-term-panel__close"))
    state = wait_for(lambda: (s := term_state(driver, "点状供地"))["expanded"] == "false" and s,
                     message="收起解释 did not close it")
    assert state["focused"]


def test_read_aloud_fetches_the_explanation_in_the_readers_voice(clean_browser, live_server):
    driver = clean_browser
    set_cookie_settings(driver, live_server, voice="yue")
    driver.get(live_server + MEETING)
    wait_for(lambda: term_state(driver, "强村公司"), message="no term button")
    open_term(driver, "强村公司")
    requested_urls(driver)
    click(driver, driver.find_element("css selector", ".rd-term-panel:not([hidden]) .rd-term-panel__read"))
    asked = audio_asked_for(driver)
    assert any(u.endswith("/glossary/强村公司/audio.mp3") for u in asked), asked


def test_in_point_reading_opening_a_term_reads_it(clean_browser, live_server):
    driver = clean_browser
    set_cookie_settings(driver, live_server, reading="point")
    driver.get(live_server + MEETING)
    wait_for(lambda: term_state(driver, "1388"), message="no term button")
    requested_urls(driver)
    open_term(driver, "1388")
    asked = audio_asked_for(driver)
    assert any(u.endswith("/glossary/1388/audio.mp3") for u in asked), asked


def test_the_accessibility_tree_names_the_term_and_its_state(clean_browser, live_server):
    driver = clean_browser
    driver.get(live_server + MEETING)
    wait_for(lambda: term_state(driver, "1310"), message="no term button")
    nodes = ax_tree(driver)
    buttons = [n for n in nodes if n.get("role", {}).get("value") == "button"
               and n.get("name", {}).get("value") == "1310：术语解释"]
    assert len(buttons) == 1
    expanded = [p for p in buttons[0].get("properties", []) if p["name"] == "expanded"]
    assert expanded and expanded[0]["value"]["value"] is False
    open_term(driver, "1310")
    nodes = ax_tree(driver)
    button = next(n for n in nodes if n.get("name", {}).get("value") == "1310：术语解释"
                  and n.get("role", {}).get("value") == "button")
    assert next(p for p in button["properties"] if p["name"] == "expanded")["value"]["value"] is True
    outline = ax_outline(nodes)
    assert ("group", "1310：术语解释") in outline


@pytest.mark.parametrize("theme", SETTING["theme"].values)
def test_axe_passes_with_terms_closed_and_open(clean_browser, live_server, theme):
    driver = clean_browser
    set_cookie_settings(driver, live_server, theme=theme)
    driver.get(live_server + MEETING)
    wait_for(lambda: term_state(driver, "百千万工程"), message="no term button")
    closed = run_axe(driver, extra_rules=(ENHANCED_CONTRAST,))
    assert not closed.violations, describe_violations(closed.violations)
    open_term(driver, "百千万工程")
    open_term(driver, "1310")
    opened = run_axe(driver, extra_rules=(ENHANCED_CONTRAST,))
    assert not opened.violations, describe_violations(opened.violations)


def test_without_javascript_the_term_links_to_its_entry(clean_browser, live_server):
    driver = clean_browser
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        driver.get(live_server + MEETING)
        link = next(a for a in driver.find_elements("css selector", "#rd-text a.rd-term")
                    if a.text == "百千万工程")
        click(driver, link)
        wait_for(lambda: "/glossary" in driver.current_url, message="the link went nowhere")
        entry = driver.find_element("id", "term-百千万工程")
        assert "百县千镇万村高质量发展工程" in entry.text
    finally:
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
