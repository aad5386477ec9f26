"""The spoken form of displayed text: what a Mandarin or Cantonese voice should say.

The display keeps the report's own text; speech gets a copy in which every number, date,
unit, symbol and Latin letter is written out in Chinese, so that the voice never reads
digits on its own (espeak-ng says "2023" as 二千二十三 and, in Cantonese, "10000" as
一百萬) and never switches to English.

`spoken_form` is a short list of steps. Numbers are the work of
reader.speech.spoken_numbers and Latin letters of reader.speech.spoken_letters, whose
docstrings give their rules. Decided here, each checked against `espeak-ng -q -x`:

- Quotation and title marks are dropped; brackets and dashes become a pause (，).
- Signs are said as a newsreader reads them aloud: ≥ 大于等于, ≤ 小于等于 (the sign's own
  words: 不少于 or 以上 would say something else, and 以上 needs the sentence turned
  round), ± 正负, ≈ 约等于, ~ 至, + 加, = 等于, × 乘, ÷ 除以, / 每; > and < are 大于 and
  小于 before a number (reader.speech.spoken_numbers) and a pause elsewhere (首页 > 政务).
- Text goes last through the voice's own conversion (reader.speech.voices): Cantonese is
  converted to Hong Kong traditional characters (OpenCC s2hk).
"""

import re
from functools import cache

import opencc

from reader.speech import spoken_letters, spoken_numbers
from reader.speech.voices import VOICE_BY_CODE, VOICES

FULL_WIDTH = str.maketrans(
    "０１２３４５６７８９₀₁₂₃₄₅₆₇₈₉"
    "ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ"
    "ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ"
    "％＋．～－／：＝＞＜−",
    "01234567890123456789"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "abcdefghijklmnopqrstuvwxyz"
    "%+.~-/:=><-",
)

DROPPED_MARKS = re.compile(r"[“”‘’「」『』《》〈〉\"']")
PAUSE_MARKS = re.compile(r"[()（）【】〔〕\[\]［］]")
DASH = re.compile(r"[—–-]+")

SYMBOL_WORDS = {
    "+": "加", "=": "等于", "&": "和", "@": "艾特", "#": "号", "~": "至", "/": "每", "×": "乘",
    "÷": "除以", ">": "，", "<": "，", "≥": "大于等于", "≧": "大于等于", "⩾": "大于等于",
    "≤": "小于等于", "≦": "小于等于", "⩽": "小于等于", "±": "正负", "≈": "约等于",
    "≠": "不等于", "*": "", "\\": "", "|": "，", "%": "", "‰": "",
    # a unit sign with no number before it (二十五至三十℃ after a Chinese number)
    "℃": "摄氏度", "㎡": "平方米", "㎥": "立方米", "㎞": "公里", "㎏": "千克", "²": "", "³": "",
}
ASCII_PUNCTUATION = str.maketrans({",": "，", ";": "；", ":": "：", "∶": "：", "!": "！",
                                   "?": "？", ".": "。", "·": "", "•": "", "_": "，"})
PAUSE = "，"
REPEATED_PAUSE = re.compile(r"\s*，(?:\s*，)+\s*")
PAUSE_BEFORE_MARK = re.compile(r"，+(?=[。！？；：、，…])|(?<=[。！？；：、…])，+")
SPACES = re.compile(r"\s+")
SPACE_BY_LETTER = re.compile(r"(?<![A-Za-z]) | (?![A-Za-z])")
SPACE_BETWEEN_WORDS = re.compile(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])")


def spoken_form(text: str, voice: str = "cmn") -> str:
    """Return what the voice should say for `text`, the sentence as displayed.

    `voice` is "cmn" (普通话) or "yue" (粤语). The result holds no ASCII digits and nothing
    that makes espeak-ng change language; only Mandarin keeps Latin letters, spaced apart.
    """
    if voice not in VOICES:
        raise ValueError(f"unknown voice {voice!r}; expected one of {VOICES}")
    text = text.translate(FULL_WIDTH)
    text = spoken_letters.latin_words(text, voice)
    text = spoken_numbers.codes(text, voice)
    text = DROPPED_MARKS.sub("", text)
    text = PAUSE_MARKS.sub(PAUSE, text)
    text = spoken_numbers.dates_and_times(text)
    text = spoken_numbers.identifiers(text, voice)
    text = spoken_numbers.quantities(text)
    text = spoken_letters.letters(text, voice)
    text = _symbols(text)
    return _converted(text, VOICE_BY_CODE[voice].text_conversion)


def _symbols(text: str) -> str:
    """Say the symbols that have a word, turn ASCII punctuation into Chinese, tidy pauses."""
    text = DASH.sub(PAUSE, text)
    text = "".join(SYMBOL_WORDS.get(c, c) for c in text)
    text = text.translate(ASCII_PUNCTUATION)
    text = REPEATED_PAUSE.sub(PAUSE, text)
    text = PAUSE_BEFORE_MARK.sub("", text)
    text = SPACES.sub(" ", text).strip()
    text = SPACE_BETWEEN_WORDS.sub(PAUSE, text)
    text = SPACE_BY_LETTER.sub("", text)
    return text.strip(PAUSE + " ")


@cache
def _converter(conversion: str) -> opencc.OpenCC:
    return opencc.OpenCC(conversion)


def _converted(text: str, conversion: str | None) -> str:
    """`text` through the OpenCC `conversion` a voice asks for, if any."""
    return _converter(conversion).convert(text) if conversion else text
