"""The spoken form of displayed text: what a Mandarin or Cantonese voice should say.

The display keeps the report's own text; speech gets a copy in which every number, date,
unit, symbol and Latin letter is written out in Chinese, so that the voice never reads
digits on its own (espeak-ng says "2023" as 二千二十三 and, in Cantonese, "10000" as
一百萬) and never switches to English.

Rules decided here, each checked against `espeak-ng -q -x`:

- A four-digit number before 年 is a year and is read digit by digit (二零二三年), also
  when 年 follows after a range (2023-2025年). ISO dates become 年月日.
- A number standing alone inside quotation marks (“1310”, “1388”, “12345”, “55N”) is a
  code or slogan and is read digit by digit with 一. Quoted sums (“1+1+9”, “5+2”) are read
  as numbers joined by 加.
- Digit strings of seven or more digits, or starting with 0, are identifiers (record
  numbers, phone numbers) and are read digit by digit; Mandarin says 1 as 幺 there.
- 2 before a measure word, and a leading 2 before 千/万/亿, is 两 (兩 in Cantonese):
  两个, 两千四百, but 第二, 二月, 二点四万.
- Latin letters are read letter by letter. The Mandarin voice (cmn-latn-pinyin) has its own
  Chinese letter names when letters stand apart, so Mandarin gets "C B D". The Cantonese
  voice switches to English for any Latin letter, so Cantonese gets Hong Kong letter names
  written in characters (思啤啲); they are approximations chosen by ear from espeak's
  readings. A Roman numeral before 类 (劣V类 water) is a number: 劣五类.
- Quotation and title marks are dropped; brackets and dashes become a pause (，).
- Text goes last through the voice's own conversion (reader.speech.voices): Cantonese is
  converted to Hong Kong traditional characters (OpenCC s2hk).
"""

import re
from functools import cache

import cn2an
import opencc

from reader.speech.voices import VOICE_BY_CODE, VOICES

FULL_WIDTH = str.maketrans(
    "０１２３４５６７８９"
    "ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ"
    "ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ"
    "％＋．～－／：＝",
    "0123456789"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "abcdefghijklmnopqrstuvwxyz"
    "%+.~-/:=",
)

DIGIT_NAMES = dict(zip("0123456789", "零一二三四五六七八九", strict=True))
IDENTIFIER_ONE = {"cmn": "幺", "yue": "一"}

QUOTED_CODE = re.compile(r"[“‘「『\"']([0-9]+[A-Za-z]*)[”’」』\"']")
DROPPED_MARKS = re.compile(r"[“”‘’「」『』《》〈〉\"']")
PAUSE_MARKS = re.compile(r"[()（）【】〔〕\[\]［］]")
DASH = re.compile(r"[—–-]+")

ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
CLOCK_TIME = re.compile(r"(?<!\d)(\d{1,2}):(\d{2})(?::(\d{2}))?(?!\d)")
YEAR_RANGE = re.compile(r"(?<![\d.])(\d{4})\s*([-~—–]+|至|到)\s*(\d{4})(?=\s*年)")
YEAR = re.compile(r"(?<![\d.])(\d{4})(?=\s*(?:年|[-~—–至到]+\s*\d{4}年))")
IDENTIFIER = re.compile(r"(?<![\d.])(?:0\d+(?![\d.月日号时点分秒])|\d{7,}(?![\d.]))")
SUM = re.compile(r"(?<![\d.])(?:\d+|[A-Za-z])(?:\+(?:\d+|[A-Za-z]))+(?![\d.])")
THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
FRACTION = re.compile(r"(?<![\d.])(\d+)/(\d+)(?![\d.])")
RANGE = re.compile(r"(?<=\d)(%?)\s*[-~—–]+\s*(?=\d)")
RANGE_WORD = "至"
LIST_NUMBER = re.compile(r"(?<![\d.])(\d{1,2})[.、](?=[^\d\s])")
ROMAN_CLASS = re.compile(r"(?<![A-Za-z])(IV|IX|V?I{1,3}|V|X)(?=类)")

UNITS = {
    "km²": "平方公里", "km2": "平方公里", "m²": "平方米", "m2": "平方米", "㎡": "平方米",
    "km": "公里", "㎞": "公里", "cm": "厘米", "mm": "毫米", "m": "米",
    "kg": "千克", "㎏": "千克", "kWh": "千瓦时", "kW": "千瓦", "MW": "兆瓦",
    "℃": "摄氏度", "°C": "摄氏度",
}
PERCENT_SIGNS = {"%": "百分之", "‰": "千分之"}
NUMBER = re.compile(
    r"(第)?(\d+(?:\.\d+)?)(?:("
    + "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
    + r")(?![A-Za-z])|(%|‰))?"
)
LIANG_MEASURES = re.compile(
    r"(?:个|名|家|条|所|项|次|人|位|处|件|间|种|类|批|座|场|轮|支|台|辆|栋|套|本|块|天|周|"
    r"年(?!级)|小时|公里|千米|米|亩|万|千|亿|倍|份|部|起|宗|户|张|片|期|届|只|对|双|层|成)"
)
LIANG_LEAD = re.compile(r"^二(?=[千万亿])")

UNICODE_ROMAN = {
    "Ⅰ": "一", "Ⅱ": "二", "Ⅲ": "三", "Ⅳ": "四", "Ⅴ": "五", "Ⅵ": "六",
    "Ⅶ": "七", "Ⅷ": "八", "Ⅸ": "九", "Ⅹ": "十", "Ⅺ": "十一", "Ⅻ": "十二",
}
ROMAN_VALUES = {"I": "一", "II": "二", "III": "三", "IV": "四", "V": "五",
                "VI": "六", "VII": "七", "VIII": "八", "IX": "九", "X": "十"}

LATIN_RUN = re.compile(r"[A-Za-z]+")
YUE_LETTER_NAMES = {
    "A": "誒", "B": "啤", "C": "思", "D": "啲", "E": "衣", "F": "厄夫", "G": "之",
    "H": "誒取", "I": "哎", "J": "遮", "K": "騎", "L": "厄佬", "M": "厄姆", "N": "恩",
    "O": "澳", "P": "披", "Q": "翹", "R": "阿佬", "S": "厄士", "T": "梯", "U": "妖",
    "V": "威", "W": "打布柳", "X": "益士", "Y": "歪", "Z": "責",
}

SYMBOL_WORDS = {
    "+": "加", "=": "等于", "&": "和", "@": "艾特", "#": "号", "~": "至", "/": "每", "×": "乘",
    "*": "", "\\": "", "|": "，", "%": "", "‰": "",
}
CIRCLED_NUMBERS = dict(zip("①②③④⑤⑥⑦⑧⑨⑩", "一二三四五六七八九十", strict=True))
ASCII_PUNCTUATION = str.maketrans({",": "，", ";": "；", ":": "：", "!": "！", "?": "？",
                                   ".": "。", "·": "", "•": "", "_": "，"})
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
    text = QUOTED_CODE.sub(lambda m: _digits(m.group(1)), text)
    text = DROPPED_MARKS.sub("", text)
    text = PAUSE_MARKS.sub(PAUSE, text)
    text = ISO_DATE.sub(_iso_date, text)
    text = CLOCK_TIME.sub(_clock_time, text)
    text = YEAR_RANGE.sub(_year_range, text)
    text = YEAR.sub(lambda m: _digits(m.group(1)), text)
    text = THOUSANDS.sub("", text)
    text = IDENTIFIER.sub(lambda m: _digits(m.group(0), one=IDENTIFIER_ONE[voice]), text)
    text = SUM.sub(_sum, text)
    text = FRACTION.sub(lambda m: f"{_integer(m.group(2))}分之{_integer(m.group(1))}", text)
    text = RANGE.sub(lambda m: m.group(1) + RANGE_WORD, text)
    text = LIST_NUMBER.sub(lambda m: _integer(m.group(1)) + "、", text)
    text = NUMBER.sub(_number, text)
    text = _roman_numerals(text)
    text = _letters(text, voice)
    text = _symbols(text)
    return _converted(text, VOICE_BY_CODE[voice].text_conversion)


def _digits(number: str, one: str = "一") -> str:
    """Read a string of digits one by one; letters after them are left for `_letters`."""
    return "".join(one if d == "1" else DIGIT_NAMES.get(d, d) for d in number)


def _integer(number: str) -> str:
    return cn2an.an2cn(str(int(number)))


def _iso_date(match: re.Match) -> str:
    year, month, day = match.groups()
    return f"{_digits(year)}年{_integer(month)}月{_integer(day)}日"


def _year_range(match: re.Match) -> str:
    first, separator, last = match.groups()
    word = separator if separator in ("至", "到") else RANGE_WORD
    return f"{_digits(first)}{word}{_digits(last)}"


def _clock_time(match: re.Match) -> str:
    """Read 10:36:53 as 十点三十六分五十三秒 and 9:05 as 九点零五分."""
    hour, minute, second = match.groups()
    spoken = f"{'两' if int(hour) == 2 else _integer(hour)}点"
    if minute != "00" or second is not None:
        spoken += f"{'零' if minute.startswith('0') else ''}{_integer(minute)}分"
    if second is not None:
        spoken += f"{'零' if second.startswith('0') else ''}{_integer(second)}秒"
    return spoken


def _sum(match: re.Match) -> str:
    """Read “1+1+9” as 一加一加九; a letter operand (the N of 2+10+N) stays a letter."""
    return "加".join(
        _integer(term) if term.isdigit() else term for term in match.group(0).split("+")
    )


def _number(match: re.Match) -> str:
    ordinal, number, unit, percent = match.groups()
    if ordinal:
        return "第" + cn2an.an2cn(number)
    if "." in number:
        spoken = cn2an.an2cn(number)
    else:
        spoken = LIANG_LEAD.sub("两", _integer(number))
        following = UNITS[unit] if unit else match.string[match.end():]
        if spoken == "二" and not percent and LIANG_MEASURES.match(following):
            spoken = "两"
    if percent:
        return PERCENT_SIGNS[percent] + spoken
    return spoken + UNITS.get(unit, "")


def _roman_numerals(text: str) -> str:
    """Read 劣V类 as 劣五类, Ⅲ as 三, and a circled list number ① as 一、."""
    text = ROMAN_CLASS.sub(lambda m: ROMAN_VALUES[m.group(1)], text)
    text = "".join(UNICODE_ROMAN.get(c, c) for c in text)
    return "".join(CIRCLED_NUMBERS[c] + "、" if c in CIRCLED_NUMBERS else c for c in text)


def _letters(text: str, voice: str) -> str:
    if voice == "yue":
        return LATIN_RUN.sub(
            lambda m: "".join(YUE_LETTER_NAMES[c.upper()] for c in m.group(0)), text
        )
    return LATIN_RUN.sub(lambda m: " ".join(m.group(0)), text)


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
