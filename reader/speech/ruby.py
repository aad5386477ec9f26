"""The reading of each character shown above report text (拼音 or 粤拼 as <ruby>).

What is shown must be what is heard, so the readings come from the pronunciation layer
the voices are told (reader.speech.pronunciation), run on the displayed text itself:
numbers are written out for the voice, but the annotation sits over the characters on
the page, so a digit gets none and 年 in "2024年" keeps its own reading.

- 拼音: the Mandarin layer reads every word (pypinyin and our lexicon, 一/不 changed);
  its numbered syllables are shown with tone marks (zēng zhǎng).
- 粤拼: the Cantonese layer only holds the words espeak misreads (our lexicon), so every
  other character takes its Jyutping from ToJyutping, which reads by context. The
  lexicon wins wherever it has the word, so the page shows what the voice is told.
  Both read the text as the voice does, in Hong Kong characters (OpenCC s2hk), placed
  back over the displayed characters one for one.

Plain code, no Flask; the web layer turns these into markup (reader.web.ruby).
"""

from __future__ import annotations

from functools import cache, lru_cache

from reader.speech.pronunciation import HAN, readings
from reader.speech.voices import VOICE_BY_CODE

READING_LANGUAGE = {"pinyin": "cmn", "jyutping": "yue"}  # the `ruby` setting's values
RUBY_CACHE_SIZE = 8192  # sentences; a report's sentences several times over


@lru_cache(maxsize=RUBY_CACHE_SIZE)
def ruby_readings(text: str, reading: str) -> tuple[str | None, ...]:
    """For each character of `text`, the reading to show above it ("zhǎng", "hong4"), or
    None for what is not a Chinese character (digits, letters, punctuation)."""
    language = READING_LANGUAGE[reading]
    heard = _as_voice_reads(text, language)
    said = _layer_syllables(heard, language)
    if language == "cmn":
        shown = [_tone_marked(s) if s else None for s in said]
    else:
        context = _context_jyutping(heard)
        shown = [s or context[n] for n, s in enumerate(said)]
    return tuple(s if s and HAN.fullmatch(ch) else None for ch, s in zip(text, shown, strict=True))


def _as_voice_reads(text: str, language: str) -> str:
    """`text` in the characters the voice gets (Cantonese: Hong Kong forms), when the
    conversion keeps one character for one; else the text as it is."""
    conversion = VOICE_BY_CODE[language].text_conversion
    converted = _converter(conversion).convert(text) if conversion else text
    return converted if len(converted) == len(text) else text


@cache
def _converter(conversion: str):
    import opencc

    return opencc.OpenCC(conversion)


def _layer_syllables(text: str, language: str) -> list[str | None]:
    """One entry per character: the layer's numbered syllable, or None where it has none."""
    said: list[str | None] = []
    for word in readings(text, language):
        if word.syllables and len(word.syllables) == len(word.word):
            said.extend(word.syllables)
        else:
            said.extend([None] * len(word.word))
    return said


def _tone_marked(syllable: str) -> str:
    """Numbered pinyin as written with tone marks (zhang3 → zhǎng, lv4 → lǜ)."""
    from pypinyin.contrib.tone_convert import to_tone

    return to_tone(syllable.replace("v", "ü"))


@cache
def _tojyutping():
    import ToJyutping

    return ToJyutping


def _context_jyutping(text: str) -> list[str | None]:
    """ToJyutping's reading of each character of `text`, in context (行 in 銀行 hong4)."""
    said = [jyutping for _, jyutping in _tojyutping().get_jyutping_list(text)]
    return said if len(said) == len(text) else [None] * len(text)
