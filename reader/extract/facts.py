"""The facts a report is known by: its publish date, its kind, a title when it has none.

`Findings` gathers what the reading steps find in one file, text or HTML, keeping the
first value of each fact since the more reliable places are read first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reader.extract.dates import DATE, iso_date
from reader.extract.places import district_named_in

__all__ = ["DATE", "Findings", "iso_date", "kind_of", "title_from_text"]
KINDS = (
    ("会议报道", re.compile(r"召开.*(?:会议|大会)|(?:会议|大会)(?:召开|举行)")),
    ("工作总结", re.compile(r"总结")),
    ("工作计划", re.compile(r"计划|工作要点|工作安排")),
)
YEAR = re.compile(r"((?:19|20)\d{2})年")
PLAN_WORDS = re.compile(r"总体要求|预期目标|主要目标|重点抓好|重点做好|以下工作|计划|将")
SUMMARY_WORDS = re.compile(r"回顾|取得了|完成了|总结")


@dataclass
class Findings:
    """What the steps have found so far in one file: its facts and its body lines."""

    title: str = ""
    date: str | None = None
    source: str = ""
    publisher: str = ""
    place_hints: tuple[str, ...] = ()
    body: tuple[str, ...] = ()

    def learn(self, **facts: str | None) -> None:
        """Keep the first value found for each fact: the more reliable sources are read first."""
        for name, value in facts.items():
            if value and not getattr(self, name):
                setattr(self, name, value)


def kind_of(title: str) -> str:
    """工作总结, 工作计划 or 会议报道 (召开…会议/大会) as the title says; "" when it says none."""
    return next((kind for kind, pattern in KINDS if pattern.search(title or "")), "")


def title_from_text(paragraphs, facts: dict) -> str:
    """A title for a report whose file has none: "<district><year>年<kind>".

    The district is the one already found (else the one the first paragraph names), the
    year the first the first paragraph names, and the kind 工作计划 when the first paragraph
    speaks of requirements and targets (总体要求, 预期目标, 以下工作…), 工作总结 when it
    looks back (回顾, 取得了…), else 工作报告. "2020年,东区工作的总体要求是…" gives
    "东区街道2020年工作计划". Without a place or a year there is no title: "".
    """
    first = next(iter(paragraphs), "")
    year = YEAR.search(first)
    place = facts.get("district") or district_named_in(first) or facts.get("city") or ""
    if not year or not place:
        return ""
    if PLAN_WORDS.search(first):
        kind = "工作计划"
    elif SUMMARY_WORDS.search(first):
        kind = "工作总结"
    else:
        kind = "工作报告"
    return f"{place}{year[1]}年{kind}"
