"""How each word of the spoken form is pronounced, and the text handed to the voice engine.

espeak-ng reads Chinese characters one dictionary entry at a time and is wrong on words
that government reports repeat (增长 as zēng cháng, 银行 as yín xíng, 生活 in Cantonese as
saang1) and repeats the last syllables of some words it knows (拓展 → tuò zhán zhǎn). Its
voices that read romanisation mixed with characters (`cmn-latn-pinyin` reads "gan4 bu4"
as gàn bù, `yue-latn-jyutping` reads "sang1 wut6") let us say which syllables we mean:

- Mandarin: every character gets its word's reading from pypinyin's phrase dictionary,
  corrected by our own lexicon (reader/speech/lexicon/cmn.toml), with the tone changes of
  一 and 不 applied (espeak makes neither; it does make the 3-3 change itself). Every
  character goes to the engine as numbered pinyin: that also avoids espeak's repeated
  syllables, and measured over the reports it agrees more often than sending pinyin only
  where espeak's own reading of a character differs (bench/pronunciation.py).
- Cantonese: only the words of our lexicon (reader/speech/lexicon/yue.toml), each one
  espeak is known to misread, go as Jyutping; espeak reads the rest.

The layer belongs to an engine voice, not to a language: `Voice.pronunciations` names the
engine voices that read romanisation, and any other engine (SAPI5, macOS) gets the spoken
form unchanged. `engine_text` is the only way text reaches an engine and the audio key is
made from it, so a lexicon change gives new audio rather than a stale file.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from reader.speech.voices import VOICE_BY_CODE

LEXICON_DIR = Path(__file__).with_name("lexicon")
SYLLABLE = {"pinyin": re.compile(r"[a-z]+[1-5]"), "jyutping": re.compile(r"[a-z]+[1-6]")}
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
NUMERALS = set("零〇一二三四五六七八九十两百千万亿幺")
# 一 keeps its first tone as a digit (二零二一), an ordinal (第一), at the end of the words
# these characters begin (统一, 唯一, 之一, 逐一), and before these: 一月 is January,
# 一是…二是… and 一要…二要… count points, 一号 is number one.
YI_ENDS_WORD_AFTER = set("第统唯之万初单专划归合逐如均纯月")  # 月: 五月一日
YI_KEEPS_TONE_BEFORE = set("月是要号")
# …and where it is a number read out, a numeral beyond one of these: 一加一, 一比一千,
# 一点二万, 一至十一月, 一比一比例 (一点儿 and 一比高下 change tone: no numeral)
YI_NUMBER_BEFORE = set("加比点至")
POLYPHONE_MIN_PHRASES = 5
YI_BU_TONES = {"yi1", "yi2", "yi4", "bu2", "bu4"}  # pypinyin's own (一个 yi2), redone here


class LexiconError(ValueError):
    """A lexicon file that cannot be used, with the file and the entry named."""


@dataclass(frozen=True)
class Reading:
    """A word as the layer reads it: its characters and one syllable for each."""

    word: str
    syllables: tuple[str, ...]  # numbered pinyin or Jyutping; () for what is not Chinese

    def __str__(self) -> str:
        return f"{self.word} {' '.join(self.syllables)}" if self.syllables else self.word


def layer_of(language: str, engine_voice: str) -> str | None:
    """The romanisation ("pinyin", "jyutping") the engine voice reads, None when the engine
    gets the spoken form as it is. `engine_voice` is its id or InstalledVoice.engine."""
    tail = engine_voice.replace("\\", "/").rsplit("/", 1)[-1].lower()
    voice = VOICE_BY_CODE.get(language)
    return voice.pronunciations.get(tail) if voice else None


@lru_cache(maxsize=8192)
def engine_text(text: str, language: str, engine_voice: str) -> str:
    """Exactly what the engine voice is given for the spoken form `text` in `language`."""
    layer = layer_of(language, engine_voice)
    if layer is None:
        return text
    return _romanised(readings(text, language))


def spoken_spans(spoken: str, told: str, language: str) -> list[tuple[int, int] | None]:
    """For each character of `told` (`engine_text` of the spoken form `spoken`), the
    [start, end) of `spoken` it stands for, or None for a space the romanisation added.

    A romanised syllable stands for its whole word, so that the word positions an engine
    reports in `told` light whole words of the page; any other character stands for
    itself. The engine's word timing is kept in the spoken form's places by this
    (reader.speech.audio), where the page's text can be found again (word_timing).
    """
    word_of: dict[int, tuple[int, int]] = {}
    position = 0
    for reading in readings(spoken, language):
        end = position + len(reading.word)
        if reading.syllables:
            word_of.update(dict.fromkeys(range(position, end), (position, end)))
        position = end
    spans: list[tuple[int, int] | None] = [None] * len(told)
    i = j = 0
    while j < len(told):
        syllable = SYLLABLE["jyutping"].match(told, j) if i in word_of else None  # either kind
        if i < len(spoken) and told[j] == spoken[i]:
            spans[j] = (i, i + 1)
            i, j = i + 1, j + 1
        elif syllable:
            spans[j : syllable.end()] = [word_of[i]] * (syllable.end() - j)
            i, j = i + 1, syllable.end()
        elif told[j] == " ":
            j += 1
        elif i < len(spoken) and spoken[i].isspace():
            i += 1
        else:  # not a text this layer made: leave the rest unplaced rather than guess
            break
    return spans


def readings(text: str, language: str) -> list[Reading]:
    """`text` cut into words, each with its reading: Mandarin every word (pypinyin and our
    lexicon, 一/不 changed); Cantonese only the words of our lexicon, the rest left to
    the engine (no syllables)."""
    words: list[Reading] = []
    for piece in re.split(f"({HAN.pattern})", text):
        if not piece:
            continue
        if not HAN.fullmatch(piece):
            words.append(Reading(piece, ()))
        elif language == "cmn":
            words.extend(_mandarin(piece))
        else:
            words.extend(_cantonese(piece))
    if language == "cmn":
        return _yi_bu_changed(words)
    return words


def uncovered_polyphones(text: str) -> dict[str, list[str]]:
    """Words of Mandarin `text` that neither our lexicon nor pypinyin's phrase dictionary
    holds and that have a character with more than one reading in use: word → the
    readings given, for a person to check (and, if wrong, to add to the lexicon)."""
    from pypinyin.constants import PHRASES_DICT

    found: dict[str, list[str]] = {}
    polyphones = _polyphones()
    for reading in readings(text, "cmn"):
        word = reading.word
        if (
            reading.syllables and word not in _lexicon("cmn") and word not in PHRASES_DICT
            and any(ch in polyphones for ch in word) and not set(word) <= set("一不")
        ):
            found[word] = list(reading.syllables)
    return found


@cache
def _polyphones() -> frozenset[str]:
    """Characters that pypinyin's phrase dictionary reads in two ways, the less common in at
    least POLYPHONE_MIN_PHRASES phrases (中 zhòng in 中标; not 大 dài, only in 大夫)."""
    from collections import Counter, defaultdict

    from pypinyin.constants import PHRASES_DICT

    uses: defaultdict[str, Counter] = defaultdict(Counter)
    for word, said in PHRASES_DICT.items():
        for ch, options in zip(word, said, strict=False):
            uses[ch][options[0]] += 1
    return frozenset(
        ch for ch, counts in uses.items()
        if len(counts) > 1 and counts.most_common(2)[1][1] >= POLYPHONE_MIN_PHRASES
    )


def _romanised(words: list[Reading]) -> str:
    """The words with syllables written as romanisation, spaced so that no syllable runs
    into a character or another syllable; text without syllables as it is."""
    out: list[str] = []
    for reading in words:
        if reading.syllables:
            out.append(f" {' '.join(reading.syllables)} ")
        else:
            out.append(reading.word)
    return re.sub(r" +", " ", "".join(out)).strip()


def _mandarin(run: str) -> list[Reading]:
    from pypinyin import Style, lazy_pinyin

    _load_mandarin_lexicon()
    return [
        Reading(word, tuple(_plain(s) for s in lazy_pinyin(
            word, style=Style.TONE3, neutral_tone_with_five=True, errors=list
        )))
        for word in _segmenter().cut(run)
    ]


def _plain(syllable: str) -> str:
    """pypinyin's ü is v to espeak; a character it cannot read is said as it is."""
    return syllable.replace("ü", "v")


def _yi_bu_changed(words: list[Reading]) -> list[Reading]:
    """一 and 不 with the tone a speaker gives them before the next syllable: second tone
    before a fourth (不是 bú shì, 一定 yí dìng), 一 fourth before the other tones
    (一般 yì bān); 一 keeps its first tone in numbers, ordinals, at the end of a word and
    before a pause."""
    chars = [ch for r in words for ch in (r.word if r.syllables else r.word[:1])]
    said: list[str | None] = [s for r in words for s in (r.syllables or [None][: len(r.word[:1])])]
    for n, (char, syllable) in enumerate(zip(chars, said, strict=True)):
        if char not in "一不" or syllable not in YI_BU_TONES:
            continue
        before = chars[n - 1] if n else ""
        after, next_said = (chars[n + 1], said[n + 1]) if n + 1 < len(said) else ("", None)
        next_tone = next_said[-1] if next_said else ""
        if char == "不":
            said[n] = "bu2" if next_tone == "4" else "bu4"
        elif next_said is None or before in NUMERALS or (
            after not in "百千万亿" and (
                before in YI_ENDS_WORD_AFTER or after in YI_KEEPS_TONE_BEFORE or after in NUMERALS
                or _read_as_number(chars, n)
            )
        ):
            said[n] = "yi1"
        else:
            said[n] = "yi2" if next_tone == "4" else "yi4"
    changed, n = [], 0
    for reading in words:
        count = len(reading.syllables) or len(reading.word[:1])
        syllables = tuple(said[n:n + count]) if reading.syllables else ()
        changed.append(Reading(reading.word, syllables))
        n += count
    return changed


def _read_as_number(chars: list[str], n: int) -> bool:
    """Whether the 一 at `n` is a number read out: 一加一, 一比一千, 一点二, 一至三 (either 一)."""
    after, before = chars[n + 1:n + 3], chars[max(0, n - 2):n]
    return (len(after) == 2 and after[0] in YI_NUMBER_BEFORE and after[1] in NUMERALS) or (
        len(before) == 2 and before[1] in YI_NUMBER_BEFORE and before[0] in NUMERALS
    )


def _cantonese(run: str) -> list[Reading]:
    """Longest words of the Cantonese lexicon first; characters between them stay as they are."""
    lexicon = _lexicon("yue")
    longest = max(map(len, lexicon), default=1)
    words: list[Reading] = []
    plain = ""
    i = 0
    while i < len(run):
        for size in range(min(longest, len(run) - i), 0, -1):
            word = run[i:i + size]
            if word in lexicon:
                if plain:
                    words.append(Reading(plain, ()))
                    plain = ""
                words.append(Reading(word, lexicon[word]))
                i += size
                break
        else:
            plain += run[i]
            i += 1
    if plain:
        words.append(Reading(plain, ()))
    return words


@cache
def _lexicon(language: str) -> dict[str, tuple[str, ...]]:
    """Our lexicon for `language`: word → one syllable per character, each entry checked."""
    path = LEXICON_DIR / f"{language}.toml"
    syllable = SYLLABLE["pinyin" if language == "cmn" else "jyutping"]
    try:
        with path.open("rb") as lexicon_file:
            words = tomllib.load(lexicon_file).get("words", {})
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise LexiconError(f"{path}: {exc}") from exc
    entries = {}
    for word, said in words.items():
        syllables = tuple(said.split()) if isinstance(said, str) else ()
        if not HAN.fullmatch(word) or len(syllables) != len(word) or not all(
            syllable.fullmatch(s) for s in syllables
        ):
            raise LexiconError(f"{path}: {word} = {said!r}: need one syllable per character")
        entries[word] = syllables
    return entries


@cache
def _load_mandarin_lexicon() -> None:
    """Our words into pypinyin's phrase dictionary (once per process), so that its
    segmenter finds them and its readings are ours."""
    from pypinyin import Style, load_phrases_dict
    from pypinyin.contrib.tone_convert import to_tone

    load_phrases_dict(
        {word: [[to_tone(s)] for s in said] for word, said in _lexicon("cmn").items()},
        style=Style.TONE,
    )
    _segmenter.cache_clear()


@cache
def _segmenter():
    from pypinyin.seg import mmseg

    mmseg.seg.train(_lexicon("cmn"))
    return mmseg.seg
