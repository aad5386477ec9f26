"""Dates as Chinese pages write them, read as calendar dates.

Portals write a publish date as 2024-01-05, 2024-1-5, 2024/01/05, 2024.01.05,
2024年1月5日 (with or without a time after it) and, on formal documents,
二〇二四年一月五日. `DATE` finds any of them inside a longer pattern (it has no groups of
its own, so it can be put in a named group); `iso_date` turns the first one in a text
into "2024-01-05".
"""

from __future__ import annotations

import re
from datetime import date as calendar_date

CN_DIGITS = "〇零○Ｏ一二三四五六七八九"
CN_DIGIT_VALUE = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "Ｏ": 0}
CN_MONTH = "(?:十[一二]?|[一二三四五六七八九])"
CN_DAY = "(?:[二三]?十[一二三四五六七八九]?|[一二三四五六七八九])"
ARABIC_DATE = r"\d{4}\s*[-年/.]\s*\d{1,2}\s*[-月/.]\s*\d{1,2}(?!\d)\s*日?"
CHINESE_DATE = f"[{CN_DIGITS}]{{4}}年{CN_MONTH}月{CN_DAY}日"
DATE = f"(?:{ARABIC_DATE}|{CHINESE_DATE})"
TIME = r"\d{1,2}[:：]\d{2}(?:[:：]\d{2})?"
DATE_AND_TIME = f"{DATE}(?:\\s*{TIME})?"
# A line that is a date and nothing else (a time may follow): the date under a title.
DATE_ONLY_LINE = re.compile(f"^{DATE_AND_TIME}$")

ARABIC_PARTS = re.compile(r"(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})(?!\d)")
CHINESE_PARTS = re.compile(f"([{CN_DIGITS}]{{4}})年({CN_MONTH})月({CN_DAY})日")


def iso_date(text: str | None) -> str | None:
    """The first date in `text` as "YYYY-MM-DD"; None if there is none or it is no real day.

    "2023/2/24 10:36" → "2023-02-24"; "二〇二四年一月五日" → "2024-01-05"; "2024-02-30" → None.
    """
    text = text or ""
    arabic, chinese = ARABIC_PARTS.search(text), CHINESE_PARTS.search(text)
    if chinese and (not arabic or chinese.start() < arabic.start()):
        year = int("".join(str(CN_DIGIT_VALUE[c]) for c in chinese[1]))
        parts = (year, _small_number(chinese[2]), _small_number(chinese[3]))
    elif arabic:
        parts = tuple(int(part) for part in arabic.groups())
    else:
        return None
    try:
        return calendar_date(*parts).isoformat()
    except ValueError:
        return None


def _small_number(numeral: str) -> int:
    """一 to 三十一 as written in a Chinese date."""
    tens, _, ones = numeral.rpartition("十")
    if "十" not in numeral:
        return CN_DIGIT_VALUE[numeral]
    return 10 * (CN_DIGIT_VALUE[tens] if tens else 1) + (CN_DIGIT_VALUE[ones] if ones else 0)
