"""One file through every stage: sources → extract → structure → paginate.

`read_report` is the only way the rest of the reader (library, command line) turns a
file of `content/` into a `Report`. An optional sidecar `<name>.meta.toml` beside the
file supplies facts the published page lacks (title, date, source, district, city,
kind, origin); it never overrides what the page itself says. Its values are checked: a
date is a date, text is text, or the report is not read.

Only real files are read: `scan_content` skips, with a line each, what is not a regular
file, a link out of the folder, and a file changed in the last SETTLE_SECONDS (still being
copied), which a later scan picks up whole.

A readable report is never refused for lacking a title or a date: without a title in
the file or its sidecar it is titled from its first paragraph, else from its file name,
and it carries a warning that `reader check` shows, as it does when no date is known.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import re
import time
import tomllib
from dataclasses import dataclass, replace
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
# A report has hundreds of paragraphs and a 20 MB page of real text some 30,000; past
# this, a file of a million short lines would cost some 250 bytes a line in blocks and
# pages (20 times its size). The rest is left unread, with a warning.
MAX_PARAGRAPHS = 100_000
TOO_MANY_PARAGRAPHS_WARNING = "{count} paragraphs: only the first {limit} read"
META_MAX_BYTES = 64 * 1024  # a sidecar holds a few short facts
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
SETTLE_SECONDS = 2.0  # a report or sidecar changed more recently may still be being written
SETTLE_WAIT_SECONDS = 10.0  # how long `reader check` and start-up wait for such files
SETTLE_POLL_SECONDS = 0.25
# What `one_line` changes: an invisible character, whitespace other than one inner space.
NOT_ONE_LINE = re.compile(rf"{sources.INVISIBLE_CHARS.pattern}|[^\S ]|  |^ | $")


@dataclass(frozen=True)
class ContentScan:
    """The report files of a content folder, and what was passed over, a line each."""

    files: tuple[Path, ...]
    skipped: tuple[str, ...]
    being_written: tuple[Path, ...] = ()  # skipped for now: changed under SETTLE_SECONDS ago


def scan_content(directory: Path, now: float | None = None) -> ContentScan:
    """The report files of `directory` in a stable order; directories, FIFOs, devices,
    broken links, links out of the folder and files still being written skipped.

    Hidden entries (.git, editor swap files) and files of other kinds (sidecars, notes)
    are passed over without a word. Nothing is opened here: a FIFO is known by its status.
    """
    directory = Path(directory)
    root = directory.resolve()
    now = time.time() if now is None else now
    files, skipped, being_written = [], [], []
    for path in sorted(directory.iterdir()):
        if path.name.startswith("."):
            continue
        try:
            status = path.stat()
        except OSError as exc:
            reason = "a broken link" if path.is_symlink() else f"cannot read: {exc.strerror or exc}"
            skipped.append(f"{path}: {reason}, skipped")
            continue
        kind = sources.file_kind(status.st_mode)
        if kind:
            skipped.append(f"{path}: {kind}, not a file, skipped")
        elif path.suffix.lower() not in CONTENT_SUFFIXES:
            continue
        elif not path.resolve().is_relative_to(root):
            skipped.append(f"{path}: a link to a file outside {directory}, skipped")
        elif _changed_lately(path, status.st_mtime, now):
            skipped.append(f"{path}: still being written, read once unchanged for {SETTLE_SECONDS:g} s")
            being_written.append(path)
        else:
            files.append(path)
    return ContentScan(tuple(files), tuple(skipped), tuple(being_written))


def settled_content(directory: Path, wait: float = SETTLE_WAIT_SECONDS) -> ContentScan:
    """`scan_content` once no file is being written, or after `wait` seconds.

    For whoever wants every file read now (`reader check`, the server's start-up) rather
    than picked up by a later scan, as the running server does.
    """
    deadline = time.monotonic() + wait
    while True:
        scan = scan_content(directory)
        left = deadline - time.monotonic()
        if not scan.being_written or left <= 0:
            return scan
        time.sleep(min(SETTLE_POLL_SECONDS, left))


def _changed_lately(path: Path, mtime: float, now: float) -> bool:
    times = [mtime]
    with contextlib.suppress(OSError):  # no sidecar
        times.append(meta_path_for(path).stat().st_mtime)
    return any(0 <= now - t < SETTLE_SECONDS for t in times)


def content_files(directory: Path) -> list[Path]:
    """The report files of a content folder, once settled (see `settled_content`)."""
    return list(settled_content(directory).files)


def slug_for(path: Path) -> str:
    return Path(path).stem


def meta_path_for(path: Path) -> Path:
    return Path(path).with_name(slug_for(path) + META_SUFFIX)


def read_meta(path: Path) -> dict:
    """The sidecar's facts, or {} when there is none. Bad TOML, an unknown field or a value
    of the wrong type or form is a ReportError naming the file, the field and the value."""
    meta_path = meta_path_for(path)
    if not meta_path.exists() and not meta_path.is_symlink():
        return {}
    if not meta_path.resolve().is_relative_to(Path(path).parent.resolve()):
        raise ReportError(f"{meta_path}: a link to a file outside {meta_path.parent}")
    data = sources.read_regular_file(meta_path, META_MAX_BYTES)
    try:
        meta = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ReportError(f"{meta_path}: not valid TOML: {exc}") from None
    unknown = sorted(set(meta) - set(META_FIELDS))
    if unknown:
        raise ReportError(f"{meta_path}: unknown field {unknown[0]!r}")
    return {name: _meta_value(meta_path, name, value) for name, value in meta.items()}


def _meta_value(meta_path: Path, name: str, value: object) -> str:
    """A sidecar value as the report holds it: dates ISO, text cleaned to one line."""
    if name == "date":
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return value.isoformat()
        if isinstance(value, str) and ISO_DATE.fullmatch(value):
            try:
                return datetime.date.fromisoformat(value).isoformat()
            except ValueError:
                pass
        raise ReportError(f"{meta_path}: {name} = {_as_toml(value)}: not a date (YYYY-MM-DD)")
    if not isinstance(value, str):
        raise ReportError(f"{meta_path}: {name} = {_as_toml(value)}: not text (write it in quotes)")
    return one_line(value)


def _as_toml(value: object) -> str:
    """A value as the sidecar wrote it, near enough to find it there."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return json.dumps(value, ensure_ascii=False, default=str)


def one_line(text: str) -> str:
    """A fact as shown: visible characters only, whitespace runs made one space.

    Text already so (nearly every paragraph) is returned as it is, found by one search.
    """
    if NOT_ONE_LINE.search(text) is None:
        return text
    return " ".join(sources.visible_text(text).split())


def _visible(found: extract.Extracted) -> extract.Extracted:
    """The extracted facts and paragraphs without the control characters an HTML entity
    (&#x202e;, &#0;) can still bring in after decoding."""
    paragraphs = (one_line(p) for p in found.paragraphs)
    return replace(
        found, title=one_line(found.title), source=one_line(found.source),
        paragraphs=tuple(p for p in paragraphs if p),
    )  # fmt: skip


def _within_paragraph_cap(found: extract.Extracted) -> tuple[extract.Extracted, tuple[str, ...]]:
    """The first MAX_PARAGRAPHS paragraphs, and the warning when there were more."""
    count = len(found.paragraphs)
    if count <= MAX_PARAGRAPHS:
        return found, ()
    warning = TOO_MANY_PARAGRAPHS_WARNING.format(count=count, limit=MAX_PARAGRAPHS)
    return replace(found, paragraphs=found.paragraphs[:MAX_PARAGRAPHS]), (warning,)


def read_report(
    path: Path,
    page_chars: int = paginate.DEFAULT_PAGE_CHARS,
    max_source_bytes: int = sources.DEFAULT_MAX_SOURCE_BYTES,
    max_html_elements: int = sources.DEFAULT_MAX_HTML_ELEMENTS,
) -> Report:
    """Read, extract, structure and paginate one file. Raises ReportError."""
    path = Path(path)
    source = sources.read_source(path, max_source_bytes, max_html_elements)
    found, cap_warnings = _within_paragraph_cap(extract.extract(source))
    found = _visible(found)
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
        warnings=found.warnings + cap_warnings + tuple(fact_warnings) + structure_warnings,
        title_from=title_from,
        origin=facts.get("origin", ""),
    )
    return replace(report, kind=report.kind or extract.kind_of(report.title))
