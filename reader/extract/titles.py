"""A report's title made whole and clean, by the shapes titles take on portals.

- A generic title (政府工作报告, 工作报告, 工作总结 …) names neither the year nor the place;
  the subtitle line under it does (——2025年1月14日在广东省第十四届人民代表大会第三次会议上),
  so the title becomes "2025年广东省政府工作报告". The subtitle and the speaker's line
  (广东省省长 林志远) stay at the top of the body, shown beneath the title as printed.
- Markup a CMS escaped into a field (`<div>`, `&nbsp;`) is never part of a title.
- A portal's or column's name after a separator (`_ - | ——`) in <title> is dropped when
  it has the shape of a portal's name (…人民政府网, …门户网站) or the page shows it
  elsewhere on its own (a masthead, a footer's 主办单位), never when it is only there as
  part of the title itself.
"""

from __future__ import annotations

import html
import re

GENERIC_TITLE = re.compile(
    r"^(?:政府|人民政府|法院|人民法院|检察院|人民检察院|人大常委会|常委会|计划|财政)?"
    r"(?:工作报告|工作总结|工作计划|工作要点|报告)$"
)
# ——2025年1月14日在广东省第十四届人民代表大会第三次会议上, or the same in brackets.
SUBTITLE = re.compile(
    r"^(?:[—─－-]{1,2}|[（(])\s*(?P<year>(?:19|20)\d{2})\s*年[^在]{0,12}在"
    r"(?P<place>(?:[\u4e00-\u9fff]{1,8}?(?:省|自治区|市|区|县|镇|街道)(?:街道)?){1,3})"
    r"(?:第[一二三四五六七八九十]+届|[^，。]{0,20}?(?:会议|大会))"
    r".{0,30}?[上）)]?$"
)
# The speaker under a subtitle: 广东省省长 林志远, 中山市人民政府市长 肖立新.
SPEAKER = re.compile(
    r"^[\u4e00-\u9fff]{0,16}(?:省长|市长|区长|县长|镇长|主任|院长|检察长|书记|主席)\s*[\u4e00-\u9fff·]{2,4}$"
)
SCRIPT_ELEMENT = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
MARKUP_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
# Entities left after one round of unescaping (&amp;nbsp; was &nbsp; in the CMS field).
LEFT_ENTITY = re.compile(r"&(?:[A-Za-z]{2,8}|#\d{2,6}|#x[0-9A-Fa-f]{2,6});")
PORTAL_NAME = re.compile(
    r"(?:人民政府网|人民政府门户网站|门户网站|政府网站|政府网|门户网|政务网|政务服务网|网站)$"
)
TITLE_SEPARATOR = re.compile(r"\s+[-－–|｜]\s+|\s*(?:_|\||｜|——)\s*")
# A <title> ends with a few names at most (its column, channel, section and site): only
# this many are cut, so a hostile title of 10,000 separators costs a few passes, not 10,000.
MAX_SITE_NAME_CUTS = 6
BARE_DASH = re.compile(r"(?<=\S)[-－–](?=\S)")  # 工作总结-某某局: a separator only before a known site name


def clean_title(text: str) -> str:
    """A title without markup tags, entities or runs of spaces: `<div>X</div>&nbsp;` → "X"."""
    text = html.unescape(text or "")
    text = MARKUP_TAG.sub("", SCRIPT_ELEMENT.sub("", text))
    text = LEFT_ENTITY.sub(" ", html.unescape(text)).replace("\xa0", " ")
    return " ".join(text.split())


def is_portal_name(text: str) -> bool:
    """A name with the shape of a portal's: 中山市人民政府门户网站, 东莞市横沥镇人民政府网."""
    return bool(PORTAL_NAME.search(text))


def is_subtitle(line: str) -> bool:
    return SUBTITLE.match(line) is not None


def is_speaker(line: str) -> bool:
    return SPEAKER.match(line) is not None


def split_beneath(lines: list[str]) -> tuple[list[str], list[str]]:
    """Title lines and the lines printed beneath the title (subtitle, speaker), in order.

    A subtitle line after the title, and a speaker's line right after the subtitle, are
    beneath it, not part of it.
    """
    for i, line in enumerate(lines):
        if i and is_subtitle(line):
            end = i + 1
            if end < len(lines) and is_speaker(lines[end]):
                end += 1
            return lines[:i] + lines[end:], lines[i:end]
    return lines, []


def complete_generic_title(title: str, paragraphs) -> str:
    """A generic title with the year and place of the subtitle among the first paragraphs.

    "政府工作报告" over "——2025年1月14日在广东省第十四届人民代表大会第三次会议上" gives
    "2025年广东省政府工作报告"; any other title, or one without such a subtitle, is kept.
    """
    if not GENERIC_TITLE.match(title):
        return title
    for line in list(paragraphs)[:2]:
        found = SUBTITLE.match(line)
        if found:
            return f"{found['year']}年{found['place']}{title}"
    return title


def strip_site_names(title: str, is_site_name, shown_alone) -> str:
    """<title> without the site and column names after its last separators.

    `is_site_name(tail)` knows the names of portals, units and columns; `shown_alone(tail,
    head)` says whether the page shows `tail` elsewhere without `head` (its masthead,
    footer or breadcrumbs), which makes it the site's name even when it has no known shape.
    A bare dash (no spaces) separates only such a name shown elsewhere. At most
    MAX_SITE_NAME_CUTS names are cut: each cut looks over the title and the page again.
    """
    for _ in range(MAX_SITE_NAME_CUTS):
        parts = list(TITLE_SEPARATOR.finditer(title)) or list(BARE_DASH.finditer(title))
        if not parts:
            return title
        last = parts[-1]
        head, tail = title[: last.start()].strip(), title[last.end() :].strip()
        bare = last.group().strip() in "-－–" and not last.group().startswith(" ")
        if not head or not ((not bare and is_site_name(tail)) or shown_alone(tail, head)):
            return title
        title = head
    return title
