"""`reader serve`'s server: waitress, a stop that lets responses finish, and the logs.

Waitress stops at once on a signal: a page or an audio stream being sent is cut. So this
module runs waitress's event loop itself (`waitress.wasyncore.loop` over the server's
channel map) and, on the first SIGTERM or SIGINT, closes the listening socket, lets every
connection finish the response it is sending (and the audio it is making) for up to
SHUTDOWN_GRACE_SECONDS, closes each connection as it falls idle, then gives up any library
build, stops the voice workers and returns. A second signal cuts the wait short. A signal
while the app is still being built (its first library build) gives that build up.

The access log has one line a request, written when its response is over, to the logger
"reader.access"; warnings and errors of the reader and of waitress go to the error log.
ACCESS_LOG and ERROR_LOG name a file, or "-" for standard error.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from urllib.parse import quote

from waitress import wasyncore
from waitress.server import create_server

from reader import library

ACCESS_LOGGER = "reader.access"
ERROR_LOGGERS = {"reader": logging.INFO, "waitress": logging.WARNING}
ACCESS_FORMAT = "%(asctime)s %(message)s"
ERROR_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
DRAIN_POLL = 0.05  # seconds between looks at the connections while stopping
UNWIND_SECONDS = 2.0  # after the grace period, for cut requests to give their threads back
SERVER_IDENT = "yidu-reader"

log = logging.getLogger(__name__)


class ServeError(Exception):
    """The server cannot start: a port it cannot listen on, a log it cannot open."""


def serve(
    settings: dict, host: str, port: int, threads: int, announce: Callable[[str], None],
    app_factory: Callable | None = None,
) -> None:  # fmt: skip
    """Build the app from `settings` (with `app_factory`, create_app by default) and serve
    it until SIGTERM or SIGINT, then stop gracefully and return. `announce` is given the
    URL once the server listens."""
    from reader.web import create_app, store

    configure_logs(settings["ACCESS_LOG"], settings["ERROR_LOG"])
    with StopSignals() as stop:
        try:
            app = (app_factory or create_app)(settings)
        except library.BuildAbandoned:
            log.info("stopped while the library was being built")
            return
        if stop.requested:
            return
        try:
            server = create_server(
                AccessLog(app), host=host, port=port, threads=threads, ident=SERVER_IDENT
            )
        except OSError as exc:
            raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        announce(f"http://{shown_host}:{server.effective_port}/")
        stop.wake = server.pull_trigger
        _run_until_stopped(server, stop)
        _stop_gracefully(server, stop, settings["SHUTDOWN_GRACE_SECONDS"])
        store.wait_for_build(app, UNWIND_SECONDS)  # given up: it removes its file
        app.extensions["speech_synthesiser"].close()
        wasyncore.close_all(server._map)
        log.info("stopped")


class StopSignals:
    """SIGTERM and SIGINT, caught while in the `with` block (the old handlers come back
    after it). The first asks for a graceful stop; before the server runs it also gives up
    a library build, since no listener waits for one. A second asks to stop now."""

    def __init__(self) -> None:
        self.count = 0
        self.first_at = 0.0
        self.wake: Callable[[], None] | None = None  # wakes the event loop; lock-free
        self._previous: dict[int, object] = {}

    @property
    def requested(self) -> bool:
        return self.count > 0

    @property
    def hurried(self) -> bool:
        return self.count > 1

    def __enter__(self) -> StopSignals:
        for signum in STOP_SIGNALS:
            self._previous[signum] = signal.signal(signum, self._caught)
        return self

    def __exit__(self, *exc_info) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)

    def _caught(self, signum: int, frame) -> None:
        self.count += 1
        if self.count == 1:
            self.first_at = time.monotonic()
        if self.wake is None:
            library.abandon_builds()
        else:
            with contextlib.suppress(OSError):  # the loop already closed
                self.wake()


def _run_until_stopped(server, stop: StopSignals) -> None:
    """Waitress's own loop (BaseWSGIServer.run), one pass at a time until a stop signal."""
    while not stop.requested:
        wasyncore.loop(
            timeout=server.adj.asyncore_loop_timeout,
            map=server._map,
            use_poll=server.adj.asyncore_use_poll,
            count=1,
        )


def _stop_gracefully(server, stop: StopSignals, grace: float) -> None:
    """Stop accepting; let the responses in flight finish within `grace` seconds of the
    first signal; then cut what is left and give up library builds."""
    wasyncore.dispatcher.close(server)  # the listening socket only: the trigger stays
    deadline = stop.first_at + grace
    busy = _busy_channels(server)
    log.info("stopping: %d connection(s) busy, %g s to finish", len(busy), grace)
    while (busy or _tasks_running(server)) and time.monotonic() < deadline and not stop.hurried:
        wasyncore.loop(
            timeout=DRAIN_POLL, map=server._map, use_poll=server.adj.asyncore_use_poll, count=1
        )
        busy = _busy_channels(server)
    if busy or _tasks_running(server):
        log.warning("grace period over: %d response(s) cut", len(busy))
    for channel in list(server.active_channels.values()):
        channel.handle_close()
    library.abandon_builds()
    server.task_dispatcher.shutdown(cancel_pending=True, timeout=UNWIND_SECONDS)


def _busy_channels(server) -> list:
    """Connections with a request being read, run or sent; idle ones are closed."""
    busy = []
    for channel in list(server.active_channels.values()):
        if channel.requests or channel.request is not None or channel.total_outbufs_len:
            busy.append(channel)
        else:
            channel.handle_close()
    return busy


def _tasks_running(server) -> bool:
    """Whether a request thread is still at work, e.g. storing audio whose listener left."""
    dispatcher = server.task_dispatcher
    with dispatcher.lock:
        return bool(dispatcher.active_count or dispatcher.queue)


# --- logs ----------------------------------------------------------------------------------


def configure_logs(access_log: str, error_log: str) -> None:
    """Send the access log and the error log to their files ("-": standard error)."""
    requests, errors = _handler(access_log, ACCESS_FORMAT), _handler(error_log, ERROR_FORMAT)
    access = logging.getLogger(ACCESS_LOGGER)
    access.setLevel(logging.INFO)
    access.propagate = False  # not into "reader", the error log
    access.addHandler(requests)
    for name, level in ERROR_LOGGERS.items():
        logger = logging.getLogger(name)
        logger.setLevel(level)
        logger.addHandler(errors)


def _handler(destination: str, form: str) -> logging.Handler:
    if destination == "-":
        handler: logging.Handler = logging.StreamHandler(sys.stderr)
    else:
        try:  # reopened when logrotate moves the file away
            handler = logging.handlers.WatchedFileHandler(Path(destination), encoding="utf-8")
        except OSError as exc:
            raise ServeError(f"cannot write the log {destination}: {exc.strerror or exc}") from None
    handler.setFormatter(logging.Formatter(form, TIME_FORMAT))
    return handler


class AccessLog:
    """WSGI middleware: a line in the access log for every request, when its response is
    over (sent, or cut by the client or a stop), so a stream's bytes and time are whole.

    The path is percent-encoded, so no request can write a line of its own; the query is
    left out, as what a visitor searched for is theirs.
    """

    def __init__(self, app: Callable) -> None:
        self.app = app
        self.logger = logging.getLogger(ACCESS_LOGGER)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        started = time.monotonic()
        status = ["500"]  # if the app fails before it answers, the server sends a 500

        def start(status_line: str, headers, exc_info=None):
            status[0] = status_line.split(" ", 1)[0]
            return start_response(status_line, headers, exc_info)

        try:
            body = self.app(environ, start)
        except BaseException:
            self._log(environ, status[0], 0, started)
            raise
        return _LoggedBody(body, lambda sent: self._log(environ, status[0], sent, started))

    def _log(self, environ: dict, status: str, sent: int, started: float) -> None:
        path = environ.get("PATH_INFO", "").encode("latin-1", "replace")
        self.logger.info(
            "client=%s method=%s path=%s status=%s bytes=%d ms=%d",
            quote(environ.get("REMOTE_ADDR", "-"), safe=".:"),
            quote(environ.get("REQUEST_METHOD", "-"), safe=""),
            quote(path, safe="/-._~!$&'()*+,;=:@") or "/",
            status,
            sent,
            round(1000 * (time.monotonic() - started)),
        )


class _LoggedBody:
    """A response body passed on piece by piece, its bytes counted, logged when closed."""

    def __init__(self, body: Iterable[bytes], logged: Callable[[int], None]) -> None:
        self._body = body
        self._pieces: Iterator[bytes] = iter(body)
        self._logged = logged
        self._sent = 0

    def __iter__(self) -> _LoggedBody:
        return self

    def __next__(self) -> bytes:
        piece = next(self._pieces)
        self._sent += len(piece)
        return piece

    def close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            logged, self._logged = self._logged, None
            if logged is not None:
                logged(self._sent)
