"""The library: every report of a content directory in SQLite, with full-text search.

Built from `content/` by `build` (a new file swapped in atomically, so readers never see
half a library) and rebuilt whenever the content's fingerprint changes. Search
(reader.search) uses its FTS5 index of each sentence's folded text.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from reader import pipeline
from reader.paginate import DEFAULT_PAGE_CHARS
from reader.report import Block, Page, Report, ReportError
from reader.search import index_text
from reader.sources import DEFAULT_MAX_HTML_ELEMENTS, DEFAULT_MAX_SOURCE_BYTES

SCHEMA_VERSION = "4"
BUILD_SUFFIX = ".tmp"  # a build in progress: <database>.<pid>.<thread>.tmp
SQLITE_SIDE_FILES = ("-journal", "-wal", "-shm")  # files SQLite may keep beside a database
STALE_BUILD_SECONDS = 3600  # a build file untouched this long is dead, whatever its pid
SQLITE_MAX_INTEGER = 2**63 - 1  # page numbers come from URLs; past this SQLite raises

SCHEMA = """
CREATE TABLE build (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE report (
    slug TEXT PRIMARY KEY, title TEXT NOT NULL, date TEXT, source TEXT, district TEXT,
    city TEXT, kind TEXT, page_count INTEGER NOT NULL, chars INTEGER NOT NULL,
    warnings TEXT NOT NULL, title_from TEXT NOT NULL, origin TEXT NOT NULL
);
-- A page's blocks without their text: type, level, label and how many sentences each has;
-- the text is in `sentence`, stored once.
CREATE TABLE page (
    slug TEXT NOT NULL REFERENCES report(slug), n INTEGER NOT NULL,
    heading_path TEXT NOT NULL, resumes_section INTEGER NOT NULL,
    continued INTEGER NOT NULL, continues INTEGER NOT NULL, blocks TEXT NOT NULL,
    PRIMARY KEY (slug, n)
);
CREATE TABLE sentence (
    id INTEGER PRIMARY KEY, slug TEXT NOT NULL, n INTEGER NOT NULL,
    seq INTEGER NOT NULL, text TEXT NOT NULL,
    folded TEXT  -- the text as search matches it (reader.search.index_text), NULL if the same
);
CREATE INDEX sentence_page ON sentence (slug, n, seq);
-- Contentless: it holds only the index of each sentence's folded text, keyed by its id.
CREATE VIRTUAL TABLE sentence_fts USING fts5(text, content='', tokenize='trigram');
"""


class BuildAbandoned(Exception):
    """The process is stopping (see `abandon_builds`): a build was given up, its file removed."""


# Builds in progress in this process, so that a stopping server can give them up. The lock
# is re-entrant: a signal handler may call abandon_builds on the thread that is building.
_abandoning = threading.Event()
_builds_lock = threading.RLock()
_builds: set[sqlite3.Connection] = set()


@dataclass(frozen=True)
class BuildResult:
    built: tuple[str, ...]
    failures: tuple[str, ...]  # one line each, naming the file
    skipped: tuple[str, ...] = ()  # what is not a report file, or not yet: a line each


def fingerprint(
    content_dir: Path,
    page_chars: int = DEFAULT_PAGE_CHARS,
    max_source_bytes: int = DEFAULT_MAX_SOURCE_BYTES,
    scan: pipeline.ContentScan | None = None,
    max_html_elements: int = DEFAULT_MAX_HTML_ELEMENTS,
) -> str:
    """Changes whenever a report file or its sidecar, what is skipped, the page size, the
    size or element limit or the schema changes.

    A file still being written is not in it: the library is not rebuilt at each write, and
    is rebuilt once the file is complete, since it then joins the fingerprint.
    """
    scan = scan or pipeline.scan_content(content_dir)
    limits = f"{page_chars}/{max_source_bytes}/{max_html_elements}"
    digest = hashlib.sha256(f"{SCHEMA_VERSION}/{limits}".encode())
    for path in scan.files:
        for file in (path, pipeline.meta_path_for(path)):
            try:
                stat = file.stat()
            except OSError:  # no sidecar, or gone since the scan
                continue
            digest.update(f"{file.name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    for line in scan.skipped:
        digest.update(f"{line}\n".encode())
    return digest.hexdigest()


def build(
    content_dir: Path,
    db_path: Path,
    page_chars: int = DEFAULT_PAGE_CHARS,
    max_source_bytes: int = DEFAULT_MAX_SOURCE_BYTES,
    settle_wait: float = 0.0,
    max_html_elements: int = DEFAULT_MAX_HTML_ELEMENTS,
) -> BuildResult:
    """Read every report of `content_dir` into a new database at `db_path`.

    The new library is written beside `db_path` under a name of its own and swapped in
    whole; on any other way out (an error, `abandon_builds`) that file is removed, so a
    build leaves the new library or nothing. Files still being written are waited for up
    to `settle_wait` seconds, then left to a later build.
    """
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    tmp_path = db_path.with_name(
        f"{db_path.name}.{os.getpid()}.{threading.get_ident()}{BUILD_SUFFIX}"
    )
    try:
        scan = pipeline.settled_content(content_dir, settle_wait)
        result = _write_library(
            content_dir, scan, tmp_path, page_chars, max_source_bytes, max_html_elements
        )
        os.replace(tmp_path, db_path)
    finally:
        for suffix in ("", *SQLITE_SIDE_FILES):  # all gone already when it was swapped in
            tmp_path.with_name(tmp_path.name + suffix).unlink(missing_ok=True)
    return result


def _write_library(
    content_dir: Path,
    scan: pipeline.ContentScan,
    tmp_path: Path,
    page_chars: int,
    max_source_bytes: int,
    max_html_elements: int,
) -> BuildResult:
    tmp_path.unlink(missing_ok=True)
    # Taken before reading: a file changed during the build makes the next check rebuild.
    built_from = fingerprint(content_dir, page_chars, max_source_bytes, scan, max_html_elements)
    built, failures = [], []
    conn = sqlite3.connect(tmp_path)
    with _builds_lock:
        _builds.add(conn)
    try:
        conn.execute("PRAGMA journal_mode = OFF")  # a failed build is deleted, not rolled back
        conn.executescript(SCHEMA)
        for path in scan.files:
            _stop_if_abandoned()
            try:
                report = pipeline.read_report(path, page_chars, max_source_bytes, max_html_elements)
            except (ReportError, OSError) as exc:
                failures.append(str(exc).splitlines()[0] if str(exc) else f"{path}: unreadable")
                continue
            _insert_report(conn, report)
            built.append(report.slug)
        conn.execute(
            "INSERT INTO sentence_fts (rowid, text) SELECT id, coalesce(folded, text) FROM sentence"
        )
        conn.execute("INSERT INTO build VALUES ('fingerprint', ?)", (built_from,))
        conn.commit()
    except sqlite3.OperationalError:
        _stop_if_abandoned()  # interrupted by abandon_builds
        raise
    finally:
        with _builds_lock:
            _builds.discard(conn)
        conn.close()
    return BuildResult(tuple(built), tuple(failures), scan.skipped)


def abandon_builds() -> None:
    """Give up every library build in this process, now and from now on.

    For a server that is stopping: a build still running when its grace period is over
    stops between two reports, or in the middle of indexing, and removes its file.
    """
    _abandoning.set()
    with _builds_lock:
        for conn in _builds:
            conn.interrupt()


def _stop_if_abandoned() -> None:
    if _abandoning.is_set():
        raise BuildAbandoned("the library build was given up: the server is stopping")


def remove_stale_builds(db_path: Path) -> list[Path]:
    """Remove what builds that died (a crash, a power cut, kill -9) left beside `db_path`.

    A build's file names its process and thread. It is stale when that process is gone,
    when it is this process's and that thread is gone, or when nothing has written to it
    for STALE_BUILD_SECONDS (its process id since taken by another program).
    """
    db_path = Path(db_path)
    pattern = re.compile(
        rf"{re.escape(db_path.name)}\.(\d+)\.(\d+){re.escape(BUILD_SUFFIX)}"
        rf"({'|'.join(map(re.escape, SQLITE_SIDE_FILES))})?"
    )
    removed = []
    for path in db_path.parent.glob(f"{glob.escape(db_path.name)}.*{BUILD_SUFFIX}*"):
        named = pattern.fullmatch(path.name)
        if named and not _build_running(int(named[1]), int(named[2]), path):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _build_running(pid: int, thread: int, path: Path) -> bool:
    try:
        if time.time() - path.stat().st_mtime > STALE_BUILD_SECONDS:
            return False
    except FileNotFoundError:
        return True  # removed by its own build meanwhile
    if pid == os.getpid():
        return any(t.ident == thread for t in threading.enumerate())
    if os.name != "posix":  # os.kill(pid, 0) would end the process there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _insert_report(conn: sqlite3.Connection, report: Report) -> None:
    conn.execute("INSERT INTO report VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", report_row(report))
    for page in report.pages:
        conn.execute("INSERT INTO page VALUES (?,?,?,?,?,?,?)", page_row(report.slug, page))
        conn.executemany(
            "INSERT INTO sentence (slug, n, seq, text, folded) VALUES (?,?,?,?,?)",
            [
                (report.slug, page.n, seq, text, index_text(text))
                for seq, text in enumerate(page.sentences)
            ],
        )


def built_from(db_path: Path) -> str | None:
    """The fingerprint of the library at `db_path`; None when there is none to read."""
    if not Path(db_path).is_file():
        return None
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            return built_fingerprint(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return None


def built_fingerprint(conn: sqlite3.Connection) -> str | None:
    """The fingerprint of the content the library at `conn` was built from."""
    row = conn.execute("SELECT value FROM build WHERE key='fingerprint'").fetchone()
    return row[0] if row else None


def report_count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM report").fetchone()[0]


def connect(db_path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    return conn


def reports(conn: sqlite3.Connection) -> list[Report]:
    """Every report, newest first (undated ones last, by title)."""
    rows = conn.execute(
        "SELECT * FROM report ORDER BY date IS NULL, date DESC, title"
    ).fetchall()
    return [report_from(row) for row in rows]


def report(conn: sqlite3.Connection, slug: str) -> Report | None:
    """The report's facts and counts (its pages come one by one, from `page` or `pages`)."""
    row = conn.execute("SELECT * FROM report WHERE slug = ?", (slug,)).fetchone()
    return report_from(row) if row else None


def page(conn: sqlite3.Connection, slug: str, n: int) -> Page | None:
    """Page n (from 1) of the report, or None, also for a number SQLite cannot hold."""
    if not 0 < n <= SQLITE_MAX_INTEGER:
        return None
    row = conn.execute("SELECT * FROM page WHERE slug = ? AND n = ?", (slug, n)).fetchone()
    if row is None:
        return None
    sentences = conn.execute(
        "SELECT text FROM sentence WHERE slug = ? AND n = ? ORDER BY seq", (slug, n)
    ).fetchall()
    return page_from(row, [s["text"] for s in sentences])


def pages(conn: sqlite3.Connection, slug: str) -> list[Page]:
    rows = conn.execute("SELECT * FROM page WHERE slug = ? ORDER BY n", (slug,)).fetchall()
    sentences: dict[int, list[str]] = {row["n"]: [] for row in rows}
    for s in conn.execute("SELECT n, text FROM sentence WHERE slug = ? ORDER BY n, seq", (slug,)):
        sentences[s["n"]].append(s["text"])
    return [page_from(row, sentences[row["n"]]) for row in rows]


def headings(conn: sqlite3.Connection) -> dict[str, set[str]]:
    """Each report's headings (those its pages sit under), without reading any sentence:
    what the library's reports are about, for the kiosk's topics."""
    found: dict[str, set[str]] = {}
    for row in conn.execute("SELECT slug, heading_path FROM page"):
        found.setdefault(row["slug"], set()).update(json.loads(row["heading_path"]))
    return found

# --- rows: the only place a Report or a Page turns into table rows and back ---------------


def report_row(report: Report) -> tuple:
    return (
        report.slug, report.title, report.date, report.source, report.district, report.city,
        report.kind, report.page_count, report.chars,
        json.dumps(list(report.warnings), ensure_ascii=False), report.title_from, report.origin,
    )  # fmt: skip


def report_from(row: sqlite3.Row) -> Report:
    return Report(
        slug=row["slug"], title=row["title"], date=row["date"], source=row["source"] or "",
        district=row["district"] or "", city=row["city"] or "", kind=row["kind"] or "",
        page_count=row["page_count"], chars=row["chars"],
        warnings=tuple(json.loads(row["warnings"])), title_from=row["title_from"],
        origin=row["origin"],
    )  # fmt: skip


def page_row(slug: str, page: Page) -> tuple:
    """The page's row; its sentences go to the sentence table, in `page.sentences` order."""
    blocks = []
    for block in page.blocks:
        if "".join(block.sentences) != block.display:
            raise ValueError(f"{slug} page {page.n}: a block's sentences are not its text")
        blocks.append([block.type, block.level, block.label, len(block.sentences)])
    return (
        slug, page.n, json.dumps(list(page.heading_path), ensure_ascii=False),
        int(page.resumes_section), int(page.continued), int(page.continues),
        json.dumps(blocks, ensure_ascii=False),
    )  # fmt: skip


def page_from(row: sqlite3.Row, sentences: list[str]) -> Page:
    """The page of `row`, its blocks refilled with `sentences` in reading order."""
    blocks, used = [], 0
    for type_, level, label, count in json.loads(row["blocks"]):
        own = tuple(sentences[used : used + count])
        used += count
        text = "".join(own)[len(label) :]
        blocks.append(Block(type=type_, text=text, level=level, label=label, sentences=own))
    return Page(
        n=row["n"], blocks=tuple(blocks), heading_path=tuple(json.loads(row["heading_path"])),
        resumes_section=bool(row["resumes_section"]), continued=bool(row["continued"]),
        continues=bool(row["continues"]),
    )  # fmt: skip
