"""注音 in a real browser: axe and AAA contrast, reflow at 320 px with no reading over the
line above, a screen reader given each sentence once without its readings, and the
player's sentence and word highlight on a page with ruby."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from .harness import (
    ENHANCED_CONTRAST,
    ax_tree,
    describe_violations,
    run_axe,
    set_cookie_settings,
    set_window,
)
from .test_player import (  # noqa: F401 (fixtures, used by name)
    WORD_RECORDER,
    open_reading,
    player,
    speaker,
    tiny_content,
    tiny_server,
    trail,
    wait_for,
    words_marked,
)

PAGE = "/r/zs-dongqu-2020-work-plan/1"

# The sentences' text as shown (no <rt>), and every reading drawn over a character of
# the line above: a reading's box overlapping another ruby's base character.
_SHOWN_AND_OVERLAPS = """
const shown = s => { const c = s.cloneNode(true); c.querySelectorAll('rt').forEach(r => r.remove());
                     return c.textContent; };
const sentences = [...document.querySelectorAll('[data-sentence]')].map(shown);
const rubies = [...document.querySelectorAll('#rd-text ruby')].slice(0, 400);
const bases = rubies.map(r => { const range = document.createRange();
                                range.selectNodeContents(r.firstChild); return range.getBoundingClientRect(); });
const overlaps = [];
rubies.forEach((r, i) => {
  const a = r.querySelector('rt').getBoundingClientRect();
  bases.forEach((b, j) => {
    if (i === j) return;
    const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
    const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    if (w > 1 && h > 1) overlaps.push(r.firstChild.data + ' over ' + rubies[j].firstChild.data);
  });
});
const e = document.documentElement;
return {sentences, overlaps, rubies: rubies.length, widths: [e.scrollWidth, e.clientWidth]};
"""

# The word marked now: its text and offset in its sentence's shown text, and its readings.
_WORD_MARK = """
const word = document.querySelector('.rd-word');
if (!word) return null;
const sentence = word.closest('[data-sentence]');
const shown = n => { const c = n.cloneNode(true);
                     if (c.querySelectorAll) c.querySelectorAll('rt').forEach(r => r.remove());
                     return c.textContent; };
const before = document.createRange();
before.setStart(sentence, 0);
before.setEndBefore(word);
return {id: sentence.id, word: shown(word), sentence: shown(sentence),
        offset: shown(before.cloneContents()).length,
        rubies: word.querySelectorAll('ruby').length, readings: word.querySelectorAll('rt').length};
"""


def show_page(browser, live_server, **settings) -> None:
    set_cookie_settings(browser, live_server, preset="reset", next="/")
    set_cookie_settings(browser, live_server, next=PAGE, **settings)


# axe counts the 拼音 above a 术语 button's characters as part of its visible label, and so
# finds "高gāo质zhì量liàng…" missing from its name "高质量发展：术语解释"; the readings are
# annotations (<rt aria-hidden>), not the label. The test below checks the name instead.
TERM_LABEL_READINGS = {"label-content-name-mismatch": "readings above a term are not its label"}
_TERM_NAMES = """
return Array.from(document.querySelectorAll('#rd-text .rd-term'), (term) => {
  const copy = term.cloneNode(true);
  copy.querySelectorAll('rt, rp').forEach((reading) => reading.remove());
  return [copy.textContent, term.getAttribute('aria-label')];
});
"""


@pytest.mark.parametrize("theme", ["default", "black-yellow"])
@pytest.mark.parametrize("ruby", ["pinyin", "jyutping"])
def test_ruby_passes_axe_with_aaa_contrast(clean_browser, live_server, theme, ruby):
    show_page(clean_browser, live_server, ruby=ruby, theme=theme)
    assert clean_browser.find_elements(By.CSS_SELECTOR, "#rd-text ruby rt")
    axe = run_axe(clean_browser, extra_rules=[ENHANCED_CONTRAST], disabled=TERM_LABEL_READINGS)
    assert not axe.violations, describe_violations(axe.violations)
    # What that rule is for, checked here instead: a 术语 button's name holds the term's
    # characters as shown, readings left out, so speech input can say it.
    terms = clean_browser.execute_script(_TERM_NAMES)
    assert terms, "no 术语 on the page to check"
    for shown, label in terms:
        assert label.startswith(shown + "："), (shown, label)


@pytest.mark.parametrize(("size", "spacing"), [("1", "normal"), ("3", "wide"), ("5", "wide")])
def test_ruby_reflows_at_320_px_and_no_reading_covers_the_line_above(
    clean_browser, live_server, size, spacing
):
    set_window(clean_browser, 320, 640)
    show_page(clean_browser, live_server, ruby="pinyin", size=size, spacing=spacing)
    found = clean_browser.execute_script(_SHOWN_AND_OVERLAPS)
    assert found["rubies"] > 50
    width, client = found["widths"]
    assert width <= client, f"the page is {width} px wide in a {client} px window"
    assert not found["overlaps"], found["overlaps"][:10]


def test_a_screen_reader_reads_each_sentence_once_without_the_readings(clean_browser, live_server):
    show_page(clean_browser, live_server, ruby="off")
    plain = clean_browser.execute_script(_SHOWN_AND_OVERLAPS)["sentences"]
    for ruby, samples in (("pinyin", ["zēng", "zhǎng", "jīng"]), ("jyutping", ["zang1", "ging1"])):
        show_page(clean_browser, live_server, ruby=ruby)
        assert clean_browser.execute_script(_SHOWN_AND_OVERLAPS)["sentences"] == plain
        nodes = ax_tree(clean_browser)
        heard = "".join(
            n.get("name", {}).get("value", "") for n in nodes if n["role"]["value"] == "StaticText"
        )
        everything = " ".join(str(n.get("name", "")) + str(n.get("description", "")) for n in nodes)
        for sentence in plain:
            assert heard.count(sentence) == 1, sentence
        for reading in samples:
            assert reading not in everything, f"{ruby}: the screen reader is given {reading}"


def test_the_player_highlights_sentences_and_words_on_a_page_with_ruby(player, tiny_server):  # noqa: F811
    player.add_script(WORD_RECORDER)
    open_reading(player, tiny_server, ruby="pinyin", captions="on")
    shown = player.execute_script(
        "return [...document.querySelectorAll('[data-sentence]')].map(s => {"
        " const c = s.cloneNode(true); c.querySelectorAll('rt').forEach(r => r.remove());"
        " return [s.id, c.textContent, s.querySelectorAll('rt').length]; })"
    )
    assert all(count > 0 for _, _, count in shown)
    text_of = {sentence_id: text for sentence_id, text, _ in shown}
    player.find_element(By.ID, "rd-player-toggle").click()
    wait_for(lambda: len(trail(player)) >= 2, message="two sentences to be read")
    for step in trail(player)[:2]:
        assert step["current"] == 1, step
        assert step["caption"] == text_of[step["id"]], step  # 大字幕 without the readings
    words = words_marked(player)
    assert words, "no word was marked"
    for word in words:
        assert word["inCurrent"] and word["marks"] == 1, word
    mark = wait_for(lambda: player.execute_script(_WORD_MARK), message="a word marked")
    # the mark holds whole characters with their readings still above them, and the
    # sentence reads as before
    assert mark["word"] and mark["rubies"] == mark["readings"] > 0, mark
    assert mark["sentence"] == text_of[mark["id"]], mark
    assert mark["sentence"][mark["offset"] : mark["offset"] + len(mark["word"])] == mark["word"]
    player.find_element(By.CSS_SELECTOR, "[data-player-action=stop]").click()
    wait_for(lambda: player.execute_script("return !document.querySelector('.rd-word')"),
             timeout=5, message="the mark to go when reading stops")
    after = player.execute_script(
        "return [...document.querySelectorAll('[data-sentence]')].map(s => s.querySelectorAll('rt').length)"
    )
    assert after == [count for _, _, count in shown]  # every reading back where it was
