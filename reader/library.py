"""The library: every report of a content directory in SQLite, with full-text search.

`update` brings it up to date with `content/`: the first time (or when the schema or the
page size or limits change) it is built into a new file swapped in atomically; after
that only the files new or changed since (by size and modification time, sidecar
included) are read, and what changed is written in one transaction. The database is in
WAL mode, so a reader sees the library before that transaction or after it, never half,
and never waits for it. One updater at a time across threads and processes: a lock file
beside the database (`<database>.lock`, flock). Search (reader.search) uses its FTS5
index of the pairs of letters and digits in each sentence's folded text.
"""

from __future__ import annotations

import contextlib
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

try:
    import fcntl
except ImportError:  # not POSIX: updates are serialised within the process only
    fcntl = None

from reader import pipeline
from reader.paginate import DEFAULT_PAGE_CHARS
from reader.report import Block, Page, Report, ReportError
from reader.search import bigrams, index_text
from reader.sources import DEFAULT_MAX_HTML_ELEMENTS, DEFAULT_MAX_SOURCE_BYTES

SCHEMA_VERSION = "9"
BUILD_SUFFIX = ".tmp"  # a build in progress: <database>.<pid>.<thread>.tmp
SQLITE_SIDE_FILES = ("-journal", "-wal", "-shm")  # files SQLite may keep beside a database
STALE_BUILD_SECONDS = 3600  # a build file untouched this long is dead, whatever its pid
SQLITE_MAX_INTEGER = 2**63 - 1  # page numbers come from URLs; past this SQLite raises
LOCK_SUFFIX = ".lock"  # <database>.lock: held by the one process updating the library
WATCH_SUFFIX = ".watch"  # <database>.watch: held by the one process watching the content
BUSY_TIMEOUT_MS = 5000  # a WAL checkpoint may hold a reader up a moment, never a build

SCHEMA = """
CREATE TABLE build (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- Each report file as it was when read, so that an update reads only what changed since:
-- its name in the content folder, its size and time with its sidecar's (`_stamp`), the
-- report read from it or NULL when it could not be read.
CREATE TABLE source (file TEXT PRIMARY KEY, stamp TEXT NOT NULL, slug TEXT) WITHOUT ROWID;
-- A report's pages and sentences name it by its id: a small integer, not its slug again.
CREATE TABLE report (
    id INTEGER PRIMARY KEY, slug TEXT NOT NULL UNIQUE, title TEXT NOT NULL, date TEXT, source TEXT, district TEXT,
    city TEXT, kind TEXT, page_count INTEGER NOT NULL, chars INTEGER NOT NULL,
    warnings TEXT NOT NULL, title_from TEXT NOT NULL, origin TEXT NOT NULL
);
-- A page's blocks without their text: type, level, label and how many sentences each has;
-- the text is in `sentence`, stored once.
CREATE TABLE page (
    report INTEGER NOT NULL REFERENCES report(id), n INTEGER NOT NULL,
    heading_path TEXT NOT NULL, resumes_section INTEGER NOT NULL,
    continued INTEGER NOT NULL, continues INTEGER NOT NULL, blocks TEXT NOT NULL,
    PRIMARY KEY (report, n)
) WITHOUT ROWID;
-- A report's sentences are written in reading order, so their ids are in page and seq order.
CREATE TABLE sentence (
    id INTEGER PRIMARY KEY, report INTEGER NOT NULL, n INTEGER NOT NULL,
    seq INTEGER NOT NULL, text TEXT NOT NULL,
    folded TEXT  -- the text as search matches it (reader.search.index_text), NULL if the same
);
CREATE INDEX sentence_page ON sentence (report, n);
-- Each sentence's letters and digits in pairs (reader.search.bigrams). Contentless: it
-- holds only the index, keyed by the sentence's id.
CREATE VIRTUAL TABLE sentence_bigram USING fts5(
    grams, content='', tokenize='unicode61 remove_diacritics 0'
);
-- The home page's browsing: newest first (the ORDER BY of `reports` and `browse`), read in
-- order rather than sorted, so a page far down the list costs what the first does.
CREATE INDEX report_newest ON report (date IS NULL, date DESC, title);
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
    digest = hashlib.sha256(_settings(page_chars, max_source_bytes, max_html_elements).encode())
    for path in scan.files:
        digest.update(f"{path.name}\0{_stamp(path)}\n".encode())
    for line in scan.skipped:
        digest.update(f"{line}\n".encode())
    return digest.hexdigest()


def _settings(page_chars: int, max_source_bytes: int, max_html_elements: int) -> str:
    """What a library must be rebuilt from scratch for: the schema, page size and limits."""
    return f"{SCHEMA_VERSION}/{page_chars}/{max_source_bytes}/{max_html_elements}"


def _stamp(path: Path) -> str:
    """The size and modification time of a report file and of its sidecar, if any."""
    parts = []
    for file in (path, pipeline.meta_path_for(path)):
        try:
            status = file.stat()
        except OSError:  # no sidecar, or gone since the scan
            parts.append("-")
            continue
        parts.append(f"{status.st_size}/{status.st_mtime_ns}")
    return " ".join(parts)


def update(
    content_dir: Path,
    db_path: Path,
    page_chars: int = DEFAULT_PAGE_CHARS,
    max_source_bytes: int = DEFAULT_MAX_SOURCE_BYTES,
    settle_wait: float = 0.0,
    max_html_elements: int = DEFAULT_MAX_HTML_ELEMENTS,
    wait: bool = True,
) -> BuildResult | None:
    """Bring the library at `db_path` up to date with `content_dir`; None when it was (or
    another process is updating it and `wait` is False).

    Without a library to update, or with one of another schema, page size or limits, the
    whole library is built (`build`); otherwise only files new or changed since the last
    update are read, outside any transaction, then written with the removals in one.
    """
    db_path = Path(db_path)
    with _update_lock(db_path, wait) as mine:
        if not mine:
            return None
        built = _built_settings(db_path)
        if built is None or built != _settings(page_chars, max_source_bytes, max_html_elements):
            return build(
                content_dir, db_path, page_chars, max_source_bytes, settle_wait, max_html_elements
            )
        scan = pipeline.settled_content(content_dir, settle_wait)
        # Taken before reading: a file changed during the update makes the next one read it.
        now = fingerprint(content_dir, page_chars, max_source_bytes, scan, max_html_elements)
        if built_from(db_path) == now:
            return None
        return _update_in_place(
            content_dir, db_path, scan, now, page_chars, max_source_bytes, max_html_elements
        )


@contextlib.contextmanager
def _update_lock(db_path: Path, wait: bool):
    """Held by one updater at a time, across the threads and processes serving one library;
    yields False at once when another holds it and `wait` is False."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    if fcntl is None:
        acquired = _in_process_lock.acquire(blocking=wait)
        try:
            yield acquired
        finally:
            if acquired:
                _in_process_lock.release()
        return
    fd = os.open(db_path.with_name(db_path.name + LOCK_SUFFIX), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # and with it the lock


_in_process_lock = threading.Lock()


def claim_watch(db_path: Path) -> int | None:
    """Become the one watcher of the library at `db_path` among the processes serving it:
    a file descriptor holding `<database>.watch` locked (closing it gives the role up; the
    system does when the process ends), or None while another process holds it."""
    if fcntl is None:
        return -1  # one process only: it watches
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(db_path.with_name(db_path.name + WATCH_SUFFIX), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def _built_settings(db_path: Path) -> str | None:
    if not Path(db_path).is_file():
        return None
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT value FROM build WHERE key='settings'").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return None
    return row[0] if row else None


def _update_in_place(
    content_dir: Path,
    db_path: Path,
    scan: pipeline.ContentScan,
    built_from: str,
    page_chars: int,
    max_source_bytes: int,
    max_html_elements: int,
) -> BuildResult:
    conn = sqlite3.connect(db_path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    with _builds_lock:
        _builds.add(conn)
    try:
        known = {file: (stamp, slug) for file, stamp, slug in conn.execute("SELECT * FROM source")}
        present = {_source_name(content_dir, path): path for path in scan.files}
        stamps = {file: _stamp(path) for file, path in present.items()}
        gone = [file for file in known if stamps.get(file) != known[file][0]]
        read, built, failures = [], [], []
        for file, path in present.items():
            if file in known and stamps[file] == known[file][0]:
                continue
            _stop_if_abandoned()
            report = _read(path, failures, page_chars, max_source_bytes, max_html_elements)
            read.append((file, stamps[file], report))
        conn.create_function("bigrams", 1, bigrams, deterministic=True)
        conn.execute("BEGIN IMMEDIATE")
        for file in gone:
            if known[file][1] is not None:
                _delete_report(conn, known[file][1])
            conn.execute("DELETE FROM source WHERE file = ?", (file,))
        for file, stamp, report in read:
            _store(conn, file, stamp, report, built)
        conn.executemany(
            "UPDATE build SET value = ? WHERE key = ?",
            [(built_from, "fingerprint"), (str(time.time()), "updated_at")],
        )
        conn.execute("COMMIT")
    except sqlite3.OperationalError:
        _stop_if_abandoned()  # interrupted by abandon_builds
        raise
    finally:
        with _builds_lock:
            _builds.discard(conn)
        conn.close()  # a rollback, unless committed
    return BuildResult(tuple(built), tuple(failures), scan.skipped)


def _read(path: Path, failures: list[str], *limits: int) -> Report | None:
    """The report in `path`, or None with one line in `failures` saying why not."""
    try:
        return pipeline.read_report(path, *limits)
    except (ReportError, OSError) as exc:
        failures.append(str(exc).splitlines()[0] if str(exc) else f"{path}: unreadable")
        return None


def _store(
    conn: sqlite3.Connection, file: str, stamp: str, report: Report | None, built: list[str]
) -> None:
    """Write what was read from `file`: its report, if any, and its stamp."""
    if report is not None:
        _insert_report(conn, report)
        built.append(report.slug)
    conn.execute("INSERT INTO source VALUES (?, ?, ?)", (file, stamp, report and report.slug))


def _source_name(content_dir: Path, path: Path) -> str:
    return path.relative_to(content_dir).as_posix() if path.is_relative_to(content_dir) else str(path)


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
        _leave_wal(db_path)
        os.replace(tmp_path, db_path)
    finally:
        for suffix in ("", *SQLITE_SIDE_FILES):  # all gone already when it was swapped in
            tmp_path.with_name(tmp_path.name + suffix).unlink(missing_ok=True)
    return result


def _leave_wal(db_path: Path) -> None:
    """Before a new library replaces an old one in WAL mode: the old one's log written into
    it and removed, so that the new file never meets a log that is not its own (SQLite
    finds the log by the file's name). Waits up to BUSY_TIMEOUT_MS for its readers."""
    if not db_path.with_name(db_path.name + "-wal").exists():
        return
    conn = sqlite3.connect(db_path, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute("PRAGMA journal_mode = DELETE").fetchone()
    except sqlite3.OperationalError:  # readers held it too long: try again at the next update
        raise
    except sqlite3.DatabaseError:  # not a library: nothing of it to keep
        pass
    finally:
        conn.close()


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
    settings = _settings(page_chars, max_source_bytes, max_html_elements)
    built, failures = [], []
    conn = sqlite3.connect(tmp_path)
    with _builds_lock:
        _builds.add(conn)
    try:
        conn.execute("PRAGMA journal_mode = OFF")  # a failed build is deleted, not rolled back
        conn.executescript(SCHEMA)
        conn.create_function("bigrams", 1, bigrams, deterministic=True)
        for path in scan.files:
            _stop_if_abandoned()
            stamp = _stamp(path)  # before reading: a change while it is read is seen next time
            report = _read(path, failures, page_chars, max_source_bytes, max_html_elements)
            _store(conn, _source_name(content_dir, path), stamp, report, built)
        conn.executemany(
            "INSERT INTO build VALUES (?, ?)",
            [("fingerprint", built_from), ("settings", settings), ("updated_at", str(time.time()))],
        )
        conn.commit()
        conn.execute("PRAGMA journal_mode = WAL")  # for its readers and in-place updates
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


def stopping() -> bool:
    """Whether `abandon_builds` was called: the process is stopping."""
    return _abandoning.is_set()


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
    """The report's rows and its sentences' index entries (`bigrams` must be registered)."""
    report_id = conn.execute(
        f"INSERT INTO report ({', '.join(REPORT_COLUMNS)}) "
        f"VALUES ({', '.join('?' * len(REPORT_COLUMNS))})",
        report_row(report),
    ).lastrowid
    for page in report.pages:
        conn.execute("INSERT INTO page VALUES (?,?,?,?,?,?,?)", (report_id, *page_row(report.slug, page)))
        conn.executemany(
            "INSERT INTO sentence (report, n, seq, text, folded) VALUES (?,?,?,?,?)",
            [
                (report_id, page.n, seq, text, index_text(text))
                for seq, text in enumerate(page.sentences)
            ],
        )
    conn.execute(
        "INSERT INTO sentence_bigram (rowid, grams) "
        "SELECT id, bigrams(coalesce(folded, text)) FROM sentence WHERE report = ?",
        (report_id,),
    )


def _delete_report(conn: sqlite3.Connection, slug: str) -> None:
    """The report's rows and index entries (the contentless index is told what it held)."""
    row = conn.execute("SELECT id FROM report WHERE slug = ?", (slug,)).fetchone()
    if row is None:
        return
    conn.execute(
        "INSERT INTO sentence_bigram (sentence_bigram, rowid, grams) "
        "SELECT 'delete', id, bigrams(coalesce(folded, text)) FROM sentence WHERE report = ?",
        row,
    )
    for table, key in (("sentence", "report"), ("page", "report"), ("report", "id")):
        conn.execute(f"DELETE FROM {table} WHERE {key} = ?", row)


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


def updated_at(conn: sqlite3.Connection) -> float | None:
    """When the library at `conn` last changed (seconds since the epoch): for Last-Modified."""
    row = conn.execute("SELECT value FROM build WHERE key='updated_at'").fetchone()
    return float(row[0]) if row else None


def reading_order(conn: sqlite3.Connection) -> list[str]:
    """Every report's slug in library order: the order they were read in (their id), which
    is the order of their sentences' ids, so the order search (reader.search) lists its hits
    in - and the static export's search too (reader.export.search_index)."""
    return [row[0] for row in conn.execute("SELECT slug FROM report ORDER BY id")]


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


# The home page's ways to browse: each facet's name (also its URL parameter) and the SQL of
# its value for a report. The year is the publish date's; an undated report has none.
FACETS = {
    "city": "coalesce(city, '')",
    "district": "coalesce(district, '')",
    "year": "coalesce(substr(date, 1, 4), '')",
    "kind": "coalesce(kind, '')",
}


def browse(
    conn: sqlite3.Connection, chosen: dict[str, str], offset: int, limit: int
) -> tuple[list[Report], int]:
    """The reports that have every chosen facet value (FACETS), newest first from `offset`,
    at most `limit` of them, and how many there are in all."""
    where, arguments = _facet_filter(chosen)
    total = conn.execute(f"SELECT count(*) FROM report WHERE {where}", arguments).fetchone()[0]
    rows = conn.execute(
        f"SELECT * FROM report WHERE {where} ORDER BY date IS NULL, date DESC, title "
        "LIMIT ? OFFSET ?",
        (*arguments, limit, offset),
    ).fetchall()
    return [report_from(row) for row in rows], total


def facet_counts(conn: sqlite3.Connection, chosen: dict[str, str]) -> dict[str, list[tuple[str, int]]]:
    """For each facet, its values and how many reports have each, among the reports that
    have the values chosen in the other facets (so a reader can switch one choice at once).
    Years newest first, other values by name; a report without the fact has value ''."""
    counts = {}
    for name, value in FACETS.items():
        where, arguments = _facet_filter({k: v for k, v in chosen.items() if k != name})
        order = "1 DESC" if name == "year" else "1"
        counts[name] = [
            (row[0], row[1])
            for row in conn.execute(
                f"SELECT {value}, count(*) FROM report WHERE {where} GROUP BY 1 ORDER BY {order}",
                arguments,
            )
        ]
    return counts


def _facet_filter(chosen: dict[str, str]) -> tuple[str, list[str]]:
    names = [name for name in FACETS if name in chosen]
    where = " AND ".join(f"{FACETS[name]} = ?" for name in names) or "1"
    return where, [chosen[name] for name in names]


def report(conn: sqlite3.Connection, slug: str) -> Report | None:
    """The report's facts and counts (its pages come one by one, from `page` or `pages`)."""
    row = conn.execute("SELECT * FROM report WHERE slug = ?", (slug,)).fetchone()
    return report_from(row) if row else None


def page(conn: sqlite3.Connection, slug: str, n: int) -> Page | None:
    """Page n (from 1) of the report, or None, also for a number SQLite cannot hold."""
    if not 0 < n <= SQLITE_MAX_INTEGER:
        return None
    row = conn.execute(
        "SELECT p.* FROM page p JOIN report r ON r.id = p.report WHERE r.slug = ? AND p.n = ?",
        (slug, n),
    ).fetchone()
    if row is None:
        return None
    sentences = conn.execute(
        "SELECT text FROM sentence WHERE report = ? AND n = ? ORDER BY id", (row["report"], n)
    ).fetchall()
    return page_from(row, [s["text"] for s in sentences])


def pages(conn: sqlite3.Connection, slug: str) -> list[Page]:
    rows = conn.execute(
        "SELECT p.* FROM page p JOIN report r ON r.id = p.report WHERE r.slug = ? ORDER BY p.n",
        (slug,),
    ).fetchall()
    if not rows:
        return []
    sentences: dict[int, list[str]] = {row["n"]: [] for row in rows}
    for s in conn.execute(
        "SELECT n, text FROM sentence WHERE report = ? ORDER BY n, id", (rows[0]["report"],)
    ):
        sentences[s["n"]].append(s["text"])
    return [page_from(row, sentences[row["n"]]) for row in rows]


def headings(conn: sqlite3.Connection) -> dict[str, set[str]]:
    """Each report's headings (those its pages sit under), without reading any sentence:
    what the library's reports are about, for the kiosk's topics."""
    found: dict[str, set[str]] = {}
    for row in conn.execute(
        "SELECT r.slug, p.heading_path FROM page p JOIN report r ON r.id = p.report"
    ):
        found.setdefault(row["slug"], set()).update(json.loads(row["heading_path"]))
    return found


# --- rows: the only place a Report or a Page turns into table rows and back ---------------


REPORT_COLUMNS = (
    "slug", "title", "date", "source", "district", "city", "kind", "page_count", "chars",
    "warnings", "title_from", "origin",
)  # fmt: skip


def report_row(report: Report) -> tuple:
    """The report's row, in REPORT_COLUMNS order (its id is given by SQLite)."""
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
    """The page's row after its report's id; its sentences go to the sentence table, in
    `page.sentences` order."""
    blocks = []
    for block in page.blocks:
        if "".join(block.sentences) != block.display:
            raise ValueError(f"{slug} page {page.n}: a block's sentences are not its text")
        blocks.append([block.type, block.level, block.label, len(block.sentences)])
    return (
        page.n, json.dumps(list(page.heading_path), ensure_ascii=False),
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
