"""Pronunciation benchmark: what espeak-ng says for every sentence of the reports, before and
after the pronunciation layer.

For each voice, every sentence of content/ and tests/corpus/ is spoken three ways and
espeak's own phonemes (`espeak-ng -q -x`) are cut into syllables (reader.speech.heard):

- before: the engine gets the spoken form alone, as it did without the layer;
- mixed (Mandarin only): pinyin only for the characters whose reading by espeak on its
  own differs from the layer's reading, the rest left as characters;
- after: the engine text the layer makes (`engine_text`).

It prints the share of characters whose heard syllable and tone agree with the layer's
reading, and the number of syllables espeak says twice (goal 0). Cantonese has a reading
only for the words of its lexicon, so its share is over those characters; its repeats are
the syllables heard beyond one per character.

Run: .venv/bin/python bench/pronunciation.py
"""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from reader import pipeline
from reader.report import ReportError
from reader.speech.heard import ROMANISED_VOICE, compare, heard, syllables_of
from reader.speech.pronunciation import HAN, engine_text, readings
from reader.speech.spoken import spoken_form

REPO = Path(__file__).resolve().parents[1]
SOURCES = [REPO / "content", *sorted((REPO / "tests/corpus").iterdir())]


def report_sentences() -> list[str]:
    """Every sentence of content/ and of the corpus cases, each once."""
    sentences: dict[str, None] = {}
    for folder in SOURCES:
        paths = pipeline.content_files(folder) or sorted(folder.glob("source.*"))
        for path in paths:
            try:
                report = pipeline.read_report(path)
            except (ReportError, OSError):
                continue
            for block in report.blocks:
                sentences.update(dict.fromkeys(s.strip() for s in block.sentences if s.strip()))
    return list(sentences)


def single_readings(chars: set[str], espeak_voice: str) -> dict[str, str]:
    """Each character as espeak says it alone."""
    ordered = sorted(chars)
    lines = subprocess.run(
        ["espeak-ng", "-q", "-x", "-v", espeak_voice],
        input="".join(f"{ch}。\n" for ch in ordered), capture_output=True, text=True, check=True,
    ).stdout.splitlines()
    said = {}
    for ch, line in zip(ordered, lines, strict=True):
        syllables = syllables_of(line, "cmn")
        if len(syllables) == 1:
            said[ch] = str(syllables[0])
    return said


def mixed_text(spoken: str, alone: dict[str, str]) -> str:
    """Pinyin only where espeak's reading of a character alone is not the layer's."""
    out = []
    for reading in readings(spoken, "cmn"):
        if not reading.syllables:
            out.append(reading.word)
            continue
        for ch, syllable in zip(reading.word, reading.syllables, strict=True):
            out.append(ch if alone.get(ch) == syllable else f" {syllable} ")
    return " ".join("".join(out).split())


def measure(language: str, sentences: list[str], make_text) -> tuple[int, int, int]:
    """(characters with a reading, of those heard right, syllables said twice)."""
    voice = ROMANISED_VOICE[language]

    def one(sentence: str) -> tuple[int, int, int]:
        spoken = spoken_form(sentence, language)
        words = readings(spoken, language)
        said = heard(make_text(spoken), language, voice)
        if language == "cmn":
            result = compare([s for w in words for s in w.syllables], said, language)
            return result.meant, result.agreed, result.repeated
        return cantonese_counts(spoken, words, said)

    with ThreadPoolExecutor(2) as pool:
        counts = list(pool.map(one, sentences))
    return tuple(sum(column) for column in zip(*counts, strict=True))


def cantonese_counts(spoken: str, words, said) -> tuple[int, int, int]:
    """Lexicon characters heard right (by position, when espeak said one syllable for each
    character), and the syllables heard beyond one per character."""
    characters = sum(len(match) for match in HAN.findall(spoken))
    meant = agreed = 0
    position = 0
    for word in words:
        for n, ch in enumerate(word.word):
            if not HAN.fullmatch(ch):
                continue
            if word.syllables:
                meant += 1
                if len(said) == characters and str(said[position]) == word.syllables[n]:
                    agreed += 1
            position += 1
    return meant, agreed, max(0, len(said) - characters)


def main() -> None:
    sentences = report_sentences()
    characters = sum(len(m) for s in sentences for m in HAN.findall(s))
    print(f"{len(sentences)} sentences, {characters} Chinese characters")
    alone = single_readings(
        {ch for s in sentences for m in HAN.findall(spoken_form(s, "cmn")) for ch in m},
        ROMANISED_VOICE["cmn"],
    )
    for language in ("cmn", "yue"):
        voice = ROMANISED_VOICE[language]
        ways = {"before": lambda spoken: spoken}
        if language == "cmn":
            ways["mixed"] = lambda spoken: mixed_text(spoken, alone)
        ways["after"] = lambda spoken, lang=language, v=voice: engine_text(spoken, lang, v)
        baseline = None
        for name, make_text in ways.items():
            meant, agreed, repeated = measure(language, sentences, make_text)
            share = agreed / meant if meant else 1.0
            baseline = baseline or share
            print(
                f"{language} {name:6}: {agreed}/{meant} characters heard as the layer reads them "
                f"({share:.2%}, {share / baseline:.3f}x before), {repeated} syllables said twice"
            )


if __name__ == "__main__":
    main()
