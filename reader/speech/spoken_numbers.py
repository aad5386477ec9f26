"""Numbers as a newsreader says them: codes, dates and times, then quantities.

`spoken_form` (reader.speech.spoken) calls the three steps in order, each on text whose
digits are still ASCII; what one step has written out in Chinese the next cannot misread.
Rules, each checked against `espeak-ng -q -x` in both voices:

Codes (`codes`, before brackets and quotation marks are dropped):
- A document number's year is read digit by digit and its serial as a number, with a pause
  where the brackets were: 中发〔2023〕1号 → 中发二零二三，一号; （2023）3号 → 二零二三，三号.
- An event named by its date, “7·20”, is read digit by digit with 一: 七二零.
- A generation, 80后 or 00后, is read digit by digit: 八零后.
- No.1 (and №1) is 第一号.

Dates and times (`dates_and_times`):
- A four-digit number before 年 is a year, read digit by digit (二零二三年), also when 年
  follows after a range (2023-2025年). 2024-02-09, 2023/12/31 and 2023.12.31 become 年月日.
- A dash between dates or times is 至: 1月1日—3月31日, 10:00—12:00 → 十点至十二点.
- 1∶1000 is a ratio (一比一千); so is 1:1, and 1:50 near 比 (师生比为1:15, 1:50比例尺).
  Other colons between digits are a clock: 9:05 → 九点零五分.

Identifiers (`identifiers`): digits that name rather than count are read one by one, and
Mandarin then says 1 as 幺 (Cantonese keeps 一):
- a hotline or emergency number before the word that says so (12345热线, 120急救,
  110报警) or after 拨打/电话 (拨打12315), but not 110千伏 or 电话3000余个;
- a phone number, grouped as it is said: 0760-88888888 → 零七六零，八八八八，八八八八, a
  mobile 3-4-4, 400 numbers 3-3-4;
- a code after its label (邮编528400, 索引号, 编号, 代码 …);
- any other run of seven or more digits, or one starting with 0.

Quantities (`quantities`):
- 第1、2项 is a list of ordinals (第一、二项), never 两; 第1-3 is 第一至三.
- 2 before a measure word, and a leading 2 before 千/万/亿, is 两 (兩 in Cantonese).
- > and < are 大于 and 小于 before a number (elsewhere, as in 首页 > 政务公开, a pause).
- A minus sign before a number is 负, and before a temperature 零下: -5℃ → 零下五摄氏度,
  -5~-2℃ → 零下五至零下二摄氏度.
- 1/3 is 三分之一; a dash or tilde between numbers is 至; % and ‰ go before the number
  (百分之, 千分之); units after a number, or after its 万/亿, are words (㎡ 平方米, m³
  立方米, ℃ 摄氏度, kV 千伏).
- Roman numerals before 类/级/期/型 are numbers (劣V类 → 劣五类; II型 → 二型), and so are
  Ⅰ-Ⅻ anywhere; circled and bracketed list numbers (①, ⑴, ⒈) are 一、.
"""

import re

import cn2an

DIGIT_NAMES = dict(zip("0123456789", "零一二三四五六七八九", strict=True))
IDENTIFIER_ONE = {"cmn": "幺", "yue": "一"}

# A quantity follows: what comes after a number that counts rather than names.
QUANTITY_AFTER = r"(?:\s*(?:[余多万亿千百个件次宗通条人名户家元位项场%.]|千伏|平方|公里|米))"

# --- codes ---
QUOTED_CODE = re.compile(r"[“‘「『\"']([0-9]+[A-Za-z]*)[”’」』\"']")
DOCUMENT_YEAR = re.compile(
    r"(?:[〔［\[【]\s*((?:19|20)\d{2})\s*[〕］\]】]"
    r"|[（(]\s*((?:19|20)\d{2})\s*[）)](?=[\u4e00-\u9fff\d\s]{1,16}号))\s*"
)
EVENT_DATE = re.compile(r"(?<![\d.])(\d{1,2})[·•‧・∙](\d{1,2})(?![\d.])")
GENERATION = re.compile(r"(?<![\d.])(\d[05])(?=后)")
NUMBER_SIGN = re.compile(r"(?<![A-Za-z])(?:N[Oo]\.|№)\s*(\d+)(?![\d.])")

# --- dates and times ---
ISO_DATE = re.compile(r"(?<![\d.])(\d{4})-(\d{1,2})-(\d{1,2})(?![\d.])")
WRITTEN_DATE = re.compile(r"(?<![\d./])((?:19|20)\d{2})([/.])(\d{1,2})\2(\d{1,2})(?![\d./])")
RANGE_AFTER_DATE = re.compile(r"(?<=[年月日时])\s*[-~—–～]+\s*(?=\d)")
RANGE_BETWEEN_TIMES = re.compile(r"(?<=\d:\d\d)\s*[-~—–～]+\s*(?=\d{1,2}:\d\d)")
RATIO = re.compile(r"(?<![\d.:∶])(\d+(?:\.\d+)?)\s*([:∶])\s*(\d+(?:\.\d+)?)(?![\d.:∶])")
RATIO_WORDS = re.compile("比")
CLOCK_TIME = re.compile(r"(?<!\d)(\d{1,2}):(\d{2})(?::(\d{2}))?(?!\d)")
YEAR_RANGE = re.compile(r"(?<![\d.])(\d{4})\s*([-~—–]+|至|到)\s*(\d{4})(?=\s*年)")
YEAR = re.compile(r"(?<![\d.])(\d{4})(?=\s*(?:年|[-~—–至到]+\s*\d{4}年))")

# --- identifiers ---
HOTLINE_WORDS = (
    "热线|急救|报警|接警|接处警|警情|投诉|举报|平台|工单|服务|便民|政务|专线|指挥|"
    "来电|话务|消防|求助|呼叫|反诈|咨询|电话"
)
HOTLINE = re.compile(
    rf"(?<![\d.])[19]\d{{2,5}}(?:\s*[、/和或及]\s*[19]\d{{2,5}})*(?![\d.])(?=\s*(?:{HOTLINE_WORDS}))"
)
DIALLED = re.compile(
    r"(拨打|致电|拨通|呼叫|热线|电话|手机|传真|求助|联系方式|Tel|TEL)"
    r"([为是:：\s]*)(\d[\d-]*\d(?:\s*[、/或和及]\s*\d[\d-]*\d)*)"
    rf"(?![\d]|{QUANTITY_AFTER})"
)
PHONE = re.compile(r"(?<![\d.])(?:0\d{2,3}-\d{7,8}|1[3-9]\d{9}|[48]00-?\d{3}-?\d{4})(?![\d.])")
LABELLED_CODE = re.compile(
    r"(邮编|邮政编码|代码|编码|编号|索引号|证号|账号|识别码|标识码|登记号)"
    r"([为是:：\s]*)([0-9A-Za-z][0-9A-Za-z/-]{2,})"
)
IDENTIFIER = re.compile(r"(?<![\d.])(?<!\d,)(?:0\d+(?![\d.月日号时点分秒])|\d{7,}(?![\d.]))")

# --- quantities ---
SUM = re.compile(r"(?<![\d.])(?:\d+|[A-Za-z])(?:\+(?:\d+|[A-Za-z]))+(?![\d.])")
THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
ORDINAL_LIST = re.compile(r"第(\d+)((?:\s*[、,，和及与至到~\-—–]\s*\d+)+)(?![\d.])")
COMPARISON = re.compile(r"[<>](?=\s*[-−]?\d)")
COMPARISON_WORDS = {"<": "小于", ">": "大于"}
NEGATIVE = re.compile(r"(?<![\dA-Za-z)）\]】〕号年月日时点分秒%])[-−](?=\d)")
FRACTION = re.compile(r"(?<![\d.])(\d+)/(\d+)(?![\d.])")
RANGE = re.compile(r"(?<=\d)(%?)\s*[-~—–]+\s*(?=\d)")
RANGE_WORD = "至"
LIST_NUMBER = re.compile(r"(?<![\d.])(\d{1,2})[.、](?=[^\d\s])")
UNITS = {
    "km²": "平方公里", "km2": "平方公里", "m²": "平方米", "m2": "平方米", "㎡": "平方米",
    "m³": "立方米", "m3": "立方米", "㎥": "立方米", "μg/m³": "微克每立方米",
    "μg/m3": "微克每立方米", "mg/m³": "毫克每立方米", "mg/L": "毫克每升",
    "km/h": "公里每小时", "m/s": "米每秒",
    "km": "公里", "㎞": "公里", "cm": "厘米", "mm": "毫米", "m": "米",
    "kg": "千克", "㎏": "千克", "kWh": "千瓦时", "kW": "千瓦", "MW": "兆瓦",
    "kV": "千伏", "dB": "分贝", "ha": "公顷", "L": "升", "t": "吨",
    "℃": "摄氏度", "°C": "摄氏度", "°": "度",
}
PERCENT_SIGNS = {"%": "百分之", "‰": "千分之"}
NUMBER = re.compile(
    r"(第)?(\d+(?:\.\d+)?)([万亿]?)(?:("
    + "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
    + r")(?![A-Za-z])|(%|‰))?"
)
LIANG_MEASURES = re.compile(
    r"(?:个|名|家|条|所|项|次|人|位|处|件|间|种|类|批|座|场|轮|支|台|辆|栋|套|本|块|天|周|"
    r"年(?!级)|小时|时(?![间期代候])|点(?!\d)|岁|元|吨|公里|千米|米|亩|万|千|亿|倍|份|部|"
    r"起|宗|户|张|片|期|届|只|对|双|层|成)"
)
LIANG_LEAD = re.compile(r"^二(?=[千万亿])")
TEMPERATURE_AHEAD = re.compile(r"[\d.]+(?:\s*[~至到—–-]\s*[-−]?[\d.]+)?\s*(?:℃|°C)")

ROMAN_VALUES = {"I": "一", "II": "二", "III": "三", "IV": "四", "V": "五",
                "VI": "六", "VII": "七", "VIII": "八", "IX": "九", "X": "十"}
ROMAN_BEFORE_WORD = re.compile(r"(?<![A-Za-z])(IV|IX|VI{0,3}|I{1,3}|X)(?=[类级期型])")
UNICODE_ROMAN = dict(zip("ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩⅪⅫⅰⅱⅲⅳⅴⅵⅶⅷⅸⅹ", [
    "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二",
    "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"], strict=True))
LIST_NUMERALS = {
    **dict(zip("①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳", range(1, 21), strict=True)),
    **dict(zip("⑴⑵⑶⑷⑸⑹⑺⑻⑼⑽⑾⑿⒀⒁⒂⒃⒄⒅⒆⒇", range(1, 21), strict=True)),
    **dict(zip("⒈⒉⒊⒋⒌⒍⒎⒏⒐⒑⒒⒓⒔⒕⒖⒗⒘⒙⒚⒛", range(1, 21), strict=True)),
    **dict(zip("❶❷❸❹❺❻❼❽❾❿", range(1, 11), strict=True)),
}


def digits(number: str, one: str = "一") -> str:
    """Read a string of digits one by one; anything else in it is left as it is."""
    return "".join(one if d == "1" else DIGIT_NAMES.get(d, d) for d in number)


def integer(number: str) -> str:
    return cn2an.an2cn(str(int(number)))


def codes(text: str, voice: str) -> str:
    """Numbers that the brackets, quotation marks and dots around them say are codes."""
    text = QUOTED_CODE.sub(lambda m: _quoted_code(m, voice), text)
    text = DOCUMENT_YEAR.sub(lambda m: digits(m.group(1) or m.group(2)) + "，", text)
    text = EVENT_DATE.sub(lambda m: digits(m.group(1) + m.group(2)), text)
    text = GENERATION.sub(lambda m: digits(m.group(1)), text)
    return NUMBER_SIGN.sub(lambda m: f"第{integer(m.group(1))}号", text)


def dates_and_times(text: str) -> str:
    text = ISO_DATE.sub(_date, text)
    text = WRITTEN_DATE.sub(_date, text)
    text = RANGE_AFTER_DATE.sub(RANGE_WORD, text)
    text = RANGE_BETWEEN_TIMES.sub(RANGE_WORD, text)
    text = RATIO.sub(_ratio, text)
    text = CLOCK_TIME.sub(_clock_time, text)
    text = YEAR_RANGE.sub(_year_range, text)
    return YEAR.sub(lambda m: digits(m.group(1)), text)


def identifiers(text: str, voice: str) -> str:
    one = IDENTIFIER_ONE[voice]
    text = HOTLINE.sub(lambda m: _digit_runs(m.group(0), one), text)
    text = DIALLED.sub(lambda m: m.group(1) + m.group(2) + _digit_runs(m.group(3), one), text)
    text = PHONE.sub(lambda m: _phone(m.group(0), one), text)
    text = LABELLED_CODE.sub(
        lambda m: m.group(1) + m.group(2) + re.sub("[/-]", "，", digits(m.group(3), one)), text
    )
    return IDENTIFIER.sub(lambda m: digits(m.group(0), one), text)


def quantities(text: str) -> str:
    text = THOUSANDS.sub("", text)
    text = SUM.sub(_sum, text)
    text = ORDINAL_LIST.sub(_ordinal_list, text)
    text = COMPARISON.sub(lambda m: COMPARISON_WORDS[m.group(0)], text)
    text = NEGATIVE.sub(_negative, text)
    text = FRACTION.sub(lambda m: f"{integer(m.group(2))}分之{integer(m.group(1))}", text)
    text = RANGE.sub(lambda m: m.group(1) + RANGE_WORD, text)
    text = LIST_NUMBER.sub(lambda m: integer(m.group(1)) + "、", text)
    text = NUMBER.sub(_number, text)
    return _numerals(text)


def _quoted_code(match: re.Match, voice: str) -> str:
    """“1310” is a slogan, read with 一; “12345”热线 is a hotline, read as one."""
    hotline = re.match(rf"\s*(?:{HOTLINE_WORDS})", match.string[match.end():])
    return digits(match.group(1), IDENTIFIER_ONE[voice] if hotline else "一")


def _digit_runs(text: str, one: str) -> str:
    return re.sub(r"\d+(?:-\d+)*", lambda m: _phone(m.group(0), one), text)


def _phone(number: str, one: str) -> str:
    """A phone number in the groups it is said in, a pause between them."""
    groups = []
    for part in number.split("-"):
        if len(part) == 11 and part.startswith("1"):
            groups += [part[:3], part[3:7], part[7:]]
        elif len(part) == 10 and part[:3] in ("400", "800"):
            groups += [part[:3], part[3:6], part[6:]]
        elif len(part) in (7, 8):
            groups += [part[:-4], part[-4:]]
        else:
            groups.append(part)
    return "，".join(digits(group, one) for group in groups)


def _date(match: re.Match) -> str:
    year, month, day = match.group(1), match.groups()[-2], match.groups()[-1]
    if not (1 <= int(month) <= 12 and 1 <= int(day) <= 31):
        return match.group(0)
    return f"{digits(year)}年{integer(month)}月{integer(day)}日"


def _amount(number: str) -> str:
    return cn2an.an2cn(number) if "." in number else integer(number)


def _ratio(match: re.Match) -> str:
    """1∶1000 and 1:1 are ratios; 10:30 is a clock unless 比 stands next to it."""
    first, colon, second = match.groups()
    text, start, end = match.string, match.start(), match.end()
    near = text[max(0, start - 4):start] + text[end:end + 3]
    clock = colon == ":" and re.fullmatch(r"\d{1,2}", first) and re.fullmatch(r"\d\d", second)
    if clock and not RATIO_WORDS.search(near):
        return match.group(0)
    return f"{_amount(first)}比{_amount(second)}"


def _year_range(match: re.Match) -> str:
    first, separator, last = match.groups()
    word = separator if separator in ("至", "到") else RANGE_WORD
    return f"{digits(first)}{word}{digits(last)}"


def _clock_time(match: re.Match) -> str:
    """Read 10:36:53 as 十点三十六分五十三秒 and 9:05 as 九点零五分."""
    hour, minute, second = match.groups()
    spoken = f"{'两' if int(hour) == 2 else integer(hour)}点"
    if minute != "00" or second is not None:
        spoken += f"{'零' if minute.startswith('0') else ''}{integer(minute)}分"
    if second is not None:
        spoken += f"{'零' if second.startswith('0') else ''}{integer(second)}秒"
    return spoken


def _sum(match: re.Match) -> str:
    """Read “1+1+9” as 一加一加九; a letter operand (the N of 2+10+N) stays a letter."""
    return "加".join(
        integer(term) if term.isdigit() else term for term in match.group(0).split("+")
    )


def _ordinal_list(match: re.Match) -> str:
    """第1、2项 → 第一、二项: every number of the list is an ordinal, and a dash is 至."""
    rest = re.sub(r"\s*[~\-—–]\s*", RANGE_WORD, match.group(2))
    return "第" + integer(match.group(1)) + re.sub(r"\d+", lambda m: integer(m.group(0)), rest)


def _negative(match: re.Match) -> str:
    """-5℃ and -5~-2℃ are 零下 (the news's word for a temperature), -3.2% is 负."""
    return "零下" if TEMPERATURE_AHEAD.match(match.string, match.end()) else "负"


def _number(match: re.Match) -> str:
    ordinal, number, magnitude, unit, percent = match.groups()
    if ordinal:
        return "第" + cn2an.an2cn(number) + magnitude
    if "." in number:
        spoken = cn2an.an2cn(number)
    else:
        spoken = LIANG_LEAD.sub("两", integer(number))
        following = magnitude or (UNITS[unit] if unit else match.string[match.end():])
        if spoken == "二" and not percent and LIANG_MEASURES.match(following):
            spoken = "两"
    if percent:
        return PERCENT_SIGNS[percent] + spoken + magnitude
    return spoken + magnitude + UNITS.get(unit, "")


def _numerals(text: str) -> str:
    """Read 劣V类 as 劣五类, Ⅲ as 三, and a list number ① or ⑴ as 一、."""
    text = ROMAN_BEFORE_WORD.sub(lambda m: ROMAN_VALUES[m.group(1)], text)
    text = "".join(UNICODE_ROMAN.get(c, c) for c in text)
    return "".join(
        integer(str(LIST_NUMERALS[c])) + "、" if c in LIST_NUMERALS else c for c in text
    )
