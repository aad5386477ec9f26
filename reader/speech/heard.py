"""What espeak-ng actually says, as syllables that can be compared with a reading.

`espeak-ng -q -x` prints the phonemes it speaks, word by word (`_|` after each), each
syllable's tone as digits after its vowel: Mandarin 55, 35, 214 or 21, 51 and lower
pairs (11, 22, 33, 44) for the neutral tone; Cantonese one digit, 1 to 6, with 7 for a
falling variant of tone 1, and a final stop or nasal after the digit (`w'u6t`). Syllables
of one word run together (`thuo51ts.'a35n`), so a word is cut where each piece holds one
tone and sounds like a syllable espeak itself says for a romanised one.

Those sounds are learnt from espeak, not written down: every pinyin or Jyutping syllable,
in every tone, is read once through the voice that reads romanisation
(`cmn-latn-pinyin`, `yue-latn-jyutping`), and the letters of each answer, tone and stress
taken out, name that syllable. Two spellings espeak says alike are one sound here.
"""

from __future__ import annotations

import difflib
import itertools
import re
import subprocess
from dataclasses import dataclass
from functools import cache

ROMANISED_VOICE = {"cmn": "cmn-latn-pinyin", "yue": "yue-latn-jyutping"}
MANDARIN_TONES = {"55": 1, "35": 2, "214": 3, "21": 3, "51": 4}  # anything else is neutral
CANTONESE_FALLING_ONE = "7"

JYUTPING_INITIALS = ("", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "ng", "h",
                     "gw", "kw", "w", "z", "c", "s", "j")
JYUTPING_FINALS = (
    "aa", "aai", "aau", "aam", "aan", "aang", "aap", "aat", "aak", "a", "ai", "au", "am", "an",
    "ang", "ap", "at", "ak", "e", "ei", "eu", "em", "eng", "ep", "ek", "i", "iu", "im", "in",
    "ing", "ip", "it", "ik", "o", "oi", "ou", "on", "ong", "ot", "ok", "u", "ui", "un", "ung",
    "ut", "uk", "oe", "oeng", "oek", "eoi", "eon", "eot", "yu", "yun", "yut",
)
ENTERING = ("p", "t", "k")  # Jyutping finals that take only tones 1, 3 and 6
SYLLABIC_NASALS = ("m", "ng")  # 唔 m4, 五 ng5: yue-latn-jyutping says them with no tone digit
# syllables the spoken form writes that pinyin's dictionary lacks: Wi-Fi is wāi fāi
MANDARIN_LOANS = ("fai",)

WORD_END = re.compile(r"_\S*|\s+")
STRESS = re.compile(r"[',%=]")
TONE = re.compile(r"\d+")
RHYME = re.compile(r"^[^aeiouv]+")


@dataclass(frozen=True)
class Syllable:
    """A syllable as said: its romanised spelling (tone left out) and its tone."""

    sound: str  # "zhang", "saang"; the first spelling, in alphabetical order, said so
    tone: int  # 1-4 and 5 (neutral) in Mandarin, 1-6 in Cantonese

    def __str__(self) -> str:
        return f"{self.sound}{self.tone}"


def heard(text: str, language: str, espeak_voice: str) -> list[Syllable]:
    """The syllables `espeak-ng -v espeak_voice` says for `text`, in order.

    A piece of a word that matches no syllable is given as its letters with tone 0, so a
    comparison fails on it rather than this raising.
    """
    phonemes = subprocess.run(
        ["espeak-ng", "-q", "-x", "-v", espeak_voice],
        input=text, capture_output=True, text=True, check=True,
    ).stdout
    return syllables_of(phonemes, language)


def syllables_of(phonemes: str, language: str) -> list[Syllable]:
    """Cut espeak's `-x` phoneme text into syllables of `language` ("cmn" or "yue")."""
    sounds = _sounds(language)
    found: list[Syllable] = []
    for word in WORD_END.split(STRESS.sub("", phonemes)):
        if word:
            found.extend(_cut(word, sounds, language))
    return found


def _cut(word: str, sounds: dict[str, str], language: str) -> list[Syllable]:
    """Cut one word at the places that make every piece a known syllable (one tone each)."""
    tones = list(TONE.finditer(word))
    if not tones:
        return [Syllable(_letters(word, language), 0)]

    @cache
    def pieces(start: int, n: int) -> list[tuple[int, int]] | None:
        """Syllable n (its tone digits tones[n]) starting at `start`: where each piece ends."""
        tone = tones[n]
        last = n == len(tones) - 1
        ends = [len(word)] if last else range(tone.end(), tones[n + 1].start() + 1)
        for end in reversed(ends):  # a coda rather than the next onset, when both would do
            if _letters(word[start:end], language) in sounds:
                rest = [] if last else pieces(end, n + 1)
                if rest is not None:
                    return [(start, end), *rest]
        return None

    cut = pieces(0, 0)
    if cut is None:
        return [Syllable(_letters(word, language), 0)]
    return [
        Syllable(sounds[_letters(word[a:b], language)], _tone(tone.group(), language))
        for (a, b), tone in zip(cut, tones, strict=True)
    ]


def _letters(piece: str, language: str) -> str:
    letters = TONE.sub("", piece)
    return letters.replace("ng", "N") if language == "yue" else letters


def _tone(digits: str, language: str) -> int:
    if language == "cmn":
        return MANDARIN_TONES.get(digits, 5)
    return 1 if digits == CANTONESE_FALLING_ONE else int(digits[0])


def _sounds(language: str) -> dict[str, str]:
    """espeak's letters for each syllable (tone and stress left out) → its spelling."""
    return _inventory(language)[0]


@cache
def _inventory(language: str) -> tuple[dict[str, str], dict[str, str]]:
    """espeak's letters → spelling, and spelling → the spelling its sound is named by."""
    spellings = [
        f"{base}{tone}" for base, tones in _syllables(language) for tone in tones
    ]
    phonemes = subprocess.run(
        ["espeak-ng", "-q", "-x", "-v", ROMANISED_VOICE[language]],
        input="".join(f"{spelling}。\n" for spelling in spellings),
        capture_output=True, text=True, check=True,
    ).stdout.splitlines()
    sounds: dict[str, str] = {}
    named: dict[str, str] = {}
    for spelling, line in zip(spellings, phonemes, strict=True):
        said = WORD_END.sub("", STRESS.sub("", line))
        base = spelling.rstrip("0123456789")
        if len(TONE.findall(said)) == 1 or (
            language == "yue" and base in SYLLABIC_NASALS and not TONE.search(said)
        ):
            named.setdefault(base, sounds.setdefault(_letters(said, language), base))
    return sounds, named


def _syllables(language: str) -> list[tuple[str, str]]:
    """Every syllable of the language with the tones to try it in."""
    if language == "cmn":
        from pypinyin.contrib.tone_convert import to_normal
        from pypinyin.pinyin_dict import pinyin_dict

        bases = {
            to_normal(reading).replace("ü", "v")
            for readings in pinyin_dict.values()
            for reading in readings.split(",")
        }
        toned = sorted(b for b in bases if b.isascii() and b.isalpha() and b not in ("m", "n"))
        toned += [loan for loan in MANDARIN_LOANS if loan not in toned]
        return [(base, "12345") for base in toned]
    return [
        (initial + final, "136" if final.endswith(ENTERING) else "123456")
        for initial, final in itertools.product(JYUTPING_INITIALS, JYUTPING_FINALS)
    ] + [("m", "123456"), ("ng", "123456")]


@dataclass(frozen=True)
class Comparison:
    """How the syllables heard agree with the syllables meant, aligned by their sounds."""

    meant: int  # syllables meant
    agreed: int  # of those, heard with the same sound and tone
    repeated: int  # syllables heard again right after themselves, not meant twice
    heard_for: tuple[Syllable | None, ...]  # for each syllable meant, what was heard there


def compare(meant: list[str], said: list[Syllable], language: str) -> Comparison:
    """Align the syllables `said` with the numbered syllables `meant` ("zhang3").

    Mandarin third tones before a third tone are heard as second (espeak makes that
    change itself, as speakers do), so a second tone heard there agrees.
    """
    sounds = _sounds(language)
    wanted = [_meant(m, sounds, language) for m in meant]
    matcher = difflib.SequenceMatcher(
        None, [w.sound for w in wanted], [s.sound for s in said], autojunk=False
    )
    heard_for: list[Syllable | None] = [None] * len(wanted)
    repeated = 0
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op in ("equal", "replace") and a2 - a1 == b2 - b1:
            heard_for[a1:a2] = said[b1:b2]
        if op == "insert":  # heard, not meant: a repeat when the same rhymes were just said
            just_said = {_rhyme(s.sound) for s in said[max(0, b1 - (b2 - b1) - 1):b1]}
            if all(_rhyme(s.sound) in just_said for s in said[b1:b2]):
                repeated += b2 - b1
    agreed = sum(
        1
        for n, (want, got) in enumerate(zip(wanted, heard_for, strict=True))
        if got is not None and got.sound == want.sound and _same_tone(
            want.tone, got.tone, wanted[n + 1].tone if n + 1 < len(wanted) else 0, language
        )
    )
    return Comparison(len(wanted), agreed, repeated, tuple(heard_for))


def _rhyme(sound: str) -> str:
    """A syllable without its initial: espeak's repeats may change it (长 zhǎng, cháng)."""
    return RHYME.sub("", sound) or sound


def _meant(syllable: str, sounds: dict[str, str], language: str) -> Syllable:
    """A numbered syllable as the sound espeak gives it (two spellings said alike are one)."""
    base, tone = syllable[:-1], int(syllable[-1]) if syllable[-1:].isdigit() else 0
    return Syllable(_spelling_sound(language).get(base, base), tone)


@cache
def _spelling_sound(language: str) -> dict[str, str]:
    """Each spelling → the spelling `_sounds` names its sound by."""
    return _inventory(language)[1]


def _same_tone(meant: int, heard_tone: int, next_meant: int, language: str) -> bool:
    if language == "cmn" and meant == 3 and next_meant == 3:
        return heard_tone in (2, 3)
    return meant == heard_tone


def heard_as(meant: str, got: Syllable | None, next_meant: str, language: str) -> bool:
    """Whether the numbered syllable `meant` ("zhang3") was heard as `got`; `next_meant`
    is the syllable meant after it ("" at the end), for the Mandarin 3-3 change."""
    if got is None:
        return False
    want = _meant(meant, _sounds(language), language)
    following = int(next_meant[-1]) if next_meant[-1:].isdigit() else 0
    return got.sound == want.sound and _same_tone(want.tone, got.tone, following, language)
