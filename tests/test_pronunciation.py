"""The pronunciation layer, judged by what espeak-ng says.

Each sentence of tests/polyphone_table.tsv (Mandarin) and tests/polyphone_table_yue.tsv
(Cantonese), real report text with readings checked by hand, goes through the spoken form
and the layer to the voice the reader uses, and espeak's own phonemes (`espeak-ng -q -x`)
are cut into syllables: every word of the table must be heard with its syllables and
tones, and no syllable said twice.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from reader.cli import main
from reader.speech.audio import audio_key
from reader.speech.heard import compare, heard, heard_as
from reader.speech.pronunciation import HAN, engine_text, readings
from reader.speech.spoken import spoken_form
from reader.speech.voices import VOICE_BY_CODE

TESTS = Path(__file__).parent
TABLES = {"cmn": TESTS / "polyphone_table.tsv", "yue": TESTS / "polyphone_table_yue.tsv"}
ESPEAK = {code: VOICE_BY_CODE[code].engine_preferences["espeak"][0] for code in TABLES}
SAPI5 = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Speech\\Voices\\Tokens\\TTS_MS_ZH-CN_HUIHUI_11.0"

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="no espeak-ng")


def table(language: str) -> list[tuple[str, dict[str, str]]]:
    rows = []
    for line in TABLES[language].read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            sentence, words = line.split("\t")
            rows.append((sentence, dict(pair.split("=") for pair in words.split("; "))))
    return rows


def test_the_tables_are_as_large_as_the_issue_asks_and_hold_its_words():
    mandarin = table("cmn")
    assert len(mandarin) >= 150 and len(table("yue")) >= 60
    listed = {word for _, words in mandarin for word in words}
    for word in ["增长", "地区", "土地", "干部", "调整", "协调", "行业", "银行", "振兴", "作为", "成为", "应用", "充分", "处理", "要求", "供给", "着力", "重新", "累计", "东莞", "拓展", "陕西", "贷款", "媒体", "崛起", "董事长"]:
        assert word in listed, word
    said = {f"{word}={reading}" for _, words in mandarin for word, reading in words.items()}
    for sandhi in ("一=yi1", "一=yi4", "不断=bu2 duan4", "不足=bu4 zu2", "一个=yi2 ge4"):
        assert sandhi in said, sandhi


@needs_espeak
@pytest.mark.speech
@pytest.mark.parametrize(
    ("language", "row"), [(language, n) for language in TABLES for n in range(len(table(language)))]
)
def test_espeak_says_every_word_of_the_table_right(language, row):
    sentence, words = table(language)[row]
    spoken = spoken_form(sentence, language)
    said = heard(engine_text(spoken, language, ESPEAK[language]), language, ESPEAK[language])
    position, meant = _positions(spoken, language)
    if language == "cmn":
        result = compare(meant, said, language)
        assert result.repeated == 0, [str(s) for s in said]
        heard_at = result.heard_for
    else:  # only the lexicon's words have a reading: espeak must say one syllable a character
        assert len(said) == len(position), [str(s) for s in said]
        heard_at = said
    starts = _word_starts(spoken, language)
    for word, reading in words.items():
        start = starts.get(word, spoken.find(word))
        for n, syllable in enumerate(reading.split()):
            at = position[start + n]
            following = meant[at + 1] if at + 1 < len(meant) and meant[at + 1] else ""
            got = heard_at[at]
            assert heard_as(syllable, got, following, language), (
                f"{word}: meant {reading}, heard {[str(s) for s in heard_at[at - n:at - n + len(word)]]}"
            )


def _word_starts(spoken: str, language: str) -> dict[str, int]:
    """Where each word the layer finds first begins (一 alone, not the 一 of 一体)."""
    starts: dict[str, int] = {}
    offset = 0
    for reading in readings(spoken, language):
        starts.setdefault(reading.word, offset)
        offset += len(reading.word)
    return starts


def _positions(spoken: str, language: str) -> tuple[dict[int, int], list[str]]:
    """Each Chinese character's place in the text → its place among the syllables; and the
    syllables the layer means ("" where it leaves a character to the engine)."""
    position: dict[int, int] = {}
    meant: list[str] = []
    offset = 0
    for reading in readings(spoken, language):
        for n, ch in enumerate(reading.word):
            if HAN.fullmatch(ch):
                position[offset + n] = len(meant)
                meant.append(reading.syllables[n] if reading.syllables else "")
        offset += len(reading.word)
    return position, meant


def test_an_engine_that_reads_characters_gets_the_spoken_form_unchanged():
    spoken = spoken_form("经济增长，干部调整。", "cmn")
    assert engine_text(spoken, "cmn", SAPI5) == spoken
    assert engine_text(spoken, "cmn", "sit/cmn") == spoken  # plain cmn reads no pinyin
    assert engine_text(spoken, "cmn", ESPEAK["cmn"]) == "jing1 ji4 zeng1 zhang3 ， gan4 bu4 tiao2 zheng3 。"


def test_the_audio_key_is_made_from_the_text_the_engine_is_given():
    engine = f"pyttsx3-2.99/espeak-ng-1.51/sit/{ESPEAK['cmn']}"
    # the same engine text is the same audio, whatever spoken form it came from
    assert audio_key("增长", "cmn", "normal", engine) == audio_key("zeng1 zhang3", "cmn", "normal", engine)
    assert audio_key("增长", "cmn", "normal", engine) != audio_key("增加", "cmn", "normal", engine)
    sapi = f"pyttsx3-2.99/sapi5-10/{SAPI5}"
    assert audio_key("增长", "cmn", "normal", sapi) != audio_key("zeng1 zhang3", "cmn", "normal", sapi)


def test_yi_and_bu_change_tone_before_the_next_syllable():
    said = {r.word: " ".join(r.syllables) for r in readings("一定要统一认识，不断推进，百分之一百完成第一批", "cmn")}
    assert said["一定"] == "yi2 ding4"
    assert said["不断"] == "bu2 duan4"
    assert said["一百"] == "yi4 bai3"
    text = "".join(f"{w}{s}" for w, s in said.items())
    assert "一yi1" in text  # 统一 and 第一 keep the first tone


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_speak_pronunciation_lists_each_word_with_its_reading():
    result = run("speak", "--pronunciation", "经济增长，银行贷款")
    assert result.exit_code == 0, result.output
    assert "增长\tzeng1 zhang3" in result.output.splitlines()
    assert "银行\tyin2 hang2" in result.output.splitlines()
    cantonese = run("speak", "--pronunciation", "--voice", "yue", "学生生活")
    assert cantonese.output.splitlines() == ["學生\thok6 saang1", "生活\tsang1 wut6"]


@needs_espeak
@pytest.mark.speech
def test_speak_engine_text_prints_what_espeak_is_given():
    result = run("speak", "--engine-text", "增长")
    assert result.exit_code == 0, result.output
    told = result.output.strip()
    phonemes = subprocess.run(
        ["espeak-ng", "-q", "-x", "-v", ESPEAK["cmn"], told], capture_output=True, text=True, check=True
    ).stdout
    assert [str(s) for s in heard(told, "cmn", ESPEAK["cmn"])] == ["zeng1", "zhang3"], phonemes


def test_check_polyphones_lists_uncovered_words_of_a_report():
    result = run("check", "--polyphones", str(TESTS.parent / "content"))
    assert result.exit_code == 0, result.output
    listed = [line for line in result.output.splitlines() if line.strip().startswith("polyphone:")]
    assert listed and all("x)" in line for line in listed)
    assert not any(line.split()[1] in ("增长", "干部", "一", "不") for line in listed)
