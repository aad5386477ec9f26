"""Extraction against the anchors: the reader, GNE and trafilatura over the corpus.

Every tool gets each case's file as the reader decodes it (so an encoding a peer would
guess wrong is not held against it); a text file is handed to the peers as an HTML page
with one <p> per line, since neither reads plain text. Each tool's answer is scored
against the case's expected.json, written by a person:

- title: the tool's title equals the expected one, whitespace ignored;
- date: the tool's date, read as a calendar date, equals the expected publish date
  (a case with no publish date is right only when the tool gives none);
- body: of the expected paragraphs (cases whose expected.json lists `body`), the share
  found whole, as one contiguous run of text, in the tool's body text, whitespace ignored;
- clean: cases whose body holds none of the strings the case says must not reach it
  (portal chrome, menus, labels, footers);
- structure: cases whose headings (depth and label), list items and paragraphs are all
  as expected. Only the reader says what is a heading or a list item; the peers give
  plain text, so they score none.

The peers are bench-only dependencies, not the reader's:

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/extract_peers.py [--cases]
"""

from __future__ import annotations

import argparse
import html
import json
import logging
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from reader import sources
from reader.extract.dates import iso_date
from reader.pipeline import read_report
from reader.report import HEADING, ITEM, PARAGRAPH, ReportError

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "corpus"
WHITESPACE = re.compile(r"\s+")


@dataclass
class Answer:
    """What one tool says about one case. `structure` is None for a tool that gives none."""

    title: str = ""
    date: str | None = None
    body: str = ""
    structure: dict | None = None


def as_html(source: sources.Source) -> str:
    """The page itself, or a text file as a page of paragraphs (for the peers)."""
    if source.is_html:
        return source.text
    lines = "".join(f"<p>{html.escape(line)}</p>\n" for line in source.text.splitlines() if line.strip())
    return f"<html><head><meta charset='utf-8'></head><body>\n{lines}</body></html>"


def run_reader(path: Path, _source: sources.Source) -> Answer:
    try:
        report = read_report(path)
    except ReportError:
        return Answer(structure={})
    structure = {
        "headings": [{"level": b.level, "label": b.label} for b in report.blocks if b.type == HEADING],
        "items": sum(b.type == ITEM for b in report.blocks),
        "paragraphs": sum(b.type == PARAGRAPH for b in report.blocks),
    }
    body = "\n".join(b.display for b in report.blocks)
    return Answer(report.title, report.date, body, structure)


def run_gne(_path: Path, source: sources.Source) -> Answer:
    from gne import GeneralNewsExtractor

    try:
        found = GeneralNewsExtractor().extract(as_html(source))
    except Exception:  # noqa: BLE001 - a peer's crash is a wrong answer, not the bench's end
        return Answer()
    return Answer(found.get("title") or "", iso_date(found.get("publish_time")), found.get("content") or "")


def run_trafilatura(_path: Path, source: sources.Source) -> Answer:
    import trafilatura

    document = trafilatura.bare_extraction(as_html(source), with_metadata=True)
    if not document:
        return Answer()
    found = document.as_dict()
    return Answer(found.get("title") or "", iso_date(found.get("date")), found.get("text") or "")


TOOLS = {"reader": run_reader, "gne": run_gne, "trafilatura": run_trafilatura}


def _bare(text: str) -> str:
    return WHITESPACE.sub("", text or "")


def score(answer: Answer, expected: dict) -> dict:
    """1 or 0 for title, date, clean and structure; found and wanted paragraphs for the body."""
    wanted = expected.get("body", [])
    body = _bare(answer.body)
    structure_wanted = {k: expected[k] for k in ("headings", "items", "paragraphs")}
    return {
        "title": _bare(answer.title) == _bare(expected["title"]),
        "date": answer.date == expected["date"],
        "found": sum(_bare(paragraph) in body for paragraph in wanted),
        "wanted": len(wanted),
        "clean": not any(text in answer.body for text in expected["absent"]),
        "structure": answer.structure == structure_wanted,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", action="store_true", help="Also print each case's misses.")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # the peers log every page they cannot date
    try:
        import gne  # noqa: F401
        import trafilatura  # noqa: F401
    except ImportError as exc:
        sys.exit(f"{exc.name} is missing: .venv/bin/pip install -e '.[bench]'")

    cases = sorted(p for p in CORPUS.iterdir() if (p / "expected.json").is_file())
    marks_of: dict[str, list[dict]] = {tool: [] for tool in TOOLS}
    html_cases = []
    for case in cases:
        (path,) = case.glob("source.*")
        expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
        source = sources.read_source(path)
        html_cases.append(source.is_html)
        for tool, run in TOOLS.items():
            marks = score(run(path, source), expected)
            marks_of[tool].append(marks)
            misses = [name for name in ("title", "date") if not marks[name]]
            if args.cases and (misses or marks["found"] < marks["wanted"]):
                print(f"  {tool:12} {case.name}: wrong {misses} body {marks['found']}/{marks['wanted']}")
    print_table(f"all {len(cases)} corpus cases", marks_of)
    print_table(
        f"the {sum(html_cases)} HTML cases (the peers' own ground: text files give them no <title>)",
        {tool: [m for m, is_html in zip(marks, html_cases, strict=True) if is_html] for tool, marks in marks_of.items()},
    )


def print_table(heading: str, marks_of: dict[str, list[dict]]) -> None:
    """One line per tool: titles, dates and structure right of n cases, body paragraphs found."""
    print(f"\n{heading}")
    print(f"{'tool':12} {'titles':>11} {'dates':>11} {'body paragraphs':>17} {'clean':>11} {'structure':>11}")
    for tool, marks in marks_of.items():
        n = len(marks)
        right = {name: sum(m[name] for m in marks) for name in ("title", "date", "clean", "structure")}
        found, wanted = sum(m["found"] for m in marks), sum(m["wanted"] for m in marks)
        structure = f"{right['structure']}/{n}" if tool == "reader" else "none"
        print(
            f"{tool:12} {right['title']:>4}/{n} {right['title'] / n:4.0%} {right['date']:>4}/{n} "
            f"{right['date'] / n:4.0%} {found:>6}/{wanted} {found / max(wanted, 1):4.0%} "
            f"{right['clean']:>4}/{n} {right['clean'] / n:4.0%} {structure:>11}"
        )


if __name__ == "__main__":
    main()
