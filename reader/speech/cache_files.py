"""The audio cache's files: each written whole, and each request record read with suspicion.

A file is written to a temporary name beside its place (`.tmp-…`), flushed and fsynced,
then given its name by a link, a rename that never replaces, so the first writer of a key
wins and no reader ever meets half a file; the folder is fsynced so the name survives a
power cut. A record's file is replaced the same way when what was stored is added to it.
A file made while it is being sent (page audio) is a `PendingFile` written piece by piece
the same way, and dropped if the sending stops before its end.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

TEMP_PREFIX = ".tmp-"  # a file being written; one left by a crash is removed at start-up
HEX_DIGITS = frozenset("0123456789abcdef")


def write_once(path: Path, data: bytes | Iterable[bytes]) -> bool:
    """Write `path` whole unless it exists; True if this call wrote it (first writer wins).

    `data` may come in pieces, so a large file (a whole report's MP3) is never held twice.
    """
    pending = PendingFile(path)
    try:
        for piece in [data] if isinstance(data, bytes) else data:
            pending.write(piece)
        return pending.link()
    finally:
        pending.drop()


def replace(path: Path, data: bytes) -> None:
    """Replace `path` whole by `data`: a reader sees the old file or the new, never half."""
    pending = PendingFile(path)
    try:
        pending.write(data)
        pending.replace()
    finally:
        pending.drop()


class PendingFile:
    """A file written piece by piece under a temporary name beside `path`, which takes
    `path`'s name only once it is whole (`link` or `replace`); `drop` removes it if it
    never did. So a writer stopped half-way (a listener gone, an error) leaves nothing.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, self._tmp = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX, suffix=path.suffix)
        self._out = os.fdopen(fd, "wb")

    def write(self, piece: bytes) -> None:
        self._out.write(piece)

    def link(self) -> bool:
        """Give the file its name unless one has it already; True if this did."""
        self._finish()
        try:
            os.link(self._tmp, self.path)
        except FileExistsError:
            return False
        finally:
            self.drop()
        _sync_folder(self.path.parent)
        return True

    def replace(self) -> None:
        """Give the file its name, in place of any file that had it."""
        self._finish()
        os.replace(self._tmp, self.path)
        _sync_folder(self.path.parent)

    def drop(self) -> None:
        """Remove the temporary file, if it is still there; safe to call more than once."""
        with contextlib.suppress(OSError):
            self._out.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._tmp)

    def _finish(self) -> None:
        self._out.flush()
        os.fsync(self._out.fileno())
        self._out.close()
        os.chmod(self._tmp, 0o644)


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


def _sync_folder(folder: Path) -> None:
    """Make a new name in `folder` durable (POSIX; elsewhere the file system's own care)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
