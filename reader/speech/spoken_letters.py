"""Latin letters as Chinese listeners say them, in each voice.

Rules, each checked against `espeak-ng -q -x` in both voices:

- Abbreviations are read letter by letter, as Chinese speakers say GDP, CPI, APP, AI, 5G
  and PM2.5. The Mandarin voice (cmn-latn-pinyin) has its own Chinese letter names when
  letters stand apart, so Mandarin gets "G D P" (run together, "ABC" makes it switch to
  English). The Cantonese voice switches to English for any Latin letter, so Cantonese
  gets Hong Kong letter names written in characters (GDP → 之啲披); they are
  approximations chosen by ear from espeak's readings.
- A few words are said as words, not letters (`latin_words`, before the numbers, so that
  the 2 of CO2 is not read as a number): Wi-Fi is "wai fai" (Mandarin has no character for
  fai, so it gets pinyin with tone marks, wāi fāi, which its voice reads as Chinese; without
  the marks it says them in a flat neutral tone; Cantonese has 威輝); O2O and B2B are read
  with "to" (O兔O, 澳吐澳); the pollutants of air-quality reports by their Chinese names
  (CO2 二氧化碳, SO2 二氧化硫, NO2 二氧化氮, NOx 氮氧化物, O3 臭氧), as the news says them.
"""

import re

LATIN_RUN = re.compile(r"[A-Za-z]+")
TONE_MARKS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
MANDARIN_RUN = re.compile(rf"[A-Za-z{TONE_MARKS}]+")
YUE_LETTER_NAMES = {
    "A": "誒", "B": "啤", "C": "思", "D": "啲", "E": "衣", "F": "厄夫", "G": "之",
    "H": "誒取", "I": "哎", "J": "遮", "K": "騎", "L": "厄佬", "M": "厄姆", "N": "恩",
    "O": "澳", "P": "披", "Q": "翹", "R": "阿佬", "S": "厄士", "T": "梯", "U": "妖",
    "V": "威", "W": "打布柳", "X": "益士", "Y": "歪", "Z": "責",
}
OUTSIDE_LATIN = r"(?<![A-Za-z0-9]){}(?![A-Za-z0-9])"
POLLUTANTS = {"CO2": "二氧化碳", "SO2": "二氧化硫", "NO2": "二氧化氮", "NOx": "氮氧化物",
              "NOX": "氮氧化物", "O3": "臭氧"}
POLLUTANT = re.compile(OUTSIDE_LATIN.format("(" + "|".join(POLLUTANTS) + ")"))
WORDS = {"wifi": {"cmn": "wāi fāi", "yue": "威輝"}}
WORD = re.compile(OUTSIDE_LATIN.format(r"([Ww][Ii]-?[Ff][Ii])"))
TO = {"cmn": "兔", "yue": "吐"}
LETTER_TO_LETTER = re.compile(OUTSIDE_LATIN.format(r"([A-Z])2([A-Z])"))


def latin_words(text: str, voice: str) -> str:
    """Latin words said as words, before numbers are read: Wi-Fi, O2O, CO2."""
    text = POLLUTANT.sub(lambda m: POLLUTANTS[m.group(1)], text)
    text = WORD.sub(lambda m: WORDS[m.group(1).lower().replace("-", "")][voice], text)
    return LETTER_TO_LETTER.sub(lambda m: m.group(1) + TO[voice] + m.group(2), text)


def letters(text: str, voice: str) -> str:
    """The Latin letters left, one by one: spaced for Mandarin, named in characters for Cantonese."""
    if voice == "yue":
        return LATIN_RUN.sub(
            lambda m: "".join(YUE_LETTER_NAMES[c.upper()] for c in m.group(0)), text
        )
    return MANDARIN_RUN.sub(
        lambda m: m.group(0) if _is_pinyin(m.group(0)) else " ".join(m.group(0)), text
    )


def _is_pinyin(run: str) -> bool:
    """A syllable this module wrote in pinyin (wāi), not letters to spell."""
    return any(mark in run for mark in TONE_MARKS)
