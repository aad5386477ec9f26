"""Every phrase of the spoken-form table, said by espeak-ng, heard with the table's syllables.

tests/spoken_table_pronunciation.tsv holds, for each phrase of tests/spoken_table.tsv, the
syllables of its whole spoken form in both voices, checked by hand. Here each spoken form
goes through the pronunciation layer to the voice the reader uses, and espeak-ng's own
phonemes (`espeak-ng -q -x`) are cut into syllables (reader/speech/heard.py): every
syllable must be the table's, in sound and tone, with nothing added or left out. One
espeak-ng process says the whole table in each voice, a blank line between phrases.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from reader.speech.heard import Syllable, heard_as, syllables_of
from reader.speech.pronunciation import engine_text
from reader.speech.spoken import spoken_form
from reader.speech.voices import VOICE_BY_CODE

TESTS = Path(__file__).parent
SPOKEN_TABLE = TESTS / "spoken_table.tsv"
PRONUNCIATION_TABLE = TESTS / "spoken_table_pronunciation.tsv"
VOICES = ("cmn", "yue")
ESPEAK = {code: VOICE_BY_CODE[code].engine_preferences["espeak"][0] for code in VOICES}
SYLLABLE = re.compile(r"[a-z]+[1-6]")
LETTER = re.compile(r"[A-Za-z]")
# what each voice's spoken form holds that is said: a character, or (Mandarin) a spelled
# Latin letter or a syllable written in pinyin with tone marks (wāi)
SAID_UNIT = {
    "cmn": re.compile(r"[\u3400-\u9fff]|[A-Za-zāáǎàēéěèīíǐìōóǒòūúǔù]+"),
    "yue": re.compile(r"[\u3400-\u9fff]"),
}
PARAGRAPH = re.compile(r"\n\s*\n")

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="no espeak-ng")


def _lines(path: Path) -> list[list[str]]:
    return [
        line.split("\t")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]


PHRASES = [row[0] for row in _lines(SPOKEN_TABLE)]
PRONUNCIATIONS = {row[0]: {"cmn": row[1].split(), "yue": row[2].split()} for row in _lines(PRONUNCIATION_TABLE)}


def test_every_phrase_of_the_spoken_table_has_its_pronunciation():
    assert [row[0] for row in _lines(PRONUNCIATION_TABLE)] == PHRASES
    for phrase in PHRASES:
        for voice in VOICES:
            said = PRONUNCIATIONS[phrase][voice]
            units = SAID_UNIT[voice].findall(spoken_form(phrase, voice))
            assert len(said) == len(units), (phrase, voice, units, said)
            assert all(SYLLABLE.fullmatch(s) or LETTER.fullmatch(s) for s in said), (phrase, said)


def _espeak_paragraphs(texts: list[str], voice: str) -> list[str]:
    """What espeak-ng says for each text, as `-x` phonemes: one process for all of them."""
    if not texts:
        return []
    phonemes = subprocess.run(
        ["espeak-ng", "-q", "-x", "-v", ESPEAK[voice]],
        input="\n\n".join(texts) + "\n", capture_output=True, text=True, check=True, timeout=300,
    ).stdout
    paragraphs = PARAGRAPH.split(phonemes.strip())
    assert len(paragraphs) == len(texts), "espeak-ng's paragraphs do not match the phrases"
    return paragraphs


def _disagreement(meant: list[str], said: list[Syllable], letters: dict[str, list[Syllable]], voice: str) -> str:
    """"" when `said` is `meant` syllable by syllable (a letter as espeak names it alone)."""
    wanted: list[tuple[str, Syllable | None]] = []
    for n, unit in enumerate(meant):
        if LETTER.fullmatch(unit):
            wanted.extend((unit, s) for s in letters[unit])
        else:
            following = meant[n + 1] if n + 1 < len(meant) and SYLLABLE.fullmatch(meant[n + 1]) else ""
            wanted.append((f"{unit}>{following}", None))
    heard_text = " ".join(str(s) for s in said)
    if len(wanted) != len(said):
        return f"{len(wanted)} syllables meant, {len(said)} heard: {heard_text}"
    for (unit, letter), got in zip(wanted, said, strict=True):
        syllable, _, following = unit.partition(">")
        if letter is not None and got != letter or letter is None and not heard_as(syllable, got, following, voice):
            return f"meant {syllable}, heard {got}: {heard_text}"
    return ""


@needs_espeak
@pytest.mark.speech
@pytest.mark.parametrize("voice", VOICES)
def test_espeak_says_every_table_phrase_with_the_tables_syllables(voice):
    spoken = [spoken_form(phrase, voice) for phrase in PHRASES]
    said = _espeak_paragraphs([engine_text(s, voice, ESPEAK[voice]) for s in spoken], voice)
    letter_names = sorted({u for p in PHRASES for u in PRONUNCIATIONS[p][voice] if LETTER.fullmatch(u)})
    letters = {
        letter: syllables_of(phonemes, voice)
        for letter, phonemes in zip(letter_names, _espeak_paragraphs(letter_names, voice), strict=True)
    }
    wrong = {}
    for phrase, text, phonemes in zip(PHRASES, spoken, said, strict=True):
        problem = _disagreement(PRONUNCIATIONS[phrase][voice], syllables_of(phonemes, voice), letters, voice)
        if problem:
            wrong[text] = problem
    agreed = len(PHRASES) - len(wrong)
    print(f"{voice}: {agreed}/{len(PHRASES)} phrases heard as the table says")
    assert wrong == {}
