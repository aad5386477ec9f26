"""Which district (街道/镇) and city a report is about.

The gazetteer lists each city's districts by their full names; reports also name a few
districts by a short form (东区), believed only where it cannot be part of a longer name.
A portal names its city in its own name (中国东莞政府门户网站).
"""

from __future__ import annotations

import re
from collections import Counter

MIN_ALIAS_MENTIONS = 2  # a district named only by its short form (东区) must be named this often

GAZETTEER = {
    "中山市": (
        "石岐街道", "东区街道", "西区街道", "南区街道", "五桂山街道", "中山港街道", "民众街道",
        "南朗街道", "小榄镇", "古镇镇", "横栏镇", "港口镇", "沙溪镇", "大涌镇", "黄圃镇", "南头镇",
        "东凤镇", "阜沙镇", "三角镇", "三乡镇", "板芙镇", "神湾镇", "坦洲镇", "东升镇", "民众镇",
        "南朗镇",
    ),
    "东莞市": (
        "莞城街道", "南城街道", "东城街道", "万江街道", "石碣镇", "石龙镇", "茶山镇", "石排镇",
        "企石镇", "横沥镇", "桥头镇", "谢岗镇", "东坑镇", "常平镇", "寮步镇", "樟木头镇", "大朗镇",
        "黄江镇", "清溪镇", "塘厦镇", "凤岗镇", "大岭山镇", "长安镇", "虎门镇", "厚街镇", "沙田镇",
        "道滘镇", "洪梅镇", "麻涌镇", "望牛墩镇", "中堂镇", "高埗镇",
    ),
}  # fmt: skip
# Short names the reports use for a district (中山's old 区), with what must not precede them.
DISTRICT_ALIASES = {"东区": "东区街道", "西区": "西区街道", "南区": "南区街道", "石岐区": "石岐街道"}
ALIAS_NOT_AFTER = "粤华江广山"  # 粤东区域, 华南区, 江西区… are not districts
PORTAL_CITIES = {"东莞": "东莞市", "中山": "中山市"}  # in a portal's name: 中国东莞政府门户网站
CITY_OF_DISTRICT = {unit: city for city, units in GAZETTEER.items() for unit in units}


def find_places(title: str, hints: tuple[str, ...], paragraphs: list[str]) -> tuple[str, str]:
    """(district, city) named by the title, else the labels, else most often in the body.

    Districts are given in full (南区街道); a district's city comes from the gazetteer,
    else the city is the portal's or the one the text names.
    """
    district = (
        district_named_in(title)
        or next(filter(None, map(district_named_in, hints)), "")
        or _most_named_district("\n".join(paragraphs))
    )
    city = CITY_OF_DISTRICT.get(district, "")
    if not city:
        city = next(filter(None, map(_portal_city, hints)), "") or _most_named_city(
            "\n".join((title, *paragraphs))
        )
    return district, city


def _district_pattern(unit: str) -> str:
    """The unit's full name, or a short one not after ALIAS_NOT_AFTER.

    The look-behind comes after the short name (东区(?<![粤…]东区)), not before it, so that
    the pattern starts with the characters the full and short names share: a regex that
    starts with plain characters is searched for fast.
    """
    short = [alias for alias, full in DISTRICT_ALIASES.items() if full == unit]
    names = [re.escape(unit)] + [f"{re.escape(a)}(?<![{ALIAS_NOT_AFTER}]{re.escape(a)})" for a in short]
    return "|".join(names)


DISTRICT_MENTION = {unit: re.compile(_district_pattern(unit)) for unit in CITY_OF_DISTRICT}
ALIASED_DISTRICTS = frozenset(DISTRICT_ALIASES.values())
UNIT_LENGTHS_BY_LAST_CHAR = {
    last: sorted({len(unit) for unit in CITY_OF_DISTRICT if unit.endswith(last)})
    for last in sorted({unit[-1] for unit in CITY_OF_DISTRICT})
}


def district_named_in(text: str) -> str:
    """The district a title or label names: the first full name in it, else a short one."""
    full = [unit for unit in CITY_OF_DISTRICT if unit in text]
    if full:
        return min(full, key=text.index)
    short = [full for alias, full in DISTRICT_ALIASES.items() if DISTRICT_MENTION[full].search(text)]
    return short[0] if short else ""


def _most_named_district(text: str) -> str:
    counts = Counter()
    named = _units_named(text)
    for unit, pattern in DISTRICT_MENTION.items():
        if unit in named:
            counts[unit] = len(pattern.findall(text))
        elif unit in ALIASED_DISTRICTS:  # named only by its short form, if at all
            mentions = len(pattern.findall(text))
            if mentions >= MIN_ALIAS_MENTIONS:
                counts[unit] = mentions
    return counts.most_common(1)[0][0] if counts else ""


def _units_named(text: str) -> set[str]:
    """The districts whose full name is in `text` (a whole body): {u for u in units if u in text},
    found by looking before each of the few characters a full name can end with."""
    named = set()
    for last, lengths in UNIT_LENGTHS_BY_LAST_CHAR.items():
        end = text.find(last) + 1
        while end:
            named.update(text[end - n : end] for n in lengths if n <= end)
            end = text.find(last, end) + 1
    return named & CITY_OF_DISTRICT.keys()


def _portal_city(text: str) -> str:
    return next((city for short, city in PORTAL_CITIES.items() if short in text), "")


def _most_named_city(text: str) -> str:
    counts = Counter({city: text.count(city) for city in GAZETTEER})
    city, count = counts.most_common(1)[0]
    return city if count else ""
