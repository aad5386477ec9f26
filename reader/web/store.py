"""The library as the web app sees it: brought up to date at start, then kept so by a
watcher thread, never inside a request.

At start-up the library is updated before the first request (after a short wait for files
still being copied): built the first time, only what changed read after that. Several
processes starting at once against one library take turns (library.update's lock file);
the later ones find it up to date. Then one thread, the watcher, checks the content every
LIBRARY_CHECK_SECONDS and updates the library when it changed. Each process has one, but
only the process holding the library's watch lock (library.claim_watch) checks: at 10,000
reports a check stats 20,000 files, once for all the processes rather than once each. A request only opens the library
as it is: before an update's transaction or after it (WAL), never waiting for one.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
import weakref
from pathlib import Path

from flask import Flask, current_app, g
from werkzeug.exceptions import ServiceUnavailable

from reader import library, pipeline

WATCHER = "library_watcher"  # app.extensions: this process's LibraryWatcher
RETRY_AFTER_SECONDS = 5  # a request that finds no library to read: about a rebuild's time
MIN_CHECK_SECONDS = 0.1  # LIBRARY_CHECK_SECONDS of 0 (tests) checks this often
# The watcher waits at least this many times as long as its last check took before the
# next, so checking takes at most about 1/(1+CHECK_SPACING) of a core: a check of 10,000
# reports stats 20,000 files (some 0.4 s), so it checks every 8 s or so, not every 2 s.
CHECK_SPACING = 20


def init_app(app: Flask) -> None:
    _log(app, _update(app, settle_wait=pipeline.SETTLE_WAIT_SECONDS, wait=True))
    app.extensions[WATCHER] = LibraryWatcher(app)
    app.teardown_appcontext(_close)
    app.register_error_handler(sqlite3.OperationalError, _library_unavailable)


def connection() -> sqlite3.Connection:
    """This request's read-only connection to the library as it is now."""
    if "library" not in g:
        g.library = library.connect(Path(current_app.config["DATABASE"]))
    return g.library


def wait_for_build(app: Flask, timeout: float | None = None) -> bool:
    """Have the watcher check the content now and wait for that check (and the update it
    makes) to end; False if it has not within `timeout` seconds."""
    watcher = app.extensions.get(WATCHER)
    return watcher.check_now(timeout) if watcher is not None else True


class LibraryWatcher:
    """The thread of this process that keeps the library up to date with the content.

    A daemon: an update stuck on a file cannot keep a stopping server alive; the server
    gives updates up (library.abandon_builds) and waits for this one (reader/serving.py).
    It holds the app weakly and ends with it, so that apps made by tests do not pile up.
    """

    def __init__(self, app: Flask) -> None:
        self._app = weakref.ref(app)
        self._interval = max(app.config["LIBRARY_CHECK_SECONDS"], MIN_CHECK_SECONDS)
        self._wake = threading.Event()
        self._asked = False  # check_now: check even if another process is the watcher
        self._checks = threading.Condition()
        self._started = self._finished = 0
        self.thread = threading.Thread(target=self._run, name="library-watcher", daemon=True)
        self.thread.start()

    @property
    def updating(self) -> bool:
        """Whether a check (and the update it may make) is running now."""
        with self._checks:
            return self._started > self._finished

    def check_now(self, timeout: float | None = None) -> bool:
        with self._checks:
            wanted = self._started + 1
            self._asked = True
        self._wake.set()
        with self._checks:
            return self._checks.wait_for(
                lambda: self._finished >= wanted or not self.thread.is_alive(), timeout
            )

    def _run(self) -> None:
        watching = None  # the watch lock's descriptor, once this process holds it
        try:
            wait = self._interval
            while not library.stopping():
                self._wake.wait(wait)
                self._wake.clear()
                app = self._app()
                if app is None or library.stopping():
                    return
                if watching is None:
                    watching = library.claim_watch(Path(app.config["DATABASE"]))
                with self._checks:
                    asked, self._asked = self._asked, False
                    if watching is None and not asked:
                        continue  # another process watches
                    self._started += 1
                started, result = time.monotonic(), None
                try:
                    result = _update(app, wait=asked)
                    _log(app, result)
                except library.BuildAbandoned:
                    return
                except Exception:  # the library there is stays served; the log says why
                    app.logger.exception("the library could not be updated; the one there is is served")
                finally:
                    with self._checks:
                        self._finished = self._started
                        self._checks.notify_all()
                if result is None:  # a check that found nothing to do: what checking costs
                    wait = max(self._interval, CHECK_SPACING * (time.monotonic() - started))
                del app  # held weakly between checks
        finally:
            if watching is not None and watching >= 0:
                os.close(watching)
            with self._checks:
                self._checks.notify_all()


def _update(app: Flask, settle_wait: float = 0.0, wait: bool = False) -> library.BuildResult | None:
    return library.update(
        Path(app.config["CONTENT_DIR"]), Path(app.config["DATABASE"]),
        app.config["PAGE_CHARS"], app.config["MAX_SOURCE_BYTES"], settle_wait,
        app.config["MAX_HTML_ELEMENTS"], wait=wait,
    )  # fmt: skip


def _log(app: Flask, result: library.BuildResult | None) -> None:
    if result is None:
        return
    for line in result.skipped:
        app.logger.warning("skipped: %s", line)
    for failure in result.failures:
        app.logger.warning("not served: %s", failure)


def _library_unavailable(exc: sqlite3.OperationalError):
    """A library that cannot be opened (deleted, say): 503 with Retry-After while the
    watcher builds it again, never a 500."""
    from reader.web.home import error_page  # home imports this module

    current_app.logger.error("the library cannot be read: %s", exc)
    wake = current_app.extensions.get(WATCHER)
    if wake is not None:
        wake.check_now(timeout=0)
    return error_page(ServiceUnavailable(retry_after=RETRY_AFTER_SECONDS))


def _close(exc: BaseException | None) -> None:
    conn = g.pop("library", None)
    if conn is not None:
        conn.close()
