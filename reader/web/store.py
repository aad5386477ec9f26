"""The library as the web app sees it: built at start, rebuilt beside it when content changes.

At start-up the library is built before the first request, after a short wait for files
still being copied. Later, a request that finds the content changed starts a build on a
thread of its own and is served from the library there is, as are all requests until the
new library is swapped in whole: a slow file never holds a page up. Only when there is no
library to serve (deleted, unreadable) does a request wait for one to be built.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from flask import Flask, abort, current_app, g

from reader import library, pipeline

BUILDER = "library_builder"  # app.extensions: the thread of the build running, if any
_rebuild_lock = threading.Lock()  # one build at a time
_builder_lock = threading.Lock()  # one builder thread started at a time


def init_app(app: Flask) -> None:
    if _built_from(app) != _fingerprint(app):
        _log(app, _build(app, settle_wait=pipeline.SETTLE_WAIT_SECONDS))
    app.extensions["library_checked_at"] = time.monotonic()
    app.extensions[BUILDER] = None
    app.teardown_appcontext(_close)


def connection() -> sqlite3.Connection:
    """This request's read-only connection, after a cheap check that content is unchanged."""
    if "library" not in g:
        app = current_app._get_current_object()
        checked_at = app.extensions.get("library_checked_at", 0.0)
        if time.monotonic() - checked_at > app.config["LIBRARY_CHECK_SECONDS"]:
            app.extensions["library_checked_at"] = time.monotonic()
            _refresh(app)
        g.library = library.connect(Path(app.config["DATABASE"]))
    return g.library


def wait_for_build(app: Flask, timeout: float | None = None) -> bool:
    """Wait for the build running in the background, if any; False if it is still running."""
    builder = app.extensions.get(BUILDER)
    if builder is not None:
        builder.join(timeout)
        return not builder.is_alive()
    return True


def _refresh(app: Flask) -> None:
    built_from = _built_from(app)
    if built_from == _fingerprint(app):
        return
    if built_from is not None:  # a library to serve meanwhile
        _start_builder(app)
        return
    try:
        _log(app, _build(app))
    except library.BuildAbandoned:  # the server is stopping: come back soon
        abort(503)


def _start_builder(app: Flask) -> None:
    with _builder_lock:
        running = app.extensions.get(BUILDER)
        if running is not None and running.is_alive():
            return
        # A daemon: a build stuck on a file cannot keep a stopping server alive; the
        # server gives builds up and waits for this one (reader/serving.py), and a file a
        # killed build leaves is removed at the next start (library.remove_stale_builds).
        builder = threading.Thread(
            target=_build_in_background, args=(app,), name="library-build", daemon=True
        )
        app.extensions[BUILDER] = builder
        builder.start()


def _build_in_background(app: Flask) -> None:
    try:
        _log(app, _build(app))
    except library.BuildAbandoned:
        pass
    except Exception:  # a request would have shown it as a 500; here it goes to the log
        app.logger.exception("the library could not be rebuilt; the one there is is served")


def _build(app: Flask, settle_wait: float = 0.0) -> library.BuildResult | None:
    with _rebuild_lock:
        if _built_from(app) == _fingerprint(app):
            return None
        return library.build(
            Path(app.config["CONTENT_DIR"]), Path(app.config["DATABASE"]),
            app.config["PAGE_CHARS"], app.config["MAX_SOURCE_BYTES"], settle_wait,
            app.config["MAX_HTML_ELEMENTS"],
        )  # fmt: skip


def _fingerprint(app: Flask) -> str:
    return library.fingerprint(
        Path(app.config["CONTENT_DIR"]), app.config["PAGE_CHARS"], app.config["MAX_SOURCE_BYTES"],
        max_html_elements=app.config["MAX_HTML_ELEMENTS"],
    )  # fmt: skip


def _built_from(app: Flask) -> str | None:
    return library.built_from(Path(app.config["DATABASE"]))


def _log(app: Flask, result: library.BuildResult | None) -> None:
    if result is None:
        return
    for line in result.skipped:
        app.logger.warning("skipped: %s", line)
    for failure in result.failures:
        app.logger.warning("not served: %s", failure)


def _close(exc: BaseException | None) -> None:
    conn = g.pop("library", None)
    if conn is not None:
        conn.close()
