"""Line focus (辅助线 聚焦1行/3行/5行) in a real Chromium: what is lit and what is dimmed.

A line of text counts as lit when the pixels of its line box are the same with the overlay
as without it (two screenshots of the same region, the overlay hidden for the second), and
as dimmed when they differ. So the lit text keeps exactly the contrast axe measures for the
theme without the overlay (axe does not see the overlay: it takes no pointer events), and
the AAA check below covers the lit lines in every theme.
"""

from __future__ import annotations

import base64
from urllib.parse import urlsplit

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from reader.settings import SETTING

from .harness import (
    ENHANCED_CONTRAST,
    describe_violations,
    run_axe,
    set_cookie_settings,
    set_phone,
    set_window,
    wait_for,
)

READING = "/r/zs-dongqu-2020-work-plan/2"
THEMES = SETTING["theme"].values
FOCUS_LINES = {"focus1": 1, "focus3": 3, "focus5": 5}
REDUCED_MOTION = {"features": [{"name": "prefers-reduced-motion", "value": "reduce"}]}

# The lines of the longest block of text on the page that are wholly in the window, in
# window coordinates: each line's centre (from its characters' boxes) and the block's line
# height.
_LINES = """
const blocks = [...document.querySelectorAll('.rd-reading__body [data-block]')];
function linesOf(block) {
  const range = document.createRange();
  range.selectNodeContents(block);
  const centres = [];
  for (const box of range.getClientRects()) {
    if (!box.height || !box.width) continue;
    const centre = box.top + box.height / 2;
    if (!centres.some(c => Math.abs(c - centre) < 2)) centres.push(centre);
  }
  centres.sort((a, b) => a - b);
  const r = block.getBoundingClientRect();
  const height = parseFloat(getComputedStyle(block).lineHeight);
  return {centres: centres.filter(c => c - height / 2 >= 0 && c + height / 2 <= innerHeight), height,
          left: r.left, width: r.width};
}
const best = blocks.map(linesOf).sort((a, b) => b.centres.length - a.centres.length)[0];
return best;
"""

_FIRST_LINE = """
const el = arguments[0];
const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  const at = node.textContent.search(/\\S/);
  if (at < 0) continue;
  const range = document.createRange();
  range.setStart(node, at); range.setEnd(node, at + 1);
  const box = range.getBoundingClientRect();
  const r = el.getBoundingClientRect();
  return {centre: box.top + box.height / 2, height: parseFloat(getComputedStyle(node.parentElement).lineHeight),
          left: r.left, width: Math.max(1, Math.min(r.width, innerWidth - r.left))};
}
return null;
"""


@pytest.fixture
def reader(clean_browser):
    """Reduced motion, so the band is where it goes at once (its move is not animated)."""
    clean_browser.execute_cdp_cmd("Emulation.setEmulatedMedia", REDUCED_MOTION)
    yield clean_browser
    clean_browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})


def open_page(driver, base: str, path: str = READING, **settings: str) -> None:
    set_cookie_settings(driver, base, next=path, **settings)
    assert urlsplit(driver.current_url).path == path


def shot(driver, centre: float, height: float, left: float, width: float) -> bytes:
    """PNG of the line box centred at `centre` (window px), one px in from each edge."""
    scroll = driver.execute_script("return [scrollX, scrollY]")
    clip = {
        "x": left + scroll[0],
        "y": centre - height / 2 + 1 + scroll[1],
        "width": width,
        "height": max(1.0, height - 2),
        "scale": 1,
    }
    data = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "clip": clip})
    return base64.b64decode(data["data"])


def lit(driver, lines: list[tuple[float, float, float, float]]) -> list[bool]:
    """For each line box (centre, height, left, width): whether the overlay leaves it as is."""
    shown = [shot(driver, *line) for line in lines]
    driver.execute_script("document.querySelector('.rd-guide-overlay').style.visibility = 'hidden'")
    try:
        bare = [shot(driver, *line) for line in lines]
    finally:
        driver.execute_script("document.querySelector('.rd-guide-overlay').style.visibility = ''")
    return [a == b for a, b in zip(shown, bare, strict=True)]


def move_pointer(driver, x: float, y: float) -> None:
    driver.execute_cdp_cmd("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y})


def longest_block(driver) -> dict:
    driver.execute_script(
        "const b = [...document.querySelectorAll('.rd-reading__body [data-block]')]"
        ".sort((a, b) => b.textContent.length - a.textContent.length)[0];"
        "b.scrollIntoView({block: 'center', behavior: 'instant'});"
    )
    return driver.execute_script(_LINES)


def line_boxes(block: dict) -> list[tuple[float, float, float, float]]:
    return [(c, block["height"], block["left"], block["width"]) for c in block["centres"]]


def expected_lit(count: int, at: int, lines: int) -> list[bool]:
    return [abs(i - at) <= (lines - 1) // 2 for i in range(count)]


@pytest.mark.parametrize("size", ["1", "3", "5"])
@pytest.mark.parametrize("guide", list(FOCUS_LINES))
def test_the_band_lights_n_whole_lines_around_the_pointer_at_every_size(
    reader, live_server, guide, size
):
    lines = FOCUS_LINES[guide]
    set_window(reader, 900, 900)
    open_page(reader, live_server, guide=guide, size=size)
    block = longest_block(reader)
    count = len(block["centres"])
    assert count >= lines + 2, f"the longest block has only {count} lines"
    at = count // 2
    # the pointer near the top of a middle line (not its centre): the band snaps to the line
    move_pointer(reader, block["left"] + 20, block["centres"][at] - block["height"] / 4)
    boxes = line_boxes(block)
    wait_for(
        lambda: lit(reader, boxes) == expected_lit(count, at, lines),
        message=f"{lines} lit lines around line {at} of {count}",
    )
    band = reader.execute_script(
        "const s = getComputedStyle(document.querySelector('.rd-guide-overlay'));"
        "return [parseFloat(s.getPropertyValue('--rd-focus-top')),"
        " parseFloat(s.getPropertyValue('--rd-focus-bottom'))]"
    )
    assert band[1] - band[0] == pytest.approx(lines * block["height"], abs=1)
    # the pointer moves two lines down: so does the band
    move_pointer(reader, block["left"] + 20, block["centres"][at + 1])
    wait_for(
        lambda: lit(reader, boxes) == expected_lit(count, at + 1, lines),
        message="the band followed the pointer",
    )


def test_the_band_follows_keyboard_focus(reader, live_server):
    open_page(reader, live_server, guide="focus1")
    block = longest_block(reader)
    move_pointer(reader, block["left"] + 20, block["centres"][1])
    boxes = line_boxes(block)
    wait_for(lambda: lit(reader, boxes)[1], message="the pointer's line lit")
    ActionChains(reader).send_keys(Keys.TAB).perform()  # from the text to the next control
    focused = reader.switch_to.active_element
    reader.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", focused
    )
    first = reader.execute_script(_FIRST_LINE, focused)
    assert first, "the focused control has text"
    wait_for(
        lambda: (
            lit(reader, [(first["centre"], first["height"], first["left"], first["width"])])
            == [True]
        ),
        message="the focused control's line lit",
    )
    block = reader.execute_script(_LINES)
    assert not all(lit(reader, line_boxes(block))), "the text away from the focus is dimmed"


def test_the_band_follows_the_sentence_read_aloud(reader, live_server):
    open_page(reader, live_server, guide="focus1", word_highlight="off")
    wait_for(
        lambda: reader.execute_script(
            "return !document.querySelector('[data-player-controls]').hidden"
        ),
        message="the player",
    )
    reader.find_element(By.ID, "rd-player-toggle").click()  # the pointer is now on the button
    heard = []
    for _ in range(2):
        sentence = wait_for(
            lambda: reader.execute_script(
                "const s = document.querySelector('.rd-sentence--current');"
                "return s && !arguments[0].includes(s.id) ? s : null",
                heard,
            ),
            timeout=30,
            message="the next sentence read aloud",
        )
        heard.append(sentence.get_attribute("id"))
        first = reader.execute_script(_FIRST_LINE, sentence)
        box = (first["centre"], first["height"], first["left"], first["width"])
        wait_for(
            lambda box=box: lit(reader, [box]) == [True],
            timeout=10,
            message=f"{heard[-1]}'s first line lit",
        )
        toggle = reader.execute_script(_FIRST_LINE, reader.find_element(By.ID, "rd-player-toggle"))
        if abs(toggle["centre"] - first["centre"]) > first["height"]:
            assert lit(
                reader, [(toggle["centre"], toggle["height"], toggle["left"], toggle["width"])]
            ) == [False], "the band left the button"
    reader.find_element(By.ID, "rd-player-toggle").click()  # stop


def test_a_tap_moves_the_band(clean_browser, live_server):
    driver = clean_browser
    set_phone(driver)
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", REDUCED_MOTION)
    try:
        open_page(driver, live_server, guide="focus3")
        block = longest_block(driver)
        count = len(block["centres"])
        at = count - 2
        point = {"x": block["left"] + 20, "y": block["centres"][at]}
        driver.execute_cdp_cmd(
            "Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [point]}
        )
        driver.execute_cdp_cmd("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        wait_for(
            lambda: lit(driver, line_boxes(block)) == expected_lit(count, at, 3),
            message="three lines lit around the tap",
        )
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})


@pytest.mark.parametrize("theme", THEMES)
def test_every_theme_passes_axe_with_aaa_contrast_and_lit_text_is_untouched(
    reader, live_server, theme
):
    open_page(reader, live_server, guide="focus3", theme=theme, size="3")
    block = longest_block(reader)
    count = len(block["centres"])
    at = count // 2
    move_pointer(reader, block["left"] + 20, block["centres"][at])
    wait_for(
        lambda: lit(reader, line_boxes(block)) == expected_lit(count, at, 3),
        message="three lines lit, the rest dimmed",
    )
    result = run_axe(reader, extra_rules=(ENHANCED_CONTRAST,))
    assert not result.violations, describe_violations(result.violations)


def test_the_new_choices_are_full_size_targets(reader, live_server):
    open_page(reader, live_server, guide="focus5", toolbar="guide")
    for value in FOCUS_LINES:
        link = reader.find_element(
            By.CSS_SELECTOR, f"#rd-toolbar [data-setting='guide'][data-value='{value}']"
        )
        assert link.is_displayed()
        assert link.size["width"] >= 44 and link.size["height"] >= 44, (value, link.size)
    assert reader.find_element(By.CSS_SELECTOR, "[data-current='guide']").text == "聚焦5行"


def test_reflow_at_320_px_with_the_largest_text(reader, live_server):
    set_window(reader, 320, 800)
    open_page(reader, live_server, guide="focus3", size="5", toolbar="guide")
    assert reader.execute_script("return document.documentElement.scrollWidth") <= 320
    block = longest_block(reader)
    count = len(block["centres"])
    at = count // 2
    move_pointer(reader, block["left"] + 10, block["centres"][at])
    wait_for(
        lambda: lit(reader, line_boxes(block)) == expected_lit(count, at, 3),
        message="three lines lit at 320 px",
    )


def test_off_shows_no_overlay_and_changing_in_place_turns_it_on(reader, live_server):
    open_page(reader, live_server, guide="off", toolbar="guide")
    overlay = reader.find_element(By.CSS_SELECTOR, ".rd-guide-overlay")
    assert overlay.value_of_css_property("display") == "none"
    block = longest_block(reader)
    assert all(lit(reader, line_boxes(block)))
    reader.find_element(By.CSS_SELECTOR, "[data-setting='guide'][data-value='focus1']").click()
    wait_for(lambda: overlay.value_of_css_property("display") == "block", message="the overlay")
    block = reader.execute_script(_LINES)
    move_pointer(reader, block["left"] + 20, block["centres"][0])
    wait_for(lambda: lit(reader, line_boxes(block))[:2] == [True, False], message="one line lit")


def test_the_band_moves_smoothly_unless_motion_is_reduced(clean_browser, live_server):
    open_page(clean_browser, live_server, guide="focus3")
    overlay = clean_browser.find_element(By.CSS_SELECTOR, ".rd-guide-overlay")
    assert overlay.value_of_css_property("transition-duration") != "0s"
    clean_browser.execute_cdp_cmd("Emulation.setEmulatedMedia", REDUCED_MOTION)
    try:
        assert overlay.value_of_css_property("transition-duration") == "0s"
    finally:
        clean_browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})


def test_without_javascript_nothing_is_dimmed_and_the_toolbar_says_so(clean_browser, live_server):
    driver = clean_browser
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        open_page(driver, live_server, guide="focus3", toolbar="guide")
        assert (
            driver.find_element(By.CSS_SELECTOR, ".rd-guide-overlay").value_of_css_property(
                "display"
            )
            == "none"
        )
        note = driver.find_element(
            By.CSS_SELECTOR, "#rd-toolbar-guide .rd-toolbar__note--no-script"
        )
        assert note.is_displayed() and "JavaScript" in note.text
    finally:
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
    open_page(driver, live_server, guide="focus3", toolbar="guide")  # with JavaScript: no note
    assert not driver.find_element(
        By.CSS_SELECTOR, "#rd-toolbar-guide .rd-toolbar__note--no-script"
    ).is_displayed()
