"""The library as the web app sees it: built at start, rebuilt when content changes."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from flask import Flask, abort, current_app, g

from reader import library

_rebuild_lock = threading.Lock()


def init_app(app: Flask) -> None:
    result = _ensure_current(app)
    for failure in result.failures if result else ():
        app.logger.warning("not served: %s", failure)
    app.extensions["library_checked_at"] = time.monotonic()
    app.teardown_appcontext(_close)


def connection() -> sqlite3.Connection:
    """This request's read-only connection, after a cheap check that content is unchanged."""
    if "library" not in g:
        app = current_app._get_current_object()
        checked_at = app.extensions.get("library_checked_at", 0.0)
        if time.monotonic() - checked_at > app.config["LIBRARY_CHECK_SECONDS"]:
            try:
                _ensure_current(app)
            except library.BuildAbandoned:  # the server is stopping: come back soon
                abort(503)
            app.extensions["library_checked_at"] = time.monotonic()
        g.library = library.connect(Path(app.config["DATABASE"]))
    return g.library


def _ensure_current(app: Flask) -> library.BuildResult | None:
    content, database = Path(app.config["CONTENT_DIR"]), Path(app.config["DATABASE"])
    page_chars = app.config["PAGE_CHARS"]
    if library.is_current(content, database, page_chars):
        return None
    with _rebuild_lock:
        if library.is_current(content, database, page_chars):
            return None
        return library.build(content, database, page_chars)


def _close(exc: BaseException | None) -> None:
    conn = g.pop("library", None)
    if conn is not None:
        conn.close()
