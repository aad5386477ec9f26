"""A service-hall kiosk (issue #8 items 1, 2 and 6) in Chromium at 1080 × 1920 with touch and
no keyboard, against one live `--kiosk` server with the idle time shortened: 还在阅读吗？
appears after the quiet spell (not while reading aloud), takes focus, is spoken, stays on a
tap, and after its countdown resets cookies, storage and address, so the next visitor finds
the kiosk's defaults; the start screen speaks each choice; a swipe turns pages; axe and the
60 px target check pass on every kiosk page type, and axe on the dialog.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest
from selenium.webdriver.common.by import By

from reader.web import create_app

from .harness import (
    DEFAULT_WINDOW,
    REPO,
    axe_on_every_page,
    describe_violations,
    requested_urls,
    reset_browser,
    run_axe,
    serve_wsgi,
    set_window,
    tap,
    wait_for,
)

KIOSK_SCREEN = (1080, 1920)
IDLE, COUNTDOWN = 3, 3  # seconds; a hall's are 90 and 30 (at least 20, which tests may shorten)
SLUG = "zs-dongqu-2020-work-plan"
PAGE = f"/r/{SLUG}/2"
STILL_HERE = "document.dispatchEvent(new Event('pointerdown'))"  # a visitor's touch: not idle
PAGE_TYPES = (
    "/kiosk/", "/", f"/r/{SLUG}/", PAGE, f"/r/{SLUG}/all", f"/r/{SLUG}/outline",
    "/search?q=养老", "/settings", "/help", "/glossary",
)  # fmt: skip

# Every control a finger hits, at least 60 × 60 CSS px; a link inside running text (a <p>
# or a sentence with other words) is exempt, as WCAG 2.5.5 allows, and so is the skip link,
# which shows only on keyboard focus.
_SMALL_TARGETS = """
function shown(el) {
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'
    && !el.closest('[hidden], dialog:not([open])');
}
function inline(a) {
  const p = a.closest('p') || (a.classList.contains('rd-term') && a.closest('[data-sentence]'));
  return p && p.textContent.replace(a.textContent, '').replace(/[\\s·|]/g, '').length > 0;
}
const small = [];
for (const el of document.querySelectorAll(
    'a[href], button, summary, input:not([type=hidden]), [role=button], input[type=radio] + label')) {
  if (!shown(el) || el.classList.contains('rd-skip-link')) continue;
  if ((el.tagName === 'A' || el.classList.contains('rd-term')) && inline(el)) continue;
  let r = el.getBoundingClientRect();
  if (el.type === 'radio' && el.labels.length) {
    const l = el.labels[0].getBoundingClientRect();
    r = {width: Math.max(r.right, l.right) - Math.min(r.left, l.left),
         height: Math.max(r.bottom, l.bottom) - Math.min(r.top, l.top)};
  }
  if (r.width < 59.5 || r.height < 59.5) {
    small.push(`${el.tagName}.${el.className} “${el.textContent.trim().slice(0, 12)}” ${Math.round(r.width)}×${Math.round(r.height)}`);
  }
}
return small;
"""


@pytest.fixture(scope="module")
def kiosk_server(tmp_path_factory):
    app = create_app({
        "TESTING": True, "KIOSK": True, "CONTENT_DIR": str(REPO / "content"),
        "INSTANCE_DIR": str(tmp_path_factory.mktemp("kiosk-instance")),
        "KIOSK_IDLE_SECONDS": IDLE, "KIOSK_COUNTDOWN_SECONDS": COUNTDOWN,
        "SPEECH_LIMIT_EXEMPT": ("127.0.0.1",),
    })  # fmt: skip
    with serve_wsgi(app) as base_url:
        yield base_url


@pytest.fixture
def kiosk(browser, kiosk_server):
    """The session's Chromium as the hall's touch screen, on a first visit."""
    reset_browser(browser)
    set_window(browser, *KIOSK_SCREEN, mobile=True)
    browser.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5})
    yield browser
    browser.execute_cdp_cmd(
        "Storage.clearDataForOrigin", {"origin": kiosk_server, "storageTypes": "local_storage,session_storage"}
    )
    browser.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": False, "maxTouchPoints": 1})
    set_window(browser, *DEFAULT_WINDOW)


def element(driver, selector: str):
    return driver.find_element(By.CSS_SELECTOR, selector)


def html_classes(driver) -> set[str]:
    return set(driver.execute_script("return document.documentElement.className").split())


def dialog_open(driver) -> bool:
    return driver.execute_script("return document.getElementById('rd-kiosk-dialog').open")


def path_of(driver) -> str:
    return urlsplit(driver.current_url).path


def swipe(driver, dx: int) -> None:
    """A finger across the middle of the screen, `dx` CSS px (negative: to the left)."""
    width, height = KIOSK_SCREEN
    x0, y = width // 2 - dx // 2, height // 2
    for kind, x in (("touchStart", x0), ("touchMove", x0 + dx // 2), ("touchMove", x0 + dx)):
        driver.execute_cdp_cmd("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [{"x": x, "y": y}]})
    driver.execute_cdp_cmd("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def test_idle_dialog_asks_is_spoken_stays_on_a_tap_then_resets_for_the_next_visitor(kiosk, kiosk_server):
    kiosk.get(f"{kiosk_server}{PAGE}?toolbar=size")
    assert {"rd-elder", "rd-size--2"} <= html_classes(kiosk)  # the kiosk's defaults
    tap(kiosk, element(kiosk, '[data-setting="size"][data-value="5"]'))
    wait_for(lambda: "rd-size--5" in html_classes(kiosk), message="300 % applied in place")
    kiosk.execute_script("localStorage.setItem('rd-visitor', 'mine'); sessionStorage.setItem('rd-visitor', 'mine');")

    # Reading aloud is activity: no question while the kiosk speaks.
    tap(kiosk, element(kiosk, "#rd-player-toggle"))
    wait_for(lambda: kiosk.execute_script(
        "return [...document.querySelectorAll('audio')].some(a => !a.paused && a.currentTime > 0)"),
        timeout=15, message="reading aloud")  # fmt: skip
    time.sleep(IDLE + 1)
    assert not dialog_open(kiosk)
    tap(kiosk, element(kiosk, "#rd-player-toggle"))  # pause, and walk away
    requested_urls(kiosk)

    wait_for(lambda: dialog_open(kiosk), timeout=IDLE + 2, message="还在阅读吗？")
    focused = kiosk.switch_to.active_element
    assert focused.get_attribute("class").split()[-1] == "rd-kiosk-dialog__stay"
    assert focused.size["height"] >= 60 and focused.text == "继续阅读"
    dialog = element(kiosk, "#rd-kiosk-dialog")
    assert kiosk.execute_script("return arguments[0].matches(':modal')", dialog)
    assert element(kiosk, "#rd-kiosk-dialog-title").text == "还在阅读吗？"
    seconds = int(element(kiosk, "[data-kiosk-seconds]").text)
    assert 1 <= seconds <= COUNTDOWN
    assert not describe_violations(run_axe(kiosk, context="#rd-kiosk-dialog").violations)
    # spoken in the visitor's voice: the server's MP3 of the question, played
    assert any("/kiosk/say/still-reading.mp3" in url for url in requested_urls(kiosk))
    wait_for(lambda: kiosk.execute_script(
        "const s = window.rdKioskPhrase; return s && (s.currentTime > 0 || s.ended)"),
        timeout=10, message="the question read aloud")  # fmt: skip

    tap(kiosk, element(kiosk, "#rd-kiosk-dialog-text"))  # any tap stays
    assert not dialog_open(kiosk)
    assert "rd-size--5" in html_classes(kiosk) and path_of(kiosk) == PAGE

    wait_for(lambda: dialog_open(kiosk), timeout=IDLE + 2, message="the question again")
    wait_for(lambda: path_of(kiosk) == "/kiosk/", timeout=COUNTDOWN + 3, message="back to the start")
    assert kiosk.execute_script("return [localStorage.length, sessionStorage.length]") == [0, 0]
    assert {c["name"] for c in kiosk.get_cookies()} <= {"rd_visit"}
    assert not kiosk.execute_script("return [...document.querySelectorAll('audio')].some(a => !a.paused)")
    # the next visitor: the kiosk's defaults on every page
    kiosk.get(f"{kiosk_server}{PAGE}")
    assert {"rd-elder", "rd-size--2"} <= html_classes(kiosk) and "rd-size--5" not in html_classes(kiosk)


def test_start_screen_speaks_each_choice_and_a_swipe_turns_pages(kiosk, kiosk_server):
    kiosk.get(f"{kiosk_server}/kiosk/")
    labels = [e.text.split()[0] for e in kiosk.find_elements(By.CSS_SELECTOR, ".rd-kiosk-start__label")]
    assert labels == ["放大字", "听朗读", "找报告"]
    requested_urls(kiosk)
    tap(kiosk, element(kiosk, ".rd-kiosk-start__choice--bigger"))
    wait_for(lambda: path_of(kiosk) == "/", timeout=8, message="the library after 放大字 is said")
    assert any("/kiosk/say/bigger.mp3" in url for url in requested_urls(kiosk))
    assert "rd-size--4" in html_classes(kiosk)

    kiosk.get(f"{kiosk_server}{PAGE}")
    tap(kiosk, element(kiosk, "#rd-elder-switch"))  # 长者助手 off on a kiosk stays off
    wait_for(lambda: "rd-elder" not in html_classes(kiosk), message="长者助手 off")
    swipe(kiosk, -400)
    wait_for(lambda: path_of(kiosk) == f"/r/{SLUG}/3", message="a swipe left to the next page")
    assert "rd-elder" not in html_classes(kiosk)
    swipe(kiosk, 400)
    wait_for(lambda: path_of(kiosk) == PAGE, message="a swipe right to the previous page")
    swipe(kiosk, -40)  # a short touch is no swipe
    time.sleep(0.5)
    assert path_of(kiosk) == PAGE


def test_every_kiosk_page_type_passes_axe_and_has_60px_targets(kiosk, kiosk_server):
    problems = {}
    with axe_on_every_page(kiosk):
        for path in PAGE_TYPES:
            # 无障碍版 open on one page: it is the same on every page
            kiosk.get(f"{kiosk_server}{path}{'?toolbar=open' if path == PAGE else ''}")
            kiosk.execute_script(STILL_HERE)
            found = describe_violations(run_axe(kiosk).violations)
            kiosk.execute_script(STILL_HERE)
            found += "".join(f"\n  {t}" for t in kiosk.execute_script(_SMALL_TARGETS))
            if found:
                problems[path] = found
    assert not problems, "\n".join(f"{path}: {found}" for path, found in problems.items())

