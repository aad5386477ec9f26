"""The audio cache's files: each written whole, and each request record read with suspicion.

A file is written to a temporary name beside its place (`.tmp-…`), flushed and fsynced,
then given its name by a link, a rename that never replaces, so the first writer of a key
wins and no reader ever meets half a file; the folder is fsynced so the name survives a
power cut. A record's file is replaced the same way when what was stored is added to it.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

TEMP_PREFIX = ".tmp-"  # a file being written; one left by a crash is removed at start-up
HEX_DIGITS = frozenset("0123456789abcdef")


def write_once(path: Path, data: bytes | Iterable[bytes]) -> bool:
    """Write `path` whole unless it exists; True if this call wrote it (first writer wins).

    `data` may come in pieces, so a large file (a whole report's MP3) is never held twice.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with _temporary_copy(path, data) as tmp:
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
    _sync_folder(path.parent)
    return True


def replace(path: Path, data: bytes) -> None:
    """Replace `path` whole by `data`: a reader sees the old file or the new, never half."""
    with _temporary_copy(path, data) as tmp:
        os.replace(tmp, path)
    _sync_folder(path.parent)


def discard(path: Path, inode: int | None = None) -> None:
    """Remove a damaged file (only while it is still inode `inode`, when that is given, so
    a good file written meanwhile stays). A read-only cache keeps it."""
    with contextlib.suppress(OSError):
        if inode is None or os.stat(path).st_ino == inode:
            os.unlink(path)


def record_bytes(record: dict) -> bytes:
    return json.dumps(record, ensure_ascii=False).encode("utf-8")


def parse_record(data: bytes) -> dict | None:
    """The request record in `data`, or None unless it has a record's shape: text (or a
    list of texts), voice, rate, engine and pauses, and if the MP3 is stored its byte length
    and sha256, and the word timing when there is any."""
    try:
        record = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):
        return None
    if not isinstance(record, dict):
        return None
    spoken, stored = record.get("spoken"), record.get("mp3")
    texts = [spoken] if isinstance(spoken, str) else spoken
    if not isinstance(texts, list) or not all(isinstance(text, str) for text in texts):
        return None
    if not all(isinstance(record.get(name), str) for name in ("voice", "rate", "engine", "pauses")):
        return None
    if "timing" in record and not _is_timing(record["timing"]):
        return None
    if stored is not None and not (
        isinstance(stored, dict)
        and type(stored.get("bytes")) is int
        and isinstance(stored.get("sha256"), str)
        and len(stored["sha256"]) == 64
        and set(stored["sha256"]) <= HEX_DIGITS
    ):
        return None
    return record


def _is_timing(timing) -> bool:
    """{"text": the text the engine read, "words": [[ms, start, length], ...]}."""
    return (
        isinstance(timing, dict)
        and isinstance(timing.get("text"), str)
        and isinstance(timing.get("words"), list)
        and all(
            isinstance(word, list) and len(word) == 3 and all(type(n) is int for n in word)
            for word in timing["words"]
        )
    )


@contextlib.contextmanager
def _temporary_copy(path: Path, data: bytes | Iterable[bytes]) -> Iterator[str]:
    """`data` in a fsynced temporary file beside `path`, removed on leaving if still there."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX, suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as out:
            for piece in [data] if isinstance(data, bytes) else data:
                out.write(piece)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
        yield tmp
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _sync_folder(folder: Path) -> None:
    """Make a new name in `folder` durable (POSIX; elsewhere the file system's own care)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
