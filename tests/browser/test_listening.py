"""Listening on a phone, in a real Chromium as a phone is: 390 × 844, touch, and
--autoplay-policy=user-gesture-required, under which every newly loaded page needs a tap
of its own before it may play. One tap on 朗读 must read on through the pages (turned in
place, so the same <audio> element plays on), a reload offers to continue, 朗读全文 on
the cover plays at once, 大字幕 fits in a quarter of the screen above the controls, and
继续阅读 on the home page and the cover says where the reader was, with or without
JavaScript.

The reports are small (PAGE_CHARS 40, real text from content/), spoken by the server's
voice: real espeak-ng audio. Chromium is muted (--mute-audio): the <audio> element still
plays and its clock still runs. A script added to every new document keeps a log in
sessionStorage of each sentence that becomes current and of the audio element's clock,
with the page's address at that moment, and plays the audio at 4× (test speed only).
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from selenium.webdriver.common.by import By

from . import harness
from .harness import (
    ENHANCED_CONTRAST,
    describe_violations,
    missing_browser_tools,
    run_axe,
    serve_wsgi,
    skip_or_fail_if_missing,
    tap,
)

SLUG = "zs-nanqu-short-pages"
# Real sentences from content/zs-nanqu-2024-cadre-meeting.txt, shortened: at 40 characters
# a page, four pages of two or three short sentences.
SHORT_PAGES = """南区街道召开干部大会

信息来源:本网 发布日期:2024-02-09

  一是“百千万工程”开局良好。“强村公司”揭牌成立。

  二是坚持制造业当家不动摇。有序推动省级产业园扩园提质。

  三是城市品质持续提升。良都社区入选市典型选树培育村。

  四是民生福祉不断增进。南区街道高质量发展再上新台阶。
"""
LONG_SLUG = "zs-nanqu-long-sentence"
# The report's first sentence, as published: 150 characters, far more than a quarter of
# a phone's screen holds at 40 px.
LONG_SENTENCE = """南区街道召开干部大会

信息来源:本网 发布日期:2024-02-09

  2024年2月4日上午,南区街道召开干部大会,会议传达学习二十届中央纪委三次全会精神、十三届省纪委三次全会精神及十五届市纪委四次全会精神,传达学习市委十五届七次全会暨市委经济工作会议精神和市两会精神,总结回顾2023年工作,部署2024年主要工作任务,进一步统一思想、理清思路、振奋精神,凝心聚力推动南区街道高质量发展各项工作再上新台阶。

  二是坚持制造业当家不动摇。
"""

LOG = """
(() => {
  const log = (key, entry) => {
    const list = JSON.parse(sessionStorage.getItem(key) || '[]');
    list.push(entry);
    sessionStorage.setItem(key, JSON.stringify(list));
  };
  window.__rdDocument = Math.random();  // a new document gets a new one
  document.addEventListener('play', e => { e.target.playbackRate = 4; }, true);
  document.addEventListener('timeupdate', e => {
    if (e.target.currentTime > 0) log('__rdClock', {page: location.pathname, t: e.target.currentTime});
  }, true);
  new MutationObserver(records => {
    for (const r of records) {
      const el = r.target;
      if (!el.classList || !el.classList.contains('rd-sentence--current')) continue;
      if ((r.oldValue || '').split(' ').includes('rd-sentence--current')) continue;
      log('__rdTrail', {page: location.pathname, id: el.id});
    }
  }).observe(document, {subtree: true, attributes: true, attributeFilter: ['class'],
                        attributeOldValue: true});
})();
"""

# The system's side of the Media Session API: the lock screen and a headset's buttons call
# the handlers a page registers. Nothing here can press them, so ONLY for that this keeps
# the page's handlers where the test can call them, as the system would; they are still
# registered with the real navigator.mediaSession.
MEDIA_KEYS = """
(() => {
  const session = navigator.mediaSession;
  if (!session) return;
  const real = session.setActionHandler.bind(session);
  window.__rdMediaActions = {};
  session.setActionHandler = (action, handler) => {
    window.__rdMediaActions[action] = handler;
    return real(action, handler);
  };
})();
"""

SPEECH_WAIT = 20.0  # seconds: real synthesis on a machine shared with other work


@pytest.fixture(scope="module")
def content(tmp_path_factory):
    folder = tmp_path_factory.mktemp("listening-content")
    (folder / f"{SLUG}.txt").write_text(SHORT_PAGES, encoding="utf-8")
    (folder / f"{LONG_SLUG}.txt").write_text(LONG_SENTENCE, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def server(tmp_path_factory, content):
    from reader.web import create_app

    app = create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": str(content),
            "INSTANCE_DIR": str(tmp_path_factory.mktemp("instance")),
            "PAGE_CHARS": 40,
        }
    )
    with serve_wsgi(app) as base_url:
        yield base_url
    app.extensions["speech_synthesiser"].close()


@pytest.fixture(scope="module")
def phone_browser(tmp_path_factory):
    """Chromium as a phone (PHONE_FLAGS: a tap for each newly loaded page), muted."""
    skip_or_fail_if_missing(missing_browser_tools())
    driver = harness.start_chromium(
        tmp_path_factory.mktemp("chromium-phone"),
        harness.PHONE,
        flags=(*harness.PHONE_FLAGS, "--mute-audio"),
    )
    yield driver
    driver.quit()


@pytest.fixture
def phone(phone_browser):
    """The phone on a first visit, with the log on every new document."""
    harness.reset_browser(phone_browser)
    harness.set_phone(phone_browser)
    added = [
        phone_browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": source})
        for source in (LOG, MEDIA_KEYS)
    ]
    yield phone_browser
    for script in added:
        phone_browser.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", script)
    phone_browser.get("about:blank")


# --- helpers -------------------------------------------------------------------------------


def wait_for(condition, timeout: float = SPEECH_WAIT, message: str = ""):
    return harness.wait_for(condition, timeout, message)


def page_path(n: int, slug: str = SLUG) -> str:
    return f"/r/{slug}/{n}"


def open_page(driver, base_url: str, path: str, **settings: str) -> None:
    """Choose `settings` the no-JS way, land on `path` with storage and the log empty."""
    harness.set_cookie_settings(driver, base_url, next=path, **settings)
    driver.execute_script("localStorage.clear(); sessionStorage.clear();")
    driver.get(base_url + path)


def wait_for_player(driver):
    wait_for(lambda: driver.execute_script(
        "return !document.querySelector('[data-player-controls]').hidden"), message="the player")


def logged(driver, key: str) -> list[dict]:
    return json.loads(driver.execute_script("return sessionStorage.getItem(arguments[0]) || '[]'", key))


def trail(driver) -> list[dict]:
    return logged(driver, "__rdTrail")


def clock(driver, path: str) -> float:
    """How far the audio element's clock got while the address was `path` (0: never ran)."""
    return max((entry["t"] for entry in logged(driver, "__rdClock") if entry["page"] == path), default=0)


def toggle(driver):
    return driver.find_element(By.ID, "rd-player-toggle")


def pressed(driver) -> str:
    return toggle(driver).get_attribute("aria-pressed")


def focus_in_text(driver) -> bool:
    return driver.execute_script(
        "const el = document.activeElement;"
        "return !!el && !!el.closest('[data-module=rd-reading-body]');"
    )


def visible(driver, selector: str):
    return next((el for el in driver.find_elements(By.CSS_SELECTOR, selector) if el.is_displayed()), None)


# --- listening that never stops ----------------------------------------------------------


def test_one_tap_reads_three_pages_in_a_row_and_the_address_and_focus_follow(phone, server):
    open_page(phone, server, page_path(1))
    wait_for_player(phone)
    document = phone.execute_script("return window.__rdDocument")
    tap(phone, toggle(phone))
    for n in (1, 2, 3):
        wait_for(lambda n=n: phone.current_url.endswith(page_path(n)), message=f"page {n}")
        # the audio element's clock runs on each page: it is playing, with no further tap
        wait_for(lambda n=n: clock(phone, page_path(n)) > 0.2, message=f"audio playing on page {n}")
        assert phone.title.startswith(f"第 {n} 页 · 南区街道召开干部大会")
        assert phone.find_element(By.CSS_SELECTOR, ".rd-reading__position").text == f"第 {n} 页 / 共 4 页"
        if n > 1:
            wait_for(lambda: focus_in_text(phone), timeout=5, message=f"focus in the text of page {n}")
    assert pressed(phone) == "true"
    read = [(step["page"], step["id"]) for step in trail(phone)]
    pages = [page for page, _ in read]
    assert pages[: pages.index(page_path(3))] == sorted(pages[: pages.index(page_path(3))])
    assert [sentence for page, sentence in read if page == page_path(1)] == ["s1-0", "s1-1"]
    assert [sentence for page, sentence in read if page == page_path(2)] == ["s2-0", "s2-1"]
    # the same document all along: the pages were turned in place
    assert phone.execute_script("return window.__rdDocument") == document
    # the page's links lead on from the page shown, for a tap or a browser without script,
    # and a setting chosen without script comes back to the page shown
    assert phone.find_element(By.ID, "rd-page-next").get_attribute("href").split("#")[0].endswith(page_path(4))
    elder_switch = urlsplit(phone.find_element(By.ID, "rd-elder-switch").get_attribute("href"))
    assert parse_qs(elder_switch.query)["next"] == [page_path(3)]

    # Back shows the page before, in place, with its text
    tap(phone, toggle(phone))  # pause, so the page stays put
    shown = int(phone.current_url.rsplit("/", 1)[1])
    phone.back()
    wait_for(lambda: phone.find_element(By.CSS_SELECTOR, ".rd-reading__position").text
             == f"第 {shown - 1} 页 / 共 4 页", timeout=5, message="the page before")
    assert phone.current_url.endswith(page_path(shown - 1))
    assert phone.title.startswith(f"第 {shown - 1} 页")
    assert phone.find_element(By.ID, f"s{shown - 1}-0").is_displayed()
    assert phone.execute_script("return window.__rdDocument") == document


def test_next_page_tapped_while_listening_plays_on_from_its_start(phone, server):
    open_page(phone, server, page_path(1))
    wait_for_player(phone)
    document = phone.execute_script("return window.__rdDocument")
    tap(phone, toggle(phone))
    wait_for(lambda: clock(phone, page_path(1)) > 0, message="reading page 1")
    tap(phone, phone.find_element(By.ID, "rd-page-next"))
    wait_for(lambda: clock(phone, page_path(2)) > 0.2, message="reading page 2")
    assert [step["id"] for step in trail(phone) if step["page"] == page_path(2)][0] == "s2-0"
    assert phone.execute_script("return window.__rdDocument") == document


def test_a_reload_offers_to_continue_and_one_tap_continues(phone, server):
    open_page(phone, server, page_path(1))
    wait_for_player(phone)
    tap(phone, toggle(phone))
    wait_for(lambda: any(step["id"] == "s2-1" for step in trail(phone)), message="page 2, sentence 2")
    tap(phone, toggle(phone))  # pause
    stored = json.loads(phone.execute_script("return localStorage.getItem('rd-player-position')"))
    assert stored["slug"] == SLUG

    phone.refresh()
    wait_for_player(phone)
    offer = wait_for(lambda: visible(phone, ".rd-player__resume"), timeout=5, message="the offer")
    assert offer.text == f"从第 {stored['n']} 页第 {stored['seq'] + 1} 句继续"
    # nothing plays, and 大字幕 waits until it does
    assert pressed(phone) == "false"
    phone.execute_script("sessionStorage.removeItem('__rdTrail'); sessionStorage.removeItem('__rdClock')")
    tap(phone, offer)
    path = page_path(stored["n"])
    wait_for(lambda: clock(phone, path) > 0.2, message="reading to continue")
    assert trail(phone)[0]["id"] == f"s{stored['n']}-{stored['seq']}"
    assert not offer.is_displayed()

    # coming back later to another page of the report: the offer takes the reader there
    tap(phone, toggle(phone))  # pause
    stored = json.loads(phone.execute_script("return localStorage.getItem('rd-player-position')"))
    phone.get(server + page_path(1))
    wait_for_player(phone)
    offer = wait_for(lambda: visible(phone, ".rd-player__resume"), timeout=5, message="the offer on page 1")
    assert offer.text == f"从第 {stored['n']} 页第 {stored['seq'] + 1} 句继续"
    phone.execute_script("sessionStorage.removeItem('__rdTrail'); sessionStorage.removeItem('__rdClock')")
    tap(phone, offer)
    path = page_path(stored["n"])
    wait_for(lambda: phone.current_url.endswith(path), timeout=5, message="the stored page")
    wait_for(lambda: clock(phone, path) > 0.2, message="reading to continue there")
    assert trail(phone)[0]["id"] == f"s{stored['n']}-{stored['seq']}"


def test_read_all_on_the_cover_starts_reading_page_1_at_once(phone, server):
    open_page(phone, server, f"/r/{SLUG}/")
    read_all = phone.find_element(By.LINK_TEXT, "朗读全文")
    tap(phone, read_all)
    wait_for(lambda: phone.current_url.endswith(page_path(1)), timeout=10, message="page 1")
    wait_for(lambda: clock(phone, page_path(1)) > 0.2, message="page 1 to be read aloud")
    assert trail(phone)[0]["id"] == "s1-0"
    assert pressed(phone) == "true"
    assert phone.title.startswith("第 1 页 · ")


def test_lock_screen_names_what_plays_and_its_keys_step_through_sentences(phone, server):
    open_page(phone, server, page_path(1))
    wait_for_player(phone)
    tap(phone, toggle(phone))
    wait_for(lambda: clock(phone, page_path(1)) > 0, message="reading")
    metadata = phone.execute_script(
        "const m = navigator.mediaSession.metadata; return m && {title: m.title, artist: m.artist}"
    )
    assert metadata == {"title": "南区街道召开干部大会 · 第 1 页", "artist": "本网"}
    assert phone.execute_script("return navigator.mediaSession.playbackState") == "playing"
    actions = phone.execute_script("return Object.keys(window.__rdMediaActions || {})")
    assert {"play", "pause", "previoustrack", "nexttrack", "stop"} <= set(actions)
    phone.execute_script("window.__rdMediaActions.pause({action: 'pause'})")
    wait_for(lambda: pressed(phone) == "false", timeout=5, message="pause from the lock screen")
    assert phone.execute_script("return navigator.mediaSession.playbackState") == "paused"
    phone.execute_script("window.__rdMediaActions.play({action: 'play'})")
    wait_for(lambda: pressed(phone) == "true", timeout=5, message="play from the lock screen")
    before = trail(phone)[-1]["id"]
    phone.execute_script("window.__rdMediaActions.nexttrack({action: 'nexttrack'})")
    wait_for(lambda: trail(phone)[-1]["id"] != before, timeout=5, message="the next sentence")
    # on the next page, the lock screen names that page
    wait_for(lambda: phone.current_url.endswith(page_path(2)), message="page 2")
    wait_for(lambda: phone.execute_script("return navigator.mediaSession.metadata.title")
             == "南区街道召开干部大会 · 第 2 页", timeout=5, message="page 2 named")


# --- captions that fit ----------------------------------------------------------------------

_CAPTION_GEOMETRY = """
const caption = document.querySelector('[data-module=rd-caption]');
const shown = getComputedStyle(caption).display !== 'none';
const box = caption.getBoundingClientRect();
const overlaps = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
const controls = [...document.querySelectorAll('.rd-player button')].filter(b => b.getClientRects().length);
const focused = document.activeElement;
const focusBox = focused && focused !== document.body ? focused.getBoundingClientRect() : null;
return {
  shown: shown, height: box.height, viewport: innerHeight, top: box.top, bottom: box.bottom,
  scrollTop: caption.scrollTop, overflow: caption.scrollHeight - caption.clientHeight,
  covered: controls.filter(b => overlaps(b.getBoundingClientRect(), box)).map(b => b.textContent.trim()),
  offscreen: controls.filter(b => { const r = b.getBoundingClientRect(); return r.bottom > innerHeight + 1 || r.top < 0; })
    .map(b => b.textContent.trim()),
  focusCovered: shown && !!focusBox && focusBox.height > 0 && !caption.contains(focused) && overlaps(focusBox, box),
};
"""


@pytest.mark.parametrize("elder", ["off", "on"])
def test_captions_fit_a_quarter_of_the_screen_above_the_controls_and_follow_the_speech(
    phone, server, elder
):
    settings = {"captions": "on", "toolbar": "open"}
    if elder == "on":
        settings.update(preset="elder", size="5")
    path = page_path(1, LONG_SLUG)
    open_page(phone, server, path, **settings)
    wait_for_player(phone)
    assert not phone.execute_script(_CAPTION_GEOMETRY)["shown"]  # nothing read yet: no caption
    tap(phone, toggle(phone))
    samples = []
    def sentence_half_said():
        samples.append(phone.execute_script(_CAPTION_GEOMETRY))
        return clock(phone, path) > 15  # seconds into the long sentence (some 45 s long)
    wait_for(sentence_half_said, message="the long sentence to be half said")
    shown = [s for s in samples if s["shown"]]
    assert shown, "大字幕 never showed"
    for sample in shown:
        assert sample["height"] <= 0.25 * sample["viewport"] + 0.5, sample
        assert sample["covered"] == [], sample  # the bar covers none of 朗读/上一句/下一句/停止
        assert sample["offscreen"] == [], sample  # and they are all on the screen
        assert not sample["focusCovered"], sample
    # the sentence does not fit, and the bar moves along with it as it is said
    assert shown[-1]["overflow"] > 0
    assert max(s["scrollTop"] for s in shown) > 0

    # paused, the bar stays with its sentence; stopped, it goes
    tap(phone, toggle(phone))
    assert phone.execute_script(_CAPTION_GEOMETRY)["shown"]
    tap(phone, phone.find_element(By.CSS_SELECTOR, "[data-player-action=stop]"))
    wait_for(lambda: not phone.execute_script(_CAPTION_GEOMETRY)["shown"], timeout=5, message="bar gone")
    # after a reload with a place to continue from: no bar until reading starts
    tap(phone, toggle(phone))
    wait_for(lambda: phone.execute_script(_CAPTION_GEOMETRY)["shown"], timeout=10, message="bar again")
    phone.refresh()
    wait_for_player(phone)
    wait_for(lambda: visible(phone, ".rd-player__resume"), timeout=5, message="the offer")
    assert not phone.execute_script(_CAPTION_GEOMETRY)["shown"]


@pytest.mark.parametrize("theme", ["default", "black-yellow"])
def test_the_offer_and_the_docked_controls_pass_axe_and_the_numbers(phone, server, theme):
    open_page(phone, server, page_path(2), theme=theme, captions="on", preset="elder")
    phone.execute_script(
        "localStorage.setItem('rd-player-position', JSON.stringify({slug: arguments[0], n: 3, seq: 1}))", SLUG
    )
    phone.refresh()
    wait_for_player(phone)
    offer = wait_for(lambda: visible(phone, ".rd-player__resume"), timeout=5, message="the offer")
    assert offer.text == "从第 3 页第 2 句继续"
    problems = run_axe(phone, extra_rules=[ENHANCED_CONTRAST]).violations
    assert not problems, describe_violations(problems)
    assert offer.size["height"] >= 60 and offer.size["width"] >= 60
    # 下一句 shows the bar and docks the controls under it: still axe-clean, still 60 px targets
    tap(phone, phone.find_element(By.CSS_SELECTOR, "[data-player-action=next]"))
    wait_for(lambda: phone.execute_script(_CAPTION_GEOMETRY)["shown"], timeout=5, message="the bar")
    geometry = phone.execute_script(_CAPTION_GEOMETRY)
    assert geometry["covered"] == [] and geometry["offscreen"] == []
    problems = run_axe(phone, extra_rules=[ENHANCED_CONTRAST]).violations
    assert not problems, describe_violations(problems)
    for button in phone.find_elements(By.CSS_SELECTOR, ".rd-player__controls button"):
        assert button.size["height"] >= 59.5 and button.size["width"] >= 59.5, button.text
    # reflow (WCAG 1.4.10): at 320 px wide nothing scrolls sideways, docked or not
    harness.set_window(phone, 320, 568, mobile=True)
    try:
        widths = phone.execute_script(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], widths
        geometry = phone.execute_script(_CAPTION_GEOMETRY)
        assert geometry["covered"] == [] and geometry["height"] <= 0.25 * geometry["viewport"] + 0.5
    finally:
        harness.set_phone(phone)


# --- continue where you left off -----------------------------------------------------------


def continue_link(driver):
    links = driver.find_elements(By.CSS_SELECTOR, "[data-module=rd-continue]")
    return links[0] if links else None


def test_without_javascript_home_and_cover_continue_at_the_page_last_viewed(phone, server):
    phone.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        phone.get(server + "/")
        assert continue_link(phone) is None  # nothing read yet
        phone.get(server + page_path(3))
        phone.get(server + "/")
        link = continue_link(phone)
        assert link is not None, "no 继续阅读 on the home page"
        assert link.text.split() == ["继续阅读", "南区街道召开干部大会", "第", "3", "页"]
        assert link.get_attribute("href") == server + page_path(3)
        phone.get(server + f"/r/{SLUG}/")
        link = continue_link(phone)
        assert link is not None, "no 继续阅读 on the cover"
        assert link.get_attribute("href") == server + page_path(3)
        # another report's cover has nothing to continue
        phone.get(server + f"/r/{LONG_SLUG}/")
        assert continue_link(phone) is None
        link = None
        phone.get(server + f"/r/{SLUG}/")
        tap(phone, continue_link(phone))
        harness.wait_for(lambda: phone.current_url == server + page_path(3), message="page 3")
    finally:
        phone.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})


def test_with_javascript_continue_names_the_sentence_last_read(phone, server):
    open_page(phone, server, page_path(2))
    wait_for_player(phone)
    next_sentence = phone.find_element(By.CSS_SELECTOR, "[data-player-action=next]")
    tap(phone, next_sentence)
    tap(phone, next_sentence)
    wait_for(lambda: [step["id"] for step in trail(phone)][-1:] == ["s2-1"], timeout=5)
    phone.get(server + "/")
    link = continue_link(phone)
    assert link is not None
    assert link.text.split() == ["继续阅读", "南区街道召开干部大会", "第", "2", "页第", "2", "句"]
    assert link.get_attribute("href") == server + page_path(2) + "#s2-1"
