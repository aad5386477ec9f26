"""Read-aloud in a real browser: the player reads sentence by sentence, highlights and
captions what it reads, turns the page by itself, resumes after a reload, reads what is
pointed at (指读), falls back to the browser's own voice, and passes axe.

The speech tests run on a tiny report (two pages of three short sentences, real text from
the corpus) served by its own app, so a whole report is read in seconds. Their Chromium is
started with --autoplay-policy=no-user-gesture-required, as a page turned by 连读 is
allowed to carry on speaking only after a tap, and with --mute-audio: the audio element
still plays and fires its events, nobody hears it. A script added to every new document
records each sentence that becomes current (and the caption at that moment) in
sessionStorage, so the record survives the page turns; it also plays audio at 4× speed.
"""

from __future__ import annotations

import json

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from . import harness
from .harness import (
    ENHANCED_CONTRAST,
    describe_violations,
    missing_browser_tools,
    run_axe,
    serve_wsgi,
    skip_or_fail_if_missing,
)

SLUG = "zs-nanqu-tiny"
# Real sentences from content/zs-nanqu-2024-cadre-meeting.txt, shortened; at 40 characters
# a page they make two pages of three sentences.
TINY_REPORT = """南区街道召开干部大会

信息来源:本网 发布日期:2024-02-09

  一是“百千万工程”开局良好。“强村公司”揭牌成立。良都社区入选市典型选树培育村。

  二是坚持制造业当家不动摇。有序推动省级产业园扩园提质。

  三是城市品质持续提升。
"""
PAGE_1 = ["s1-0", "s1-1", "s1-2"]
PAGE_2 = ["s2-0", "s2-1", "s2-2"]
READING_PAGE = "/r/zs-dongqu-2020-work-plan/2"  # a full-size page of the real content/

RECORDER = """
(() => {
  const KEY = '__rdTrail';
  // Test speed only: the player's audio plays at 4x.
  document.addEventListener('play', e => { e.target.playbackRate = 4; }, true);
  new MutationObserver(records => {
    for (const r of records) {
      const el = r.target;
      if (!el.classList || !el.classList.contains('rd-sentence--current')) continue;
      if ((r.oldValue || '').split(' ').includes('rd-sentence--current')) continue;
      const caption = document.querySelector('[data-module=rd-caption]');
      const trail = JSON.parse(sessionStorage.getItem(KEY) || '[]');
      trail.push({
        page: location.pathname, id: el.id, text: el.textContent,
        caption: caption ? caption.querySelector('.rd-caption__text').textContent : null,
        captionShown: !!caption && getComputedStyle(caption).display !== 'none',
        current: document.querySelectorAll('.rd-sentence--current').length,
      });
      sessionStorage.setItem(KEY, JSON.stringify(trail));
    }
  }).observe(document, {subtree: true, attributes: true, attributeFilter: ['class'],
                        attributeOldValue: true});
})();
"""

# Headless Chromium has no speech voices (speechSynthesis.getVoices() is empty), so the
# browser fallback can be neither heard nor timed there. ONLY for that reason this stand-in
# replaces window.speechSynthesis on every new document: it records each utterance (text,
# lang, rate) and ends it shortly after, as a voice would; cancel() drops what is pending.
SPEECH_STUB = """
(() => {
  const KEY = '__rdSpoken';
  let timers = [];
  const stub = {
    speaking: false, pending: false, paused: false,
    getVoices: () => [],
    speak(u) {
      const spoken = JSON.parse(sessionStorage.getItem(KEY) || '[]');
      spoken.push({text: u.text, lang: u.lang, rate: u.rate});
      sessionStorage.setItem(KEY, JSON.stringify(spoken));
      timers.push(setTimeout(() => { if (u.onend) u.onend(new Event('end')); }, 60));
    },
    cancel() { timers.forEach(clearTimeout); timers = []; },
    pause() {}, resume() {},
    addEventListener() {}, removeEventListener() {},
  };
  Object.defineProperty(window, 'speechSynthesis', {configurable: true, get: () => stub});
})();
"""

# Every audio URL in the manifest made to fail (a well-formed key nobody asked for: 404).
FAILING_AUDIO = """
(() => {
  const realFetch = window.fetch;
  window.fetch = (url, options) => realFetch(url, options).then(response => {
    if (!String(url).includes('/speech.json')) return response;
    return response.json().then(manifest => {
      manifest.sentences.forEach(s => { s.audio = '/audio/' + '0'.repeat(64) + '.mp3'; });
      return new Response(JSON.stringify(manifest), {headers: {'Content-Type': 'application/json'}});
    });
  });
})();
"""

# The first play() is refused as the autoplay policy would refuse it; later ones go on.
REFUSE_FIRST_PLAY = """
(() => {
  const realPlay = HTMLMediaElement.prototype.play;
  let refused = false;
  HTMLMediaElement.prototype.play = function () {
    if (!refused) {
      refused = true;
      return Promise.reject(new DOMException('no gesture yet', 'NotAllowedError'));
    }
    return realPlay.call(this);
  };
})();
"""


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_content(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny-content")
    (folder / f"{SLUG}.txt").write_text(TINY_REPORT, encoding="utf-8")
    return folder


def _serve(tmp_path_factory, content, **config):
    from reader.web import create_app

    app = create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": str(content),
            "INSTANCE_DIR": str(tmp_path_factory.mktemp("instance")),
            "PAGE_CHARS": 40,
            **config,
        }
    )
    return app


@pytest.fixture(scope="module")
def tiny_server(tmp_path_factory, tiny_content):
    app = _serve(tmp_path_factory, tiny_content)
    with serve_wsgi(app) as base_url:
        yield base_url
    app.extensions["speech_synthesiser"].close()


@pytest.fixture(scope="module")
def voiceless_server(tmp_path_factory, tiny_content):
    """The same report on a server with no voice: every audio URL in the manifest is null."""
    app = _serve(tmp_path_factory, tiny_content, SPEECH_DISABLED=True)
    with serve_wsgi(app) as base_url:
        yield base_url
    app.extensions["speech_synthesiser"].close()


@pytest.fixture(scope="module")
def busy_app(tmp_path_factory, tiny_content):
    """The tiny report on a server whose speech pool has one place, and a record of every
    audio file asked of it (path, status) - what the player asked, not what it heard."""
    app = _serve(tmp_path_factory, tiny_content, SPEECH_REQUESTS=1)
    asked: list[tuple[str, int]] = []
    served = app.wsgi_app

    def recording(environ, start_response):
        def start(status, headers, exc_info=None):
            if environ["PATH_INFO"].startswith("/audio/"):
                asked.append((environ["PATH_INFO"], int(status.split()[0])))
            return start_response(status, headers, exc_info)

        return served(environ, start)

    app.wsgi_app = recording
    app.asked = asked
    with serve_wsgi(app) as base_url:
        app.base_url = base_url
        yield app
    app.extensions["speech_synthesiser"].close()


@pytest.fixture(scope="module")
def speaker(tmp_path_factory):
    """Chromium that may play audio without a tap, muted."""
    skip_or_fail_if_missing(missing_browser_tools())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            harness,
            "CHROMIUM_FLAGS",
            (*harness.CHROMIUM_FLAGS, "--autoplay-policy=no-user-gesture-required", "--mute-audio"),
        )
        driver = harness.start_chromium(tmp_path_factory.mktemp("chromium-speaker"))
    yield driver
    driver.quit()


@pytest.fixture
def player(speaker):
    """The speaker on a first visit, with the recorder on every new document."""
    harness.reset_browser(speaker)
    added = [speaker.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORDER})]

    def add_script(source: str) -> None:
        added.append(speaker.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": source}))

    speaker.add_script = add_script
    yield speaker
    for script in added:
        speaker.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", script)
    speaker.get("about:blank")


# --- helpers -------------------------------------------------------------------------------


SPEECH_WAIT = 15.0  # seconds


def wait_for(condition, timeout: float = SPEECH_WAIT, message: str = ""):
    """harness.wait_for with the longer wait that real synthesis on a busy machine needs."""
    return harness.wait_for(condition, timeout, message)


def open_reading(driver, base_url: str, n: int = 1, **settings: str) -> None:
    """Choose `settings` through the no-JS settings link, land on page n with storage empty."""
    path = f"/r/{SLUG}/{n}"
    harness.set_cookie_settings(driver, base_url, next=path, **settings)
    driver.execute_script("localStorage.clear(); sessionStorage.clear();")
    driver.get(base_url + path)
    wait_for(lambda: driver.execute_script(
        "return !document.querySelector('[data-player-controls]').hidden"), message="the player")


def trail(driver) -> list[dict]:
    return json.loads(driver.execute_script("return sessionStorage.getItem('__rdTrail') || '[]'"))


def spoken(driver) -> list[dict]:
    return json.loads(driver.execute_script("return sessionStorage.getItem('__rdSpoken') || '[]'"))


def trail_ids(driver) -> list[str]:
    return [step["id"] for step in trail(driver)]


def pressed(driver) -> str:
    return driver.find_element(By.ID, "rd-player-toggle").get_attribute("aria-pressed")


def current_ids(driver) -> list[str]:
    return driver.execute_script(
        "return [...document.querySelectorAll('.rd-sentence--current')].map(s => s.id)"
    )


def assert_each_step_shows_its_sentence(steps: list[dict]) -> None:
    for step in steps:
        assert step["current"] == 1, step  # the highlight moved: one current sentence
        assert step["caption"] == step["text"], step  # 大字幕 shows exactly that sentence
        assert step["captionShown"], step


# --- reading -------------------------------------------------------------------------------


def test_read_aloud_moves_sentence_by_sentence_and_turns_the_page(player, tiny_server):
    open_reading(player, tiny_server, captions="on")
    assert pressed(player) == "false"
    player.find_element(By.ID, "rd-player-toggle").click()
    assert pressed(player) == "true"
    wait_for(lambda: trail_ids(player)[:1] == ["s1-0"], message="sentence 0 to be read")
    wait_for(lambda: player.current_url.endswith(f"/r/{SLUG}/2"), message="the page to turn")
    wait_for(lambda: len(trail(player)) >= 6, message="page 2 to be read")
    steps = trail(player)
    assert [s["id"] for s in steps] == PAGE_1 + PAGE_2
    assert [s["page"] for s in steps] == [f"/r/{SLUG}/1"] * 3 + [f"/r/{SLUG}/2"] * 3
    assert_each_step_shows_its_sentence(steps)
    # the end of the report: reading stops, nothing is left highlighted or stored
    wait_for(lambda: pressed(player) == "false", message="reading to stop at the end")
    assert current_ids(player) == []
    assert player.execute_script("return localStorage.getItem('rd-player-position')") is None


def test_a_reload_resumes_at_the_sentence_where_reading_stopped(player, tiny_server):
    open_reading(player, tiny_server, captions="on")
    player.find_element(By.ID, "rd-player-toggle").click()
    wait_for(lambda: "s1-1" in trail_ids(player), message="sentence 1")
    player.find_element(By.ID, "rd-player-toggle").click()  # pause
    assert pressed(player) == "false"
    stopped_at = current_ids(player)
    assert stopped_at in (["s1-1"], ["s1-2"])
    player.refresh()
    wait_for(lambda: current_ids(player) == stopped_at, message="the stored sentence")
    assert player.execute_script(
        "return document.querySelector('.rd-caption__text').textContent"
    ) == player.find_element(By.ID, stopped_at[0]).text
    player.execute_script("sessionStorage.removeItem('__rdTrail')")
    player.find_element(By.ID, "rd-player-toggle").click()
    wait_for(lambda: len(trail(player)) >= 1, message="reading to resume")
    assert trail_ids(player)[0] == stopped_at[0]


def test_a_page_turned_by_reading_asks_for_a_tap_when_it_may_not_speak(player, tiny_server):
    player.add_script(REFUSE_FIRST_PLAY)
    open_reading(player, tiny_server)
    player.execute_script(
        "sessionStorage.setItem('rd-player-continue', JSON.stringify({slug: arguments[0], n: 1}))",
        SLUG,
    )
    player.refresh()
    go_on = wait_for(
        lambda: next(
            (b for b in player.find_elements(By.CSS_SELECTOR, ".rd-player__continue") if b.is_displayed()),
            None,
        ),
        message="the 继续朗读 button",
    )
    assert go_on.text == "继续朗读"
    assert go_on.size["height"] >= 60 and go_on.size["width"] >= 200
    assert pressed(player) == "false"
    go_on.click()
    wait_for(lambda: pressed(player) == "true" and "s1-1" in trail_ids(player), message="reading")
    assert not go_on.is_displayed()


def test_point_reading_reads_the_sentence_clicked_or_pointed_at(player, tiny_server):
    open_reading(player, tiny_server, reading="point", captions="on")
    player.find_element(By.ID, "s1-2").click()
    wait_for(lambda: trail_ids(player) == ["s1-2"], message="the clicked sentence")
    wait_for(lambda: pressed(player) == "false", message="reading to stop after it")
    assert trail_ids(player) == ["s1-2"]
    assert_each_step_shows_its_sentence(trail(player))
    # resting the pointer on a sentence reads it too
    ActionChains(player).move_to_element(player.find_element(By.ID, "s1-0")).perform()
    wait_for(lambda: trail_ids(player) == ["s1-2", "s1-0"], timeout=5, message="the pointed one")


def test_alt_shift_7_starts_and_pauses_reading(player, tiny_server):
    open_reading(player, tiny_server)
    ActionChains(player).key_down(Keys.ALT).key_down(Keys.SHIFT).send_keys("7").key_up(
        Keys.SHIFT
    ).key_up(Keys.ALT).perform()
    wait_for(lambda: pressed(player) == "true", message="reading to start")
    ActionChains(player).key_down(Keys.ALT).key_down(Keys.SHIFT).send_keys("7").key_up(
        Keys.SHIFT
    ).key_up(Keys.ALT).perform()
    wait_for(lambda: pressed(player) == "false", message="reading to pause")
    assert player.execute_script("return document.querySelector('.rd-player__audio').paused")
    # pressed again, it goes on from where it paused and on to the next sentences
    read_so_far = len(trail(player))
    player.find_element(By.ID, "rd-player-toggle").click()
    wait_for(lambda: len(trail(player)) > read_so_far, message="reading to go on")
    assert trail_ids(player) == PAGE_1[: len(trail(player))]


def test_another_tab_reading_pauses_this_one(player, tiny_server):
    open_reading(player, tiny_server)
    first = player.current_window_handle
    player.find_element(By.ID, "rd-player-toggle").click()
    assert pressed(player) == "true"
    player.switch_to.new_window("tab")
    try:
        player.get(f"{tiny_server}/r/{SLUG}/2")
        wait_for(lambda: player.execute_script(
            "return !document.querySelector('[data-player-controls]').hidden"))
        player.find_element(By.ID, "rd-player-toggle").click()
        assert pressed(player) == "true"
        player.switch_to.window(first)
        wait_for(lambda: pressed(player) == "false", timeout=5, message="the first tab to pause")
    finally:
        for handle in player.window_handles:
            if handle != first:
                player.switch_to.window(handle)
                player.close()
        player.switch_to.window(first)


# --- the browser's own voice ---------------------------------------------------------------


@pytest.mark.parametrize("why", ["no voice on the server", "audio files fail"])
def test_without_server_audio_the_browser_speaks_with_the_same_highlighting(
    player, tiny_server, voiceless_server, why
):
    player.add_script(SPEECH_STUB)
    base = voiceless_server
    if why == "audio files fail":
        player.add_script(FAILING_AUDIO)
        base = tiny_server
    open_reading(player, base, voice="yue", rate="slow", captions="on")
    manifest = player.execute_script(
        "return fetch(arguments[0]).then(r => r.json())", f"{base}/r/{SLUG}/1/speech.json"
    )
    player.find_element(By.ID, "rd-player-toggle").click()
    wait_for(lambda: len(trail(player)) >= 6, message="both pages to be read")
    assert trail_ids(player) == PAGE_1 + PAGE_2
    assert_each_step_shows_its_sentence(trail(player))
    said = spoken(player)
    assert [s["text"] for s in said[:3]] == [s["spoken"] for s in manifest["sentences"]]
    assert {s["lang"] for s in said} == {"zh-HK"}  # Cantonese
    assert {round(s["rate"], 2) for s in said} == {0.7}  # 慢


@pytest.mark.parametrize("free_again", [True, False], ids=["voices free again", "voices still busy"])
def test_busy_voices_are_asked_again_after_their_wait_then_the_browser_speaks(
    player, busy_app, free_again
):
    player.add_script(SPEECH_STUB)
    pool = busy_app.extensions["speech_pool"]
    busy_app.asked.clear()
    assert pool.enter(), "the pool's one place is free before the test"  # another listener's
    held = True
    try:
        open_reading(player, busy_app.base_url, rate="fast" if free_again else "slow")  # none made yet
        first = player.execute_script(
            "return fetch(arguments[0]).then(r => r.json())", f"{busy_app.base_url}/r/{SLUG}/1/speech.json"
        )["sentences"][0]
        player.find_element(By.ID, "rd-player-toggle").click()
        wait_for(lambda: busy_app.asked.count((first["audio"], 503)) >= 2,
                 message="the player to be told the voices are busy")  # fmt: skip
        if free_again:
            pool.leave()
            held = False
            wait_for(lambda: (first["audio"], 200) in busy_app.asked, message="the audio asked again")
            wait_for(lambda: len(trail(player)) >= 2, message="reading to go on")
            assert first["spoken"] not in [s["text"] for s in spoken(player)], (
                "the browser spoke a sentence the server's voice said after its wait"
            )
        else:
            wait_for(lambda: first["spoken"] in [s["text"] for s in spoken(player)],
                     message="the browser to speak once the voices stayed busy")  # fmt: skip
            refused = busy_app.asked.count((first["audio"], 503))
            assert refused >= 3, "the audio was not asked again after the wait"  # audio, why, again
    finally:
        if held:
            pool.leave()


# --- accessibility -------------------------------------------------------------------------

_FOCUS_NOT_HIDDEN = """
// arguments[0]: only look at what has focus now; else focus every control in turn
const problems = [];
const bar = document.querySelector('[data-module=rd-caption]');
const controls = arguments[0] ? [document.activeElement] : [...document.querySelectorAll(
  'main a[href], main button, nav a[href], footer a[href]')]
  .filter(el => el.getClientRects().length && !el.closest('[hidden]'));
for (const el of controls) {
  if (!arguments[0]) el.focus();
  const r = el.getBoundingClientRect();
  const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  if (!top || !(top === el || el.contains(top))) {
    problems.push(el.textContent.trim() + ' is covered by ' + (top ? top.outerHTML.slice(0, 80) : 'nothing'));
  }
  const barTop = bar.getBoundingClientRect().top;
  if (r.bottom > barTop + 1) problems.push(el.textContent.trim() + ' is under the caption bar');
}
if (!arguments[0]) document.activeElement.blur();
return problems;
"""


@pytest.mark.parametrize("theme", ["default", "black-yellow"])
@pytest.mark.parametrize("elder", ["off", "on"])
def test_player_and_captions_pass_axe_and_the_numbers(player, live_server, theme, elder):
    settings = {"theme": theme, "captions": "on", "toolbar": "open"}
    if elder == "on":
        settings["preset"] = "elder"
    harness.set_cookie_settings(player, live_server, next=READING_PAGE, **settings)
    player.execute_script("localStorage.clear()")  # no stored place to resume from
    player.get(live_server + READING_PAGE + "?toolbar=open")  # open on this visit only
    # instant scrolling, so each check sees where things come to rest
    player.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-reduced-motion", "value": "reduce"}]},
    )
    try:
        next_sentence = player.find_element(By.CSS_SELECTOR, "[data-player-action=next]")
        next_sentence.send_keys(Keys.ENTER)
        caption = player.find_element(By.CSS_SELECTOR, "[data-module=rd-caption]")
        wait_for(caption.is_displayed, message="the caption bar")
        # the bar appeared under the focused button, which was brought out from under it
        assert player.execute_script(_FOCUS_NOT_HIDDEN, True) == []
        next_sentence.send_keys(Keys.ENTER)  # the second sentence: highlighted and captioned
        assert caption.text == player.find_element(By.ID, "s2-1").text
        assert current_ids(player) == ["s2-1"]
        assert float(caption.value_of_css_property("font-size")[:-2]) >= 40

        violations = run_axe(player).violations
        assert not violations, describe_violations(violations)
        contrast = run_axe(player, rules=[ENHANCED_CONTRAST]).violations
        assert not contrast, describe_violations(contrast)

        target = 60 if elder == "on" else 44
        for button in player.find_elements(By.CSS_SELECTOR, ".rd-player button"):
            if button.is_displayed():
                assert button.size["height"] >= target - 0.5, button.text
                assert button.size["width"] >= target - 0.5, button.text
        # WCAG 2.4.11: the bar never hides what has focus
        assert player.execute_script(_FOCUS_NOT_HIDDEN, False) == []
    finally:
        player.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})


def test_choosing_cantonese_in_the_toolbar_refetches_the_manifest(player, tiny_server):
    open_reading(player, tiny_server)
    player.find_element(By.ID, "rd-toolbar-switch").click()  # 无障碍版, then its 朗读语音 group
    player.find_element(By.CSS_SELECTOR, "#rd-toolbar-voice summary").click()
    harness.requested_urls(player)  # drain the log
    player.find_element(By.CSS_SELECTOR, "[data-setting=voice][data-value=yue]").click()
    manifest_url = f"/r/{SLUG}/1/speech.json?voice=yue&rate=normal&pauses=normal"
    wait_for(
        lambda: any(url.endswith(manifest_url) for url in harness.requested_urls(player)),
        timeout=5,
        message="the Cantonese manifest",
    )
    player.find_element(By.ID, "rd-player-toggle").click()
    wait_for(lambda: trail_ids(player)[:1] == ["s1-0"], message="reading in Cantonese")
    src = player.execute_script("return document.querySelector('.rd-player__audio').src")
    cantonese = player.execute_script(
        "return fetch(arguments[0]).then(r => r.json())", tiny_server + manifest_url
    )
    assert src.split("/audio/")[-1] in [s["audio"].split("/audio/")[-1] for s in cantonese["sentences"]]


# --- 逐词高亮 -------------------------------------------------------------------------------

# Records each word mark as it appears: its text, the sentence it is in, whether that
# sentence is the highlighted one, and where the mark starts in the sentence's text.
WORD_RECORDER = """
(() => {
  const KEY = '__rdWords';
  new MutationObserver(records => {
    for (const r of records) {
      for (const node of r.addedNodes) {
        if (!node.classList || !node.classList.contains('rd-word')) continue;
        const sentence = node.closest('[data-sentence]');
        let offset = 0;
        for (let n = node.previousSibling; n; n = n.previousSibling) offset += n.textContent.length;
        const words = JSON.parse(sessionStorage.getItem(KEY) || '[]');
        words.push({
          text: node.textContent, offset: offset,
          sentence: sentence ? sentence.id : null,
          sentenceText: sentence ? sentence.textContent : null,
          inCurrent: !!sentence && sentence.classList.contains('rd-sentence--current'),
          marks: document.querySelectorAll('.rd-word').length,
          time: document.querySelector('[data-module=rd-player] audio').currentTime,
        });
        sessionStorage.setItem(KEY, JSON.stringify(words));
      }
    }
  }).observe(document, {subtree: true, childList: true});
})();
"""


def words_marked(driver) -> list[dict]:
    return json.loads(driver.execute_script("return sessionStorage.getItem('__rdWords') || '[]'"))


def test_the_word_being_said_is_marked_inside_the_sentence_being_read(player, tiny_server):
    player.add_script(WORD_RECORDER)
    open_reading(player, tiny_server)
    player.find_element(By.ID, "rd-player-toggle").click()
    wait_for(lambda: len(trail(player)) >= 2, message="two sentences to be read")
    words = words_marked(player)
    assert words, "no word was marked"
    first = [w for w in words if w["sentence"] == "s1-0"]
    assert len({w["offset"] for w in first}) >= 3, first  # the mark moved along the sentence
    assert [w["offset"] for w in first] == sorted(w["offset"] for w in first)
    assert [w["time"] for w in first] == sorted(w["time"] for w in first)
    for word in words:
        assert word["inCurrent"], word  # inside the highlighted sentence
        assert word["marks"] == 1, word  # one word at a time
        # the mark holds the sentence's own characters, the sentence text unchanged
        sentence = player.find_element(By.ID, word["sentence"]).text
        assert word["sentenceText"] == sentence
        assert sentence[word["offset"] : word["offset"] + len(word["text"])] == word["text"]
    player.find_element(By.CSS_SELECTOR, "[data-player-action=stop]").click()
    wait_for(lambda: player.execute_script("return !document.querySelector('.rd-word')"),
             timeout=5, message="the mark to go when reading stops")


def test_with_word_highlight_off_only_the_sentence_is_highlighted(player, tiny_server):
    player.add_script(WORD_RECORDER)
    open_reading(player, tiny_server, captions="on", word_highlight="off")
    player.find_element(By.ID, "rd-player-toggle").click()
    wait_for(lambda: len(trail(player)) >= 3, message="the page to be read")
    assert words_marked(player) == []
    assert_each_step_shows_its_sentence(trail(player))


def test_following_the_words_gives_a_sentence_its_search_marks_back(player, tiny_server):
    player.add_script(WORD_RECORDER)
    open_reading(player, tiny_server)
    player.get(f"{tiny_server}/r/{SLUG}/1?q=工程")  # as a search result's link opens it
    marked = player.find_element(By.CSS_SELECTOR, "mark.rd-mark")
    sentence = marked.find_element(By.XPATH, "./ancestor::*[@data-sentence]").get_attribute("id")
    assert marked.text == "工程"
    player.find_element(By.ID, "rd-player-toggle").click()
    wait_for(lambda: any(w["sentence"] == sentence for w in words_marked(player)),
             message="the words of the sentence with the search mark to be followed")
    player.find_element(By.CSS_SELECTOR, "[data-player-action=stop]").click()
    wait_for(lambda: player.execute_script("return !document.querySelector('.rd-word')"),
             timeout=5, message="the word mark to go when reading stops")
    marks = player.find_elements(By.CSS_SELECTOR, f"#{sentence} mark.rd-mark")
    assert [mark.text for mark in marks] == ["工程"]
    assert marks[0].get_attribute("id") == f"{sentence}-m0"  # a search result's link finds it
