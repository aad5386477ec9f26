"""拼音 / 粤拼 over report text: the readings the voice is told, over the characters shown."""

from __future__ import annotations

import re

import opencc
import pytest
from conftest import soup_of

from reader.settings import COOKIE_NAME
from reader.speech.pronunciation import readings
from reader.speech.ruby import ruby_readings

PAGE = "/r/zs-dongqu-2020-work-plan/1"
# a sentence of that page (content/zs-dongqu-2020-work-plan.txt)
GOAL = "2020年经济社会发展的主要预期目标是"


def page(client, ruby: str | None, extra: str = "", url: str = PAGE):
    if ruby:
        client.set_cookie(COOKIE_NAME, f"ruby={ruby}{extra}")
    return soup_of(client.get(url))


def sentence_with(soup, text: str):
    for sentence in soup.select("[data-sentence]"):
        if text in shown_text(sentence):
            return sentence
    raise AssertionError(f"no sentence with {text}")


def shown_text(sentence) -> str:
    """The sentence as a screen reader gets it: its text without the aria-hidden readings."""
    return "".join(
        text for text in sentence.find_all(string=True) if text.parent.name != "rt"
    )


def annotated(sentence) -> list[tuple[str, str | None]]:
    """Each character of the sentence with the reading shown above it, if any."""
    pairs = []
    for node in sentence.descendants:
        if isinstance(node, str) and node.parent.name not in ("rt", "ruby"):
            pairs.extend((ch, None) for ch in node)
        elif getattr(node, "name", None) == "ruby":
            base = "".join(s for s in node.find_all(string=True, recursive=False))
            pairs.append((base, node.rt.get_text()))
    return pairs


def reading_of(pairs, word: str) -> list[str | None]:
    text = "".join(ch for ch, _ in pairs)
    at = text.index(word)
    return [reading for _, reading in pairs[at : at + len(word)]]


def test_without_the_setting_no_ruby(client):
    soup = page(client, None)
    assert soup.select("[data-sentence]")
    assert not soup.select("ruby, rt")
    assert "rd-ruby-on" not in soup.html["class"]


@pytest.mark.parametrize(
    ("setting", "word", "expected"),
    [
        ("pinyin", "增长", ["zēng", "zhǎng"]),
        ("pinyin", "主要", ["zhǔ", "yào"]),
        ("jyutping", "增长", ["zang1", "zoeng2"]),
        # 社會: our lexicon's se5 wui6, what the voice is told, over ToJyutping's own wui2
        ("jyutping", "社会", ["se5", "wui6"]),
    ],
)
def test_readings_over_the_characters_of_a_report_page(client, setting, word, expected):
    soup = page(client, setting)
    assert "rd-ruby-on" in soup.html["class"]
    sentence = sentence_with(soup, GOAL)
    pairs = annotated(sentence)
    assert reading_of(pairs, word) == expected
    assert reading_of(pairs, "2020年")[:4] == [None] * 4  # digits get no reading


@pytest.mark.parametrize("setting", ["pinyin", "jyutping"])
def test_the_text_is_the_same_with_ruby_and_its_readings_are_hidden_from_screen_readers(
    client, app, setting
):
    plain = [s.get_text() for s in page(app.test_client(), None).select("[data-sentence]")]
    soup = page(client, setting)
    sentences = soup.select("[data-sentence]")
    assert [shown_text(s) for s in sentences] == plain
    readings_shown = soup.select("[data-sentence] rt")
    assert len(readings_shown) > 100
    assert all(rt.get("aria-hidden") == "true" for rt in readings_shown)
    han = sum(len(re.findall(r"[\u4e00-\u9fff]", text)) for text in plain)
    assert len(readings_shown) == han  # every Chinese character, nothing else


def test_ruby_in_traditional_script_sits_over_the_traditional_characters(client):
    soup = page(client, "jyutping", "&script=hant")
    pairs = annotated(sentence_with(soup, "2020年經濟社會發展"))
    assert reading_of(pairs, "社會") == ["se5", "wui6"]


def test_search_marks_keep_the_readings_inside(client):
    soup = page(client, "pinyin", url=PAGE + "?q=增长")
    marks = soup.select("mark.rd-mark")
    assert marks
    for mark in marks:
        assert "".join(r.find(string=True, recursive=False) for r in mark.select("ruby")) == "增长"
        assert [rt.get_text() for rt in mark.select("rt")] == ["zēng", "zhǎng"]


def test_the_known_polyphones_in_both_readings():
    """行 in 银行: háng in Mandarin, hong4 in Cantonese (the polyphone table's 银行)."""
    assert ruby_readings("银行", "pinyin") == ("yín", "háng")
    assert ruby_readings("银行", "jyutping") == ("ngan4", "hong4")
    assert ruby_readings("增长", "pinyin") == ("zēng", "zhǎng")


def test_the_cantonese_lexicon_wins_wherever_it_holds_the_word():
    """Every lexicon word the voice is told in a report is shown as it is told."""
    to_hk = opencc.OpenCC("s2hk")
    checked = 0
    with open("content/dg-nancheng-2023-work-plan.txt", encoding="utf-8") as report:
        for line in filter(None, map(str.strip, report)):
            shown = ruby_readings(line, "jyutping")
            position = 0
            for word in readings(to_hk.convert(line), "yue"):
                if word.syllables:
                    assert list(shown[position : position + len(word.word)]) == list(word.syllables)
                    checked += 1
                position += len(word.word)
    assert checked > 20
