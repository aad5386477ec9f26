"""The reading app in a real browser, as its readers meet it: every page type in every
theme, text size and 长者助手, with the 无障碍版 toolbar open.

One pass (the module's `survey`) visits each page in each mode once, runs axe-core once and
measures what the numbers in ../shared/ACCESSIBILITY.md ask; the tests below then each
judge one of those numbers over the whole matrix, naming every page and mode that fails.
Keyboard, JavaScript-off, accessibility-tree, HTML-validity and script-enhancement tests
follow, each on the pages where they matter.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from reader.settings import SETTING, SETTINGS

from .harness import (
    DEFAULT_WINDOW,
    ENHANCED_CONTRAST,
    ax_tree,
    axe_on_every_page,
    external_requests,
    run_axe,
    set_cookie_settings,
    set_window,
    tab_through,
    validate_html_many,
    wait_for,
)

SLUG = "zs-dongqu-2020-work-plan"  # 11 pages; page 2 holds the report's own h2 and h3
PAGES = {
    "home": "/",
    "cover": f"/r/{SLUG}/",
    "page": f"/r/{SLUG}/2",
    "all": f"/r/{SLUG}/all",
    "search": "/search?q=社区",  # the page where <mark> colours are seen
    "settings": "/settings",
    "help": "/help",
    "glossary": "/glossary",
    "404": "/r/nope/",
}
THEMES = SETTING["theme"].values
# 无障碍版 unfolds one setting at a time; the survey unfolds each in turn across its visits.
TOOLBAR_GROUPS = tuple(
    setting.name for setting in SETTINGS if setting.toolbar_row is not None
)


def with_toolbar(path: str, group: str) -> str:
    """`path` with 无障碍版 open and `group` unfolded, as its no-JS links leave a page."""
    return f"{path}{'&' if '?' in path else '?'}toolbar={group}"

# What a reader sees in each theme, as the browser computes it: (text, page) colours.
# The names say it the way the toolbar does: black-yellow is 黑底黄字, yellow on black.
THEME_COLOURS = {
    "default": ("rgb(27, 27, 27)", "rgb(255, 255, 255)"),
    "black-white": ("rgb(255, 255, 255)", "rgb(0, 0, 0)"),
    "black-yellow": ("rgb(255, 255, 0)", "rgb(0, 0, 0)"),
    "blue-white": ("rgb(255, 255, 255)", "rgb(0, 43, 92)"),
    "yellow-black": ("rgb(0, 0, 0)", "rgb(255, 255, 0)"),
}


@dataclass(frozen=True)
class Mode:
    """Settings as a no-JS link sends them, and what a reader should then see."""

    settings: dict[str, str]
    colours: tuple[str, str]  # text, page
    text_px: float  # body text: 18 px at 100 %
    target_px: int  # the smallest control: 44 px, 60 px in 长者模式 and from 200 %
    elder: bool = False  # the header's 长者助手 is pressed


def _modes() -> dict[str, Mode]:
    # size → (body text px, smallest control px)
    sizes = {"1": (18, 44), "3": (36, 60), "5": (54, 60)}
    # Every setting the matrix varies is sent each time, so no mode inherits the last one's.
    modes = {
        f"{theme}-size{size}": Mode(
            {"theme": theme, "size": size, "spacing": "normal", "elder": "off"},
            THEME_COLOURS[theme],
            text_px,
            target_px,
        )
        for theme in THEMES
        for size, (text_px, target_px) in sizes.items()
    }
    # The preset: 长者模式 on, text at 150 %, wide spacing.
    modes["elder"] = Mode(
        {"preset": "elder", "theme": "default"},
        THEME_COLOURS["default"],
        27,
        60,
        elder=True,
    )
    return modes


MODES = _modes()
WIDE = (1920, 1080)
NARROW = (320, 800)

# WCAG 1.4.12: the spacing a reader's own stylesheet may impose; nothing may be lost.
TEXT_SPACING_CSS = """
* { line-height: 1.5 !important; letter-spacing: 0.12em !important;
    word-spacing: 0.16em !important; }
p { margin-bottom: 2em !important; }
"""

REDUCED_MOTION = {"features": [{"name": "prefers-reduced-motion", "value": "reduce"}]}

# Colour arithmetic shared by the in-page measurements (WCAG relative luminance).
_COLOUR_JS = """
function rgba(text) {
  const m = text.match(/rgba?\\(([^)]+)\\)/);
  if (!m) return null;
  const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
  return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
}
function luminance(c) {
  const [r, g, b] = c.slice(0, 3).map(v => {
    v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
function ratio(a, b) {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return Math.round((x + 0.05) / (y + 0.05) * 100) / 100;
}
function backgroundOf(el) {
  for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
    const c = rgba(getComputedStyle(node).backgroundColor);
    if (c && c[3] > 0) return c;
  }
  return [255, 255, 255, 1];
}
function name(el) {
  const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim();
  return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' “' + text.slice(0, 20) + '”';
}
function shown(el) {
  const r = el.getBoundingClientRect();
  // checkVisibility: not in a folded <details> (its content keeps boxes, unpainted)
  return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'
    && el.checkVisibility();
}
"""

_RATIO_OF = (
    _COLOUR_JS
    + """
return arguments[0].map(selector => {
  const el = document.querySelector(selector);
  return ratio(rgba(getComputedStyle(el).color), backgroundOf(el));
});
"""
)

_MEASURE = (
    _COLOUR_JS
    + """
const minTarget = arguments[0];
const out = {targets: [], links: [], justified: [], highlight: [], marks: [], markCount: 0};
// Where the visit landed, and what shows its mode took effect.
const html = getComputedStyle(document.documentElement);
out.path = location.pathname;
out.colours = [html.color, html.backgroundColor];
const elder = document.getElementById('rd-elder-switch');
out.elderPressed = elder ? elder.getAttribute('aria-pressed') : 'no 长者助手 switch';
const body = document.querySelector('main .rd-paragraph') || document.body;
const bodyStyle = getComputedStyle(body);
out.fontSize = parseFloat(bodyStyle.fontSize);
out.lineHeight = parseFloat(bodyStyle.lineHeight) / out.fontSize;

// Line length: the widest paragraph's text width in characters of its own size.
out.lineChars = 0;
for (const p of document.querySelectorAll('main p, main li, main dd')) {
  const s = getComputedStyle(p);
  const width = p.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
  out.lineChars = Math.max(out.lineChars, width / parseFloat(s.fontSize));
}
for (const el of document.body.querySelectorAll('*')) {
  if (getComputedStyle(el).textAlign === 'justify') out.justified.push(name(el));
}

// Targets: every control a finger or pointer hits. A link inside running text (a <p> with
// other words) is exempt, as WCAG 2.5.5 allows; so is a 术语 (a link, or a button with JS)
// in a sentence with other words, wherever the sentence stands. A radio is hit through its
// label too.
function isInline(a) {
  const p = a.closest('p') || (a.classList.contains('rd-term') && a.closest('[data-sentence]'));
  return p && p.textContent.replace(a.textContent, '').replace(/[\\s·|]/g, '').length > 0;
}
const controls = [...document.querySelectorAll(
  'a[href], button, summary, input:not([type=hidden]), [role=button], input[type=radio] + label')];
for (const el of controls) {
  if (!shown(el) || ((el.tagName === 'A' || el.classList.contains('rd-term')) && isInline(el))) continue;
  let r = el.getBoundingClientRect();
  if (el.type === 'radio' && el.labels.length) {
    const l = el.labels[0].getBoundingClientRect();
    r = {width: Math.max(r.right, l.right) - Math.min(r.left, l.left),
         height: Math.max(r.bottom, l.bottom) - Math.min(r.top, l.top)};
  }
  if (r.width < minTarget - 0.5 || r.height < minTarget - 0.5) {
    out.targets.push(`${name(el)} ${Math.round(r.width)}×${Math.round(r.height)}`);
  }
}

// Text colour of every link and button against what is behind it: 7:1.
for (const el of document.querySelectorAll('a[href], button, summary, [role=button]')) {
  if (!shown(el) || !el.textContent.trim()) continue;
  const c = ratio(rgba(getComputedStyle(el).color), backgroundOf(el));
  if (c < 7) out.links.push(`${name(el)} ${c}:1`);
}

// The sentence being read aloud, highlighted (the player adds the class), 7:1.
const sentence = document.querySelector('.rd-sentence');
if (sentence) {
  sentence.classList.add('rd-sentence--current');
  const s = getComputedStyle(sentence);
  const c = ratio(rgba(s.color), backgroundOf(sentence));
  if (c < 7) out.highlight.push(`${c}:1`);
  // Any visible difference from the page (a highlighter yellow on white is 1.2:1); the
  // text on it is what the 7:1 bar is for.
  if (ratio(backgroundOf(sentence), backgroundOf(sentence.parentElement)) < 1.1) {
    out.highlight.push('the highlight cannot be told from the page');
  }
  sentence.classList.remove('rd-sentence--current');
}
for (const mark of document.querySelectorAll('mark')) {
  out.markCount += 1;
  const c = ratio(rgba(getComputedStyle(mark).color), backgroundOf(mark));
  if (c < 7) out.marks.push(`“${mark.textContent}” ${c}:1`);
}
return out;
"""
)

# Focus every focusable control in turn (after one real Tab, so the browser is in keyboard
# mode and :focus-visible applies): a ring must appear, 2 px or more and 3:1 against what is
# behind it, and the control must be on screen with nothing drawn over it.
_FOCUS_WALK = (
    _COLOUR_JS
    + """
const problems = [];
// A folded group's values are not reachable until it is unfolded; its summary is.
const folded = el => el.closest('details:not([open])') && !el.matches('details > summary');
const focusable = [...document.querySelectorAll(
  'a[href], button, summary, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex="-1"])')]
  .filter(el => !el.closest('[hidden]') && !folded(el) && getComputedStyle(el).display !== 'none');
for (const el of focusable) {
  const before = getComputedStyle(el).boxShadow;
  el.focus();
  if (document.activeElement !== el) { problems.push(`${name(el)} cannot take focus`); continue; }
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
  const shadow = s.boxShadow !== 'none' && s.boxShadow !== before;
  if (!outline && !shadow) { problems.push(`${name(el)} shows no focus ring`); continue; }
  if (outline) {
    const c = ratio(rgba(s.outlineColor), backgroundOf(el.parentElement));
    if (c < 3) problems.push(`${name(el)} focus ring ${c}:1`);
  }
  const boxes = el.getClientRects();
  const r = boxes.length ? boxes[0] : el.getBoundingClientRect();
  if (r.top < -1 || r.left < -1 || r.bottom > innerHeight + 1 || r.right > innerWidth + 1) {
    problems.push(`${name(el)} is off screen when focused`);
    continue;
  }
  const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  if (!top || !(top === el || el.contains(top) || (el.labels && [...el.labels].includes(top)))) {
    problems.push(`${name(el)} is covered by ${top ? name(top) : 'nothing'}`);
  }
}
document.activeElement.blur();
return problems;
"""
)

# WCAG 1.4.12 with the reader's spacing imposed: nothing clipped, no controls overlapping.
_SPACING_CHECK = (
    _COLOUR_JS
    + """
const problems = [];
for (const el of document.body.querySelectorAll('*')) {
  const s = getComputedStyle(el);
  const clips = [s.overflowX, s.overflowY].some(v => v === 'hidden' || v === 'clip');
  const r = el.getBoundingClientRect();
  if (!clips || r.width <= 1 || r.height <= 1) continue;  // 1 px: text for screen readers only
  if (el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1) {
    problems.push(`${name(el)} clips its content`);
  }
}
const controls = [...document.querySelectorAll('a[href], button, summary, input, [role=button], label')]
  .filter(shown);
const boxes = controls.map(el => [...el.getClientRects()]);
for (let i = 0; i < controls.length; i++) {
  for (let j = i + 1; j < controls.length; j++) {
    const [a, b] = [controls[i], controls[j]];
    if (a.contains(b) || b.contains(a)) continue;
    for (const p of boxes[i]) for (const q of boxes[j]) {
      const w = Math.min(p.right, q.right) - Math.max(p.left, q.left);
      const h = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
      if (w > 1 && h > 1) problems.push(`${name(a)} overlaps ${name(b)}`);
    }
  }
}
return problems;
"""
)

# In the narrow window: how wide the page is (WCAG 1.4.10), then the spacing imposed.
_REFLOW_THEN_SPACING = (
    """
const e = document.documentElement;
const widths = [e.scrollWidth, e.clientWidth];
const style = document.createElement('style');
style.id = 'rd-test-spacing';
style.textContent = arguments[0];
document.head.appendChild(style);
const spacing = (() => {"""
    + _SPACING_CHECK
    + """})();
return {widths, spacing};
"""
)


def html_classes(driver) -> set[str]:
    return set(driver.execute_script("return document.documentElement.className").split())


def press(driver, *keys: str) -> None:
    """Hold every key but the last, press the last (e.g. Alt, Shift, '5')."""
    chain = ActionChains(driver)
    for key in keys[:-1]:
        chain.key_down(key)
    chain.send_keys(keys[-1])
    for key in reversed(keys[:-1]):
        chain.key_up(key)
    chain.perform()


def click_and_load(driver, element) -> None:
    """Click what loads a new page, and wait until it has."""
    old = driver.find_element(By.TAG_NAME, "html")
    element.click()
    wait_for(lambda: _is_stale(old), message="a new page to load")


def _is_stale(element) -> bool:
    try:
        element.tag_name  # noqa: B018 (asks the browser whether it still exists)
    except StaleElementReferenceException:
        return True
    return False


@dataclass
class Survey:
    """What each check found, as 'page · mode: problem' lines, plus raw measurements."""

    problems: dict[str, list[str]] = field(default_factory=dict)
    font_sizes: dict[tuple[str, str], float] = field(default_factory=dict)
    visits: int = 0
    seconds: float = 0.0

    def add(self, check: str, where: str, found) -> None:
        self.problems.setdefault(check, [])
        for item in found if isinstance(found, list) else [found]:
            self.problems[check].append(f"{where}: {item}")


CHECKS = (
    "loaded",
    "axe",
    "contrast",
    "targets",
    "reflow",
    "text-spacing",
    "focus",
    "external-requests",
    "text",
    "highlight",
)


@pytest.fixture(scope="module")
def survey(browser, live_server) -> Survey:
    """Every page type × every mode, each visited once with the toolbar open.

    A mode's cookie is set once, through the no-JS settings link on its first page; its
    other pages are plain visits. Chromium puts axe-core into each page as it opens.
    """
    result = Survey()
    started = time.monotonic()
    browser.execute_cdp_cmd("Network.clearBrowserCookies", {})
    external_requests(browser, live_server)
    set_window(browser, *WIDE)
    # Focus scrolls the page smoothly unless motion is reduced; the focus walk looks at
    # where each control comes to rest, so the survey asks for the instant scroll. Smooth
    # scrolling is all the stylesheet changes for it, and no other check scrolls.
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", REDUCED_MOTION)
    try:
        with axe_on_every_page(browser):
            for mode_index, (mode_name, mode) in enumerate(MODES.items()):
                for index, (page_name, path) in enumerate(PAGES.items()):
                    group = TOOLBAR_GROUPS[(mode_index + index) % len(TOOLBAR_GROUPS)]
                    if index == 0:  # from the defaults: 长者助手 keeps a larger size it finds
                        set_cookie_settings(browser, live_server, preset="reset", next="/")
                        set_cookie_settings(browser, live_server, next="/", **mode.settings)
                    browser.get(f"{live_server}{with_toolbar(path, group)}")
                    result.visits += 1
                    _survey_page(browser, live_server, result, page_name, path, mode_name, mode)
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
        set_window(browser, *DEFAULT_WINDOW)
        browser.execute_cdp_cmd("Network.clearBrowserCookies", {})
    result.seconds = time.monotonic() - started
    return result


def _survey_page(browser, live_server, result, page_name, path, mode_name, mode) -> None:
    """Every check on the page the browser shows, in a 1920 px window; leaves it at 1920 px."""
    where = f"{page_name} · {mode_name}"
    m = browser.execute_script(_MEASURE, mode.target_px)
    # Every other check passes on a page that never loaded or ignored the mode.
    if m["path"] != path.split("?")[0]:
        result.add("loaded", where, f"landed on {m['path']}")
    if tuple(m["colours"]) != mode.colours:
        result.add("loaded", where, f"text and page colours {m['colours']}, not {mode.colours}")
    if m["fontSize"] != mode.text_px:
        result.add("loaded", where, f"body text {m['fontSize']} px, not {mode.text_px} px")
    if m["elderPressed"] != str(mode.elder).lower():
        result.add("loaded", where, f"长者助手 aria-pressed={m['elderPressed']}")

    # 7:1 (WCAG 1.4.6) is our bar for all text; axe leaves this AAA rule off by default.
    axe = run_axe(browser, extra_rules=[ENHANCED_CONTRAST])
    for v in axe.violations:
        result.add("axe", where, [f"{v['id']} {' '.join(n['target'])}" for n in v["nodes"]])
    # What axe cannot judge (e.g. a lone arrow in <kbd>) we measure ourselves.
    for v in axe.incomplete:
        if not v["id"].startswith("color-contrast"):
            continue
        targets = [" ".join(n["target"]) for n in v["nodes"]]
        ratios = browser.execute_script(_RATIO_OF, targets)
        result.add(
            "contrast",
            where,
            [f"{v['id']} {t} {c}:1" for t, c in zip(targets, ratios, strict=True) if c < 7],
        )

    result.font_sizes[(page_name, mode_name)] = m["fontSize"]
    result.add("contrast", where, m["links"])
    result.add("targets", where, m["targets"])
    result.add("highlight", where, m["highlight"] + m["marks"])
    if page_name == "search" and m["markCount"] == 0:
        result.add("highlight", where, "no <mark> to measure")
    result.add("text", where, [f"justified: {j}" for j in m["justified"]])
    if m["lineHeight"] < 1.6:
        result.add("text", where, f"line-height {m['lineHeight']:.2f}")
    if m["lineChars"] > 40:
        result.add("text", where, f"{m['lineChars']:.1f} characters a line")

    ActionChains(browser).send_keys(Keys.TAB).perform()
    result.add("focus", where, browser.execute_script(_FOCUS_WALK))

    set_window(browser, *NARROW)
    narrow = browser.execute_script(_REFLOW_THEN_SPACING, TEXT_SPACING_CSS)
    widths = narrow["widths"]
    if widths[0] > widths[1]:
        result.add("reflow", where, f"{widths[0]} px wide in a {widths[1]} px window")
    result.add("text-spacing", where, narrow["spacing"])
    set_window(browser, *WIDE)
    result.add("text-spacing", f"{where} (1920 px)", browser.execute_script(_SPACING_CHECK))

    result.add("external-requests", where, external_requests(browser, live_server))


@pytest.mark.parametrize("check", CHECKS)
def test_every_page_in_every_theme_size_and_elder_mode(survey, check):
    """axe (WCAG 2.0–2.2 A/AA + 7:1), our own colour, target, reflow, spacing, focus and
    text checks, on 9 page types × (5 themes × 3 sizes + 长者助手), toolbar open."""
    assert survey.visits == len(PAGES) * len(MODES)
    problems = survey.problems.get(check, [])
    shown = "\n".join(problems[:60])
    assert not problems, f"{len(problems)} problems ({survey.seconds:.0f} s survey):\n{shown}"


def test_body_text_sizes_meet_the_numbers(survey):
    sizes = survey.font_sizes
    for page_name in PAGES:
        default = sizes[(page_name, "default-size1")]
        assert default >= 18, (page_name, default)
        assert sizes[(page_name, "elder")] >= 24, page_name
        for theme in THEMES:
            largest = sizes[(page_name, f"{theme}-size5")]
            assert largest >= 40, (page_name, theme, largest)
            assert largest >= 3 * sizes[(page_name, f"{theme}-size1")] - 0.5, (page_name, theme)


# --- keyboard ---------------------------------------------------------------------------

READING = PAGES["page"]


def open_page(driver, base: str, path: str, **settings: str) -> None:
    """Visit `path` with exactly these settings (the rest default), as a no-JS link would."""
    set_cookie_settings(driver, base, next=path, preset="reset", **settings)
    if settings:
        set_cookie_settings(driver, base, next=path, **settings)


def mark_window(driver) -> None:
    driver.execute_script("window.rdTestMarker = 'still here'")


def same_document(driver) -> bool:
    return driver.execute_script("return window.rdTestMarker === 'still here'")


def test_tab_order_reaches_skip_link_header_toolbar_and_pagination_with_focus_seen(
    clean_browser, live_server
):
    driver = clean_browser
    open_page(driver, live_server, READING)
    driver.get(f"{live_server}{READING}?toolbar=open")  # open, and Tab starts at the top
    expected = driver.execute_script(
        """
        const pick = sel => [...document.querySelectorAll(sel)].map(a => a.getAttribute('href'));
        return {header: pick('.rd-header__switches a'), toolbar: pick('#rd-toolbar a'),
                pagination: pick('.rd-pagination a'),
                count: document.querySelectorAll('a[href], button, input, summary').length};
        """
    )
    assert len(expected["toolbar"]) >= 30  # every value of every setting, reset and help
    # Tab scrolls smoothly unless motion is reduced; we judge where each control comes to rest.
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", REDUCED_MOTION)
    try:
        # Each of the toolbar's groups is unfolded with Enter as Tab reaches it, as a
        # keyboard user does, so its values come next.
        stops = []
        for _ in range(expected["count"]):
            stops.extend(tab_through(driver, 1))
            if stops[-1] is not None and stops[-1].tag == "summary":
                ActionChains(driver).send_keys(Keys.ENTER).perform()
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
    assert stops[0] is not None and stops[0].text == "跳到正文"
    reached = [stop.href for stop in stops if stop]
    assert len([stop for stop in stops if stop and stop.tag == "summary"]) == len(TOOLBAR_GROUPS)
    wanted = expected["header"] + expected["toolbar"] + expected["pagination"]
    remaining = iter(reached)
    missed = [href for href in wanted if href not in remaining]  # in this order
    assert not missed, f"not reached in order: {missed}"
    for stop in stops:
        assert stop is not None, "focus left the page before every control was reached"
        assert stop.has_focus_ring, stop
        assert stop.in_viewport and not stop.obscured, stop


@pytest.mark.parametrize("javascript", ["on", "off"])
def test_enter_on_the_accessibility_switch_opens_the_toolbar(
    clean_browser, live_server, javascript
):
    driver = clean_browser
    if javascript == "off":
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        open_page(driver, live_server, READING)
        toolbar = driver.find_element(By.ID, "rd-toolbar")
        assert not toolbar.is_displayed()
        assert ("js-enabled" in html_classes(driver)) == (javascript == "on")
        stops = tab_through(driver, 4)  # skip link, 易读, 长者助手, 无障碍版
        assert stops[3].text == "无障碍版"
        mark_window(driver)
        ActionChains(driver).send_keys(Keys.ENTER).perform()
        wait_for(
            lambda: driver.find_element(By.ID, "rd-toolbar").is_displayed(),
            message="the toolbar to open",
        )
        switch = driver.find_element(By.ID, "rd-toolbar-switch")
        assert switch.get_attribute("aria-expanded") == "true"
        # without JS: a link to this page with ?toolbar=open; with it, in place
        assert driver.current_url.split("?")[0].endswith(READING)
        assert driver.current_url.endswith(READING) == (javascript == "on")
        assert same_document(driver) == (javascript == "on")
    finally:
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})


def test_arrow_keys_turn_pages_except_in_a_field(clean_browser, live_server):
    driver = clean_browser
    open_page(driver, live_server, READING)
    ActionChains(driver).send_keys(Keys.ARROW_RIGHT).perform()
    assert wait_for(lambda: driver.current_url.endswith(f"/r/{SLUG}/3#rd-text"))  # at the text
    ActionChains(driver).send_keys(Keys.ARROW_LEFT).perform()
    assert wait_for(lambda: driver.current_url.endswith(f"{READING}#rd-text"))

    # A reader typing in a text field moves the caret, not the page.
    driver.execute_script(
        """const field = document.createElement('input');
        field.type = 'search'; field.id = 'rd-test-field'; field.value = '社区服务';
        document.querySelector('main').prepend(field); field.focus();"""
    )
    mark_window(driver)
    field = driver.find_element(By.ID, "rd-test-field")
    field.send_keys(Keys.ARROW_LEFT, Keys.ARROW_RIGHT, Keys.ARROW_LEFT)
    time.sleep(0.3)
    assert driver.current_url.endswith(f"{READING}#rd-text") and same_document(driver)


def test_alt_shift_5_changes_the_theme_in_place(clean_browser, live_server):
    driver = clean_browser
    open_page(driver, live_server, READING)
    assert "rd-theme--default" in html_classes(driver)
    mark_window(driver)
    press(driver, Keys.ALT, Keys.SHIFT, "5")
    assert wait_for(lambda: "rd-theme--black-white" in html_classes(driver))
    assert same_document(driver)
    driver.refresh()  # the choice is kept: the server paints it on the next page
    assert "rd-theme--black-white" in html_classes(driver)


# --- without JavaScript -----------------------------------------------------------------


# What a reader sees change on <html> when a toolbar value is chosen.
def expected_html(name: str, value: str) -> tuple[str, str]:
    """(attribute, token) of <html> that shows `name=value` took effect."""
    if name == "captions":
        return "class", "rd-captions" if value == "on" else "-rd-captions"
    if name == "ruby":
        return "class", "rd-ruby-on" if value != "off" else "-rd-ruby-on"
    if name == "lang":
        return "lang", {"zh_CN": "zh-CN", "zh_Hant": "zh-HK", "en": "en"}[value]
    if name in ("size", "spacing", "theme", "guide", "cursor"):
        return "class", f"rd-{name}--{value}"
    return "", ""  # voice, rate, pauses, reading, word_highlight, script: the pressed button


@pytest.fixture
def no_javascript(clean_browser):
    """The session's Chromium with scripts off (and instant scrolling, so that WebDriver
    clicks land where it scrolled to rather than mid-way through a smooth scroll)."""
    clean_browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    clean_browser.execute_cdp_cmd("Emulation.setEmulatedMedia", REDUCED_MOTION)
    yield clean_browser
    clean_browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
    clean_browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})


def test_without_javascript_every_toolbar_link_changes_its_setting(no_javascript, live_server):
    driver = no_javascript
    open_page(driver, live_server, READING, toolbar="open")
    assert "js-enabled" not in html_classes(driver)
    choices = [
        (link.get_attribute("data-setting"), link.get_attribute("data-value"))
        for link in driver.find_elements(By.CSS_SELECTOR, "#rd-toolbar [data-setting]")
    ]
    assert len(choices) == 42
    # Walk each setting away from its default and back, so every value is chosen once.
    for name, value in choices[1:] + choices[:1]:
        group = driver.find_element(By.ID, f"rd-toolbar-{name}")
        if group.get_attribute("open") is None:  # unfold its group first, as a reader must
            group.find_element(By.TAG_NAME, "summary").click()
        link = driver.find_element(
            By.CSS_SELECTOR, f"#rd-toolbar [data-setting='{name}'][data-value='{value}']"
        )
        click_and_load(driver, link)
        # back on the page, with the toolbar open at the group just used
        assert driver.current_url.endswith(f"{READING}?toolbar={name}#rd-toolbar-{name}")
        assert driver.find_element(By.ID, f"rd-toolbar-{name}").get_attribute("open") is not None
        chosen = driver.find_element(
            By.CSS_SELECTOR, f"#rd-toolbar [data-setting='{name}'][data-value='{value}']"
        )
        assert chosen.get_attribute("aria-pressed") == "true", (name, value)
        attribute, token = expected_html(name, value)
        html = driver.find_element(By.TAG_NAME, "html")
        if attribute == "class":
            classes = set((html.get_attribute("class") or "").split())
            assert (token.lstrip("-") in classes) != token.startswith("-"), (name, value)
        elif attribute == "lang":
            assert html.get_attribute("lang") == token, (name, value)
    click_and_load(driver, driver.find_element(By.ID, "rd-reset"))
    assert "rd-theme--default" in html_classes(driver)
    assert driver.current_url.endswith(READING)
    assert not driver.find_element(By.ID, "rd-toolbar").is_displayed()  # 退出/重置 closes it


def test_without_javascript_the_settings_form_and_page_turning_work(no_javascript, live_server):
    driver = no_javascript
    driver.get(f"{live_server}/settings")
    driver.find_element(By.CSS_SELECTOR, "label[for='set-theme-black-yellow']").click()
    driver.find_element(By.CSS_SELECTOR, "label[for='set-size-3']").click()
    save = driver.find_element(By.CSS_SELECTOR, ".rd-settings button[type=submit]:not([name])")
    click_and_load(driver, save)
    assert {"rd-theme--black-yellow", "rd-size--3"} <= html_classes(driver)
    assert driver.find_element(By.ID, "set-theme-black-yellow").is_selected()

    driver.get(f"{live_server}{READING}")
    click_and_load(driver, driver.find_element(By.ID, "rd-page-next"))
    assert driver.current_url.endswith(f"/r/{SLUG}/3#rd-text")  # a page turn lands at the text
    click_and_load(driver, driver.find_element(By.ID, "rd-page-prev"))
    assert driver.current_url.endswith(f"{READING}#rd-text")
    assert "rd-theme--black-yellow" in html_classes(driver)


# --- what a screen reader is given -----------------------------------------------------


def _ax_property(node: dict, name: str):
    for prop in node.get("properties", []):
        if prop["name"] == name:
            return prop["value"].get("value")
    return None


def test_accessibility_tree_of_a_reading_page(clean_browser, live_server):
    driver = clean_browser
    open_page(driver, live_server, READING, toolbar="open")
    report_headings = driver.execute_script(
        "return [...document.querySelectorAll('main h2, main h3')]"
        ".map(h => [Number(h.tagName[1]), h.textContent.trim()])"
    )
    assert {level for level, _ in report_headings} == {2, 3}
    nodes = ax_tree(driver)

    def role(n):
        return n.get("role", {}).get("value", "")

    def name(n):
        return n.get("name", {}).get("value", "").strip()

    roles = [role(n) for n in nodes]
    for landmark in ("banner", "main", "contentinfo"):
        assert roles.count(landmark) == 1, landmark
    navigations = [n for n in nodes if role(n) == "navigation"]
    assert navigations and all(name(n) for n in navigations)
    assert {"网站导航", "翻页"} <= {name(n) for n in navigations}

    headings = [(_ax_property(n, "level"), name(n)) for n in nodes if role(n) == "heading"]
    assert headings[0] == (1, driver.find_element(By.TAG_NAME, "h1").text)
    assert [[level, text] for level, text in headings[1:]] == report_headings

    controls = [n for n in nodes if role(n) in ("link", "button", "toggleButton")]
    assert controls and all(name(n) for n in controls), [n for n in controls if not name(n)]
    switch = next(n for n in controls if name(n) == "无障碍版")
    assert _ax_property(switch, "expanded") is True
    # The toolbar shows one group's values at a time: unfold each in turn. Every toggle
    # has its own name ("字号：200%"), so a name met twice would be a second control.
    pressed = {}
    for group in driver.find_elements(By.CSS_SELECTOR, "#rd-toolbar details"):
        driver.execute_script("arguments[0].open = true", group)
        for n in ax_tree(driver):
            if role(n) in ("link", "button", "toggleButton") and _ax_property(n, "pressed") is not None:
                pressed[name(n)] = _ax_property(n, "pressed")
    assert len(pressed) >= 42 + 1  # 42 toolbar values and 长者助手
    # One value pressed in each of the toolbar's 14 groups (字号, 行距, 配色 …), by default.
    groups = driver.find_elements(By.CSS_SELECTOR, "#rd-toolbar [role=group]")
    assert len(groups) == 14
    assert sum(value == "true" or value is True for value in pressed.values()) == len(groups)


# --- valid HTML -------------------------------------------------------------------------


def test_every_page_type_is_valid_html(html_checker, client):
    documents = {}
    for cookie in (
        "",
        "toolbar=open",
        "elder=on&size=2&spacing=wide&toolbar=open&theme=black-yellow",
    ):
        client.set_cookie("rd_settings", cookie)
        for page_name, path in PAGES.items():
            if "toolbar=open" in cookie:  # the toolbar open, one group unfolded
                path = with_toolbar(path, "theme")
            response = client.get(path)
            assert response.status_code == (404 if page_name == "404" else 200), path
            documents[f"{page_name} [{cookie or 'defaults'}]"] = response.get_data(as_text=True)
    errors = {name: found for name, found in validate_html_many(documents).items() if found}
    assert not errors, errors


# --- the script's enhancement -----------------------------------------------------------


def test_toolbar_button_with_javascript_changes_the_page_in_place_and_says_so_once(
    clean_browser, live_server
):
    driver = clean_browser
    open_page(driver, live_server, READING, toolbar="theme")
    mark_window(driver)
    selector = "#rd-toolbar [data-setting='theme'][data-value='black-yellow']"
    driver.find_element(By.CSS_SELECTOR, selector).click()
    assert wait_for(lambda: "rd-theme--black-yellow" in html_classes(driver))
    time.sleep(0.4)  # long enough for a second, unwanted announcement to arrive
    assert same_document(driver), "the page was loaded again"
    assert "rd-theme--default" not in html_classes(driver)
    pressed = {
        link.get_attribute("data-value"): link.get_attribute("aria-pressed")
        for link in driver.find_elements(By.CSS_SELECTOR, "#rd-toolbar [data-setting='theme']")
    }
    assert pressed == {value: str(value == "black-yellow").lower() for value in THEMES}
    regions = driver.find_elements(By.CSS_SELECTOR, "[aria-live=polite], [role=status]")
    assert len(regions) == 1
    assert regions[0].get_attribute("textContent") == "配色 黑底黄字"  # what changed
    driver.refresh()
    assert "rd-theme--black-yellow" in html_classes(driver)
