"""`reader serve --server gunicorn`: worker processes (one a core by default), each with
its own app, threads, voice workers and library connections.

Nothing is loaded before the workers fork (no preload): each worker calls `create_app`, so
no voice worker process, SQLite connection or thread is ever shared across a fork. The
guarantees of reader/serving.py hold here too: SIGTERM or SIGINT (Ctrl-C, which gunicorn
would otherwise take as "stop now") stops gracefully - no new connections, the responses
being sent finish within SHUTDOWN_GRACE_SECONDS (gunicorn's graceful timeout), then each
worker gives up any library build and stops its voice workers, and the server exits 0;
temporary files a crash left are removed by each worker's `create_app`; the access log is
the same middleware's, one line a request, and gunicorn's own messages go to ERROR_LOG.
Unlike waitress, a second signal does not cut the grace period short.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import Path

from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter

from reader.library import remove_stale_builds
from reader.serving import UNWIND_SECONDS, AccessLog, ServeError
from reader.speech.audio import remove_stale_temp_files

BOOT_TIMEOUT = 300  # seconds a worker may take to start: its first library build
GTHREAD = "gthread"


def default_workers() -> int:
    """One worker process a core: pages are CPU-bound, speech runs in its own processes."""
    return os.cpu_count() or 1


def serve(
    settings: dict, host: str, port: int, threads: int, workers: int,
    announce: Callable[[str], None], app_factory: Callable | None = None,
) -> None:  # fmt: skip
    """Serve the app of `settings` (made by `app_factory`, create_app by default, in each
    worker) under gunicorn until SIGTERM or SIGINT, then stop
    gracefully and return.

    What a crash left half-written is removed before the port is opened, as waitress's
    start does (each worker's create_app looks again, finding nothing).
    """
    remove_stale_builds(Path(settings["DATABASE"]))
    remove_stale_temp_files(Path(settings["AUDIO_DIR"]))
    ReaderApplication(settings, host, port, threads, workers, announce, app_factory).run()


class ReaderApplication(BaseApplication):
    def __init__(self, settings, host, port, threads, workers, announce, app_factory=None) -> None:
        self.settings = settings
        self.app_factory = app_factory
        self.options = {
            "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
            "workers": workers,
            "worker_class": GTHREAD,
            "threads": threads,
            "graceful_timeout": math.ceil(settings["SHUTDOWN_GRACE_SECONDS"]),
            "timeout": BOOT_TIMEOUT,
            "preload_app": False,
            "errorlog": settings["ERROR_LOG"],
            "accesslog": None,  # reader.serving.AccessLog writes it
            "proc_name": "yidu-reader",
            "when_ready": lambda arbiter: announce(_url_of(arbiter, host)),
            "worker_exit": _worker_exit,
        }
        super().__init__()

    def load_config(self) -> None:
        for name, value in self.options.items():
            self.cfg.set(name, value)
        if "control_socket_disable" in self.cfg.settings:  # gunicorn 25.1 and later
            # one socket per user at a fixed path: a second instance would take it over
            self.cfg.set("control_socket_disable", True)

    def load(self):
        """In each worker, after the fork: its own app."""
        from reader.web import create_app

        return AccessLog((self.app_factory or create_app)(self.settings))

    def run(self) -> None:
        try:
            arbiter = Arbiter(self)
        except RuntimeError as exc:
            raise ServeError(str(exc)) from None
        arbiter.handle_int = arbiter.handle_term  # Ctrl-C stops gracefully, as SIGTERM does
        try:
            arbiter.run()
        except SystemExit as exc:
            if exc.code not in (0, None):
                raise ServeError(f"gunicorn stopped with status {exc.code}; see the error log") from None


def _worker_exit(server, worker) -> None:
    """A worker that stops gives up its library build and stops its voice workers."""
    from reader import library
    from reader.web import store

    app = getattr(getattr(worker, "wsgi", None), "app", None)
    if app is None:  # it stopped before its app was made
        return
    library.abandon_builds()
    store.wait_for_build(app, UNWIND_SECONDS)
    app.extensions["speech_synthesiser"].close()


def _url_of(arbiter, host: str) -> str:
    port = arbiter.LISTENERS[0].sock.getsockname()[1] if arbiter.LISTENERS else 0
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    return f"http://{shown_host}:{port}/"
