"""On a phone, the text first, and controls that do what they say (issue #9), in Chromium
at 390 × 844 with touch: 无障碍版 closes from its top, its foot, with Esc, after 退出/重置 and
(when asked) after a choice; it is not open on the next page; a page turn lands at the
report text at every size in 长者助手; 长者助手 keeps a size the reader chose; 繁體 text brings
the 繁體 interface; the settings form returns to its page; the brand never breaks; and a
screen reader hears distinct names, no decoration, and what changed.
"""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlsplit

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from reader.settings import TOOLBAR_ROWS

from .harness import ax_tree, set_cookie_settings, set_phone, set_window, tap, wait_for

SLUG = "zs-dongqu-2020-work-plan"
PAGE = f"/r/{SLUG}/2"
REDUCED_MOTION = {"features": [{"name": "prefers-reduced-motion", "value": "reduce"}]}

_TEXT_IN_VIEW = """
const text = document.querySelector('.rd-reading__body');
const sentence = text.querySelector('.rd-sentence');
const r = sentence.getBoundingClientRect();
const toolbar = document.getElementById('rd-toolbar').getBoundingClientRect();
return {top: r.top, bottom: r.bottom, height: innerHeight,
        focused: text.contains(document.activeElement) ? 'text' : document.activeElement.id,
        toolbarInView: toolbar.height > 0 && toolbar.bottom > 0};
"""


@pytest.fixture
def phone(clean_browser):
    """The session's Chromium as a phone, scrolling at once (so positions are final)."""
    set_phone(clean_browser)
    clean_browser.execute_cdp_cmd("Emulation.setEmulatedMedia", REDUCED_MOTION)
    yield clean_browser
    clean_browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
    clean_browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
    set_phone(clean_browser, on=False)


def open_with(driver, base: str, path: str = PAGE, **settings: str) -> None:
    """`path` with exactly these settings, reached through the no-JS settings link."""
    set_cookie_settings(driver, base, preset="reset", next=path)
    if settings:
        set_cookie_settings(driver, base, next=path, **settings)


def element(driver, selector: str):
    return driver.find_element(By.CSS_SELECTOR, selector)


def toolbar_open(driver) -> bool:
    return element(driver, "#rd-toolbar").is_displayed()


def open_toolbar_by_tap(driver) -> None:
    tap(driver, element(driver, "#rd-toolbar-switch"))
    wait_for(lambda: toolbar_open(driver), message="the toolbar to open")
    assert element(driver, "#rd-toolbar-switch").get_attribute("aria-expanded") == "true"


def open_toolbar_with_javascript(driver, javascript: str) -> None:
    """Open 无障碍版 by a tap, in place ("on") or as a no-JS link loading the page ("off")."""
    if javascript == "off":
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
        tap_and_load(driver, element(driver, "#rd-toolbar-switch"))
    else:
        open_toolbar_by_tap(driver)
    assert toolbar_open(driver)


def wait_for_new_page(driver, old_html) -> None:
    def gone():
        try:
            old_html.tag_name  # noqa: B018 (asks whether the old page still exists)
        except Exception:
            return True
        return False

    wait_for(gone, message="a new page")
    wait_for(lambda: driver.execute_script("return document.readyState") == "complete")


def tap_and_load(driver, target) -> None:
    old = driver.find_element(By.TAG_NAME, "html")
    tap(driver, target)
    wait_for_new_page(driver, old)


# --- 无障碍版 closes, and stays closed on the next page --------------------------------


@pytest.mark.parametrize("how", ["top", "foot", "escape"])
def test_the_toolbar_closes_from_its_top_its_foot_and_with_escape(phone, live_server, how):
    driver = phone
    open_with(driver, live_server, size="5", preset="elder")
    driver.execute_script("window.rdTestMarker = 1")
    open_toolbar_by_tap(driver)
    tap(driver, element(driver, "#rd-toolbar-size summary"))  # a group open, as in use
    wait_for(lambda: element(driver, "#rd-toolbar [data-setting=size]").is_displayed())
    if how == "top":
        tap(driver, element(driver, "#rd-toolbar .rd-toolbar__top .rd-toolbar__close"))
    elif how == "foot":
        tap(driver, element(driver, "#rd-toolbar .rd-toolbar__foot .rd-toolbar__close"))
    else:
        ActionChains(driver).send_keys(Keys.ESCAPE).perform()
    wait_for(lambda: not toolbar_open(driver), message="the toolbar to close")
    assert element(driver, "#rd-toolbar-switch").get_attribute("aria-expanded") == "false"
    assert driver.execute_script("return window.rdTestMarker") == 1  # closed in place
    focused = driver.execute_script("return document.activeElement.id")
    if how == "foot":  # 回到正文: at the text, focus and all
        place = driver.execute_script(_TEXT_IN_VIEW)
        assert place["focused"] == "text" and 0 <= place["top"] < place["height"], place
    else:
        assert focused == "rd-toolbar-switch"


@pytest.mark.parametrize("javascript", ["on", "off"])
def test_reset_closes_the_toolbar(phone, live_server, javascript):
    driver = phone
    open_with(driver, live_server, theme="black-yellow")
    open_toolbar_with_javascript(driver, javascript)
    tap_and_load(driver, element(driver, "#rd-reset"))
    assert urlsplit(driver.current_url).path == PAGE
    assert "rd-theme--default" in driver.execute_script("return document.documentElement.className")
    assert not toolbar_open(driver)


def test_the_toolbar_can_close_after_a_choice_when_the_reader_asks(phone, live_server):
    driver = phone
    open_with(driver, live_server)
    open_toolbar_by_tap(driver)
    tap(driver, element(driver, "#rd-toolbar-autoclose"))
    wait_for(lambda: element(driver, "#rd-toolbar-autoclose").get_attribute("aria-pressed") == "true")
    assert toolbar_open(driver)  # the switch itself is no choice to close after
    tap(driver, element(driver, "#rd-toolbar-theme summary"))
    tap(driver, element(driver, "#rd-toolbar [data-setting=theme][data-value=blue-white]"))
    wait_for(lambda: not toolbar_open(driver), message="the toolbar to close after the choice")
    assert "rd-theme--blue-white" in driver.execute_script("return document.documentElement.className")


@pytest.mark.parametrize("javascript", ["on", "off"])
def test_the_toolbar_is_not_open_on_the_next_page(phone, live_server, javascript):
    driver = phone
    open_with(driver, live_server, preset="elder")
    open_toolbar_with_javascript(driver, javascript)
    tap_and_load(driver, element(driver, "#rd-page-next"))
    assert urlsplit(driver.current_url).path == f"/r/{SLUG}/3"
    assert not toolbar_open(driver)
    driver.get(f"{live_server}/r/{SLUG}/4")  # nor on any page after
    assert not toolbar_open(driver)


# --- a page turn lands at the text ----------------------------------------------------


@pytest.mark.parametrize("size", ["1", "2", "3", "4", "5"])
def test_after_a_page_turn_the_text_is_in_view_at_every_size_in_elder_mode(
    phone, live_server, size
):
    driver = phone
    open_with(driver, live_server, preset="elder", size=size, toolbar="open")
    assert toolbar_open(driver)
    tap_and_load(driver, element(driver, "#rd-page-next"))
    place = driver.execute_script(_TEXT_IN_VIEW)
    # the first line of report text is on the screen, its top in the upper half
    assert 0 <= place["top"] < place["height"] / 2, place
    assert place["bottom"] <= place["height"], place
    assert not place["toolbarInView"], place
    wait_for(lambda: driver.execute_script(_TEXT_IN_VIEW)["focused"] == "text",
             message="focus at the text")


def test_without_javascript_a_page_turn_lands_at_the_text_too(phone, live_server):
    driver = phone
    open_with(driver, live_server, preset="elder", size="5", toolbar="open")
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    tap_and_load(driver, element(driver, "#rd-page-next"))
    place = driver.execute_script(_TEXT_IN_VIEW)
    assert 0 <= place["top"] < place["height"] / 2, place


# --- controls that do what they say ---------------------------------------------------


def body_text_px(driver) -> float:
    return driver.execute_script(
        "return parseFloat(getComputedStyle(document.querySelector('.rd-reading__body p')).fontSize)"
    )


def test_elder_switch_on_and_off_keeps_250_percent(phone, live_server):
    driver = phone
    open_with(driver, live_server, size="4")
    assert body_text_px(driver) == 45  # 18 px × 2.5
    tap_and_load(driver, element(driver, "#rd-elder-switch"))
    assert element(driver, "#rd-elder-switch").get_attribute("aria-pressed") == "true"
    assert body_text_px(driver) == 45
    tap_and_load(driver, element(driver, "#rd-elder-switch"))
    assert element(driver, "#rd-elder-switch").get_attribute("aria-pressed") == "false"
    assert body_text_px(driver) == 45
    spacing = driver.execute_script("return getComputedStyle(document.body).letterSpacing")
    assert spacing in ("normal", "0px")  # the wide spacing it added went with it


def test_traditional_text_brings_the_traditional_interface(phone, live_server):
    driver = phone
    open_with(driver, live_server, toolbar="script")
    tap_and_load(driver, element(driver, "#rd-toolbar [data-setting=script][data-value=hant]"))
    assert driver.execute_script("return document.documentElement.lang") == "zh-HK"
    assert element(driver, "#rd-page-next").text == "下一頁"
    assert element(driver, "#rd-toolbar-switch").text == "無障礙版"


def test_the_settings_form_returns_to_the_page_it_was_opened_from(phone, live_server):
    driver = phone
    open_with(driver, live_server, f"/r/{SLUG}/3")
    tap_and_load(driver, element(driver, "header nav a[href^='/settings']"))
    tap(driver, element(driver, "label[for='set-theme-blue-white']"))
    tap_and_load(driver, element(driver, ".rd-settings button[type=submit]:not([name])"))
    assert urlsplit(driver.current_url).path == f"/r/{SLUG}/3"
    assert "rd-theme--blue-white" in driver.execute_script("return document.documentElement.className")


@pytest.mark.parametrize("width", [390, 320])
def test_the_brand_never_breaks(phone, live_server, width):
    driver = phone
    set_window(driver, width, 844, mobile=True)
    for settings in ({"size": "5"}, {"preset": "elder", "size": "5"}, {"size": "3", "spacing": "wide"}):
        open_with(driver, live_server, "/", **settings)
        lines = driver.execute_script(
            """const name = document.querySelector('.rd-header__brand');
            const range = document.createRange();
            const text = [...name.querySelectorAll('*'), name].map(e => e.firstChild)
              .find(n => n && n.nodeType === 3 && n.textContent.includes('易'));
            range.setStart(text, 0); range.setEnd(text, 2);
            return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;"""
        )
        assert lines == 1, (width, settings)


# --- what a screen reader is given ----------------------------------------------------


def _named_controls(driver) -> list[tuple[str, str, dict]]:
    controls = []
    for node in ax_tree(driver):
        role = node.get("role", {}).get("value", "")
        if role in ("button", "toggleButton", "link") or role.startswith("DisclosureTriangle"):
            properties = {p["name"]: p["value"].get("value") for p in node.get("properties", [])}
            name = node.get("name", {}).get("value", "").replace(" ", "")  # "字号： 200%"
            controls.append((role.removesuffix("Grouped"), name, properties))
    return controls


def test_accessibility_tree_names_every_toggle_once_without_decoration(phone, live_server):
    driver = phone
    open_with(driver, live_server, size="3", toolbar="open")
    groups = [d.get_attribute("id") for d in driver.find_elements(By.CSS_SELECTOR, "#rd-toolbar details")]
    assert groups == [f"rd-toolbar-{s.name}" for row in TOOLBAR_ROWS for s in row]
    seen_toggles = set()
    for group in groups:
        driver.execute_script("document.getElementById(arguments[0]).open = true", group)
        controls = _named_controls(driver)
        names = [name for role, name, _ in controls if role != "link"]
        duplicates = [name for name, count in Counter(names).items() if count > 1]
        assert not duplicates, (group, duplicates)
        assert not [name for _, name, _ in controls if "✓" in name or "✕" in name or "▾" in name]
        for role, name, properties in controls:
            if role in ("button", "toggleButton") and "：" in name:
                assert properties.get("pressed") in ("true", "false", True, False), name
                seen_toggles.add(name)
        disclosures = [c for c in controls if c[0] == "DisclosureTriangle"]
        assert len(disclosures) == len(groups) and all("expanded" in c[2] for c in disclosures)
        opened = [name for _, name, p in disclosures if p["expanded"] is True]
        assert len(opened) == 1  # one group unfolded at a time
    assert {"字号：200%", "大字幕：关闭", "大字幕：开启", "辅助线：关闭", "行距：标准",
            "鼠标指针：标准"} <= seen_toggles
    elder = [p for _, name, p in _named_controls(driver) if name == "长者助手"]
    assert len(elder) == 1 and elder[0].get("pressed") in ("false", False)


@pytest.mark.parametrize(
    "lang, setting, value, said",
    [("zh_CN", "size", "3", "字号 200%"), ("zh_CN", "captions", "on", "大字幕 开启"),
     ("en", "size", "3", "Text size 200%")],
)
def test_a_choice_is_announced_by_what_changed(phone, live_server, lang, setting, value, said):
    driver = phone
    open_with(driver, live_server, lang=lang, toolbar=setting)
    tap(driver, element(driver, f"#rd-toolbar [data-setting={setting}][data-value='{value}']"))
    region = element(driver, "[data-module=rd-announcer]")
    wait_for(lambda: region.get_attribute("textContent") == said,
             message=f"the announcement {said!r}, not {region.get_attribute('textContent')!r}")
    # the group's summary shows the value now chosen
    assert element(driver, f"[data-current={setting}]").text == said.split()[-1]
