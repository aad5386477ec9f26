"""The extraction corpus: each case in tests/corpus/ read as the reader reads content/.

A case is `source.txt` or `source.html` (bytes as published) and `expected.json`,
written by a person reading the source: the facts a reader sees on the cover, the
headings with their depth, how many list items and paragraphs, strings that must not
reach the body (portal chrome, script text), and how many warnings `reader check` shows.
A case may also list `body`: every block's text as shown (label and text), in order.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader.pipeline import read_report
from reader.report import HEADING, ITEM, PARAGRAPH

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(p for p in CORPUS.iterdir() if (p / "expected.json").is_file())
FACTS = ("title", "date", "source", "district", "city", "kind")


def test_corpus_is_not_empty():
    assert len(CASES) >= 38


@pytest.mark.parametrize("case", CASES, ids=[p.name for p in CASES])
def test_case(case: Path):
    (source,) = case.glob("source.*")
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    report = read_report(source)

    assert {name: getattr(report, name) for name in FACTS} == {name: expected[name] for name in FACTS}
    headings = [{"level": b.level, "label": b.label} for b in report.blocks if b.type == HEADING]
    assert headings == expected["headings"]
    assert sum(b.type == ITEM for b in report.blocks) == expected["items"]
    assert sum(b.type == PARAGRAPH for b in report.blocks) == expected["paragraphs"]
    body = "\n".join(b.display for b in report.blocks)
    leaked = [text for text in expected["absent"] if text in body or text in report.title]
    assert not leaked, f"in the body: {leaked}"
    assert len(report.warnings) == expected["warnings"], report.warnings
    if "body" in expected:
        assert [b.display for b in report.blocks] == expected["body"]
