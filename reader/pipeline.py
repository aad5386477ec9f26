"""One file through every stage: sources → extract → structure → paginate.

`read_report` is the only way the rest of the reader (library, command line) turns a
file of `content/` into a `Report`. An optional sidecar `<name>.meta.toml` beside the
file supplies facts the published page lacks (title, date, source, district, city,
kind, origin); it never overrides what the page itself says.

A readable report is never refused for lacking a title or a date: without a title in
the file or its sidecar it is titled from its first paragraph, else from its file name,
and it carries a warning that `reader check` shows, as it does when no date is known.
"""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path

from reader import extract, paginate, sources, structure
from reader.report import Report, ReportError

CONTENT_SUFFIXES = (".txt", ".html", ".htm")
META_SUFFIX = ".meta.toml"
META_FIELDS = ("title", "date", "source", "district", "city", "kind", "origin")
TITLE_WARNINGS = {
    "text": "no title in the file: {title!r} made from its first paragraph",
    "name": "no title in the file or its first paragraph: titled {title!r} from its file name",
}
NO_DATE_WARNING = "no publish date in the file: give one as date in its .meta.toml"


def content_files(directory: Path) -> list[Path]:
    """The report files of a content directory, in a stable order."""
    return sorted(
        p for p in Path(directory).iterdir() if p.is_file() and p.suffix.lower() in CONTENT_SUFFIXES
    )


def slug_for(path: Path) -> str:
    return Path(path).stem


def read_meta(path: Path) -> dict:
    """The sidecar's facts, or {} when there is none. Bad TOML is a ReportError."""
    meta_path = Path(path).with_name(slug_for(path) + META_SUFFIX)
    if not meta_path.exists():
        return {}
    try:
        meta = tomllib.loads(meta_path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ReportError(f"{meta_path}: not valid TOML: {exc}") from None
    unknown = sorted(set(meta) - set(META_FIELDS))
    if unknown:
        raise ReportError(f"{meta_path}: unknown field {unknown[0]!r}")
    return {k: str(v) for k, v in meta.items()}


def read_report(path: Path, page_chars: int = paginate.DEFAULT_PAGE_CHARS) -> Report:
    """Read, extract, structure and paginate one file. Raises ReportError."""
    path = Path(path)
    source = sources.read_source(path)
    found = extract.extract(source)
    meta = read_meta(path)
    if not found.paragraphs:
        raise ReportError(f"{path}: no body text found")
    blocks, structure_warnings = structure.structure(found.paragraphs)
    pages = paginate.paginate(blocks, page_chars)

    facts = {name: getattr(found, name) for name in META_FIELDS if hasattr(found, name)}
    title_from = "file" if facts.get("title") else ""
    for name, value in meta.items():
        if not facts.get(name):
            facts[name] = value
            title_from = title_from or ("meta" if name == "title" else "")
    fact_warnings = []
    if not facts.get("title"):
        facts["title"] = extract.title_from_text(found.paragraphs, facts)
        title_from = "text" if facts["title"] else "name"
        facts["title"] = facts["title"] or slug_for(path)
        fact_warnings.append(TITLE_WARNINGS[title_from].format(title=facts["title"]))
    if not facts.get("date"):
        fact_warnings.append(NO_DATE_WARNING)

    report = Report.of_blocks(
        blocks,
        pages,
        slug=slug_for(path),
        title=facts["title"],
        date=facts.get("date") or None,
        source=facts.get("source", ""),
        district=facts.get("district", ""),
        city=facts.get("city", ""),
        kind=facts.get("kind", ""),
        warnings=tuple(found.warnings) + tuple(fact_warnings) + tuple(structure_warnings),
        title_from=title_from,
        origin=facts.get("origin", ""),
    )
    return replace(report, kind=report.kind or extract.kind_of(report.title))
