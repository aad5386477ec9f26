"""`reader serve` as a real process for tests: started in a temporary folder with its own
instance/config.py, talked to over plain HTTP, and the temporary files it leaves found.

Shared by the tests that need the server a user runs rather than the app in-process:
tests/test_lifecycle.py (signals, start-up, logs) and tests/test_faults_live.py (damaged
files, a killed voice worker, no voice engine).
"""

from __future__ import annotations

import http.client
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

READER = Path(sys.executable).with_name("reader")
GRACE = 8.0  # SHUTDOWN_GRACE_SECONDS for these tests
START_TIMEOUT = 30.0


@dataclass
class Server:
    root: Path
    port: int
    process: subprocess.Popen

    def connection(self, timeout: float = 30.0) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        conn = self.connection()
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()

    def signal(self, signum: int = signal.SIGTERM) -> float:
        self.process.send_signal(signum)
        return time.monotonic()

    def wait(self, timeout: float) -> int:
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            pytest.fail(f"reader serve still running {timeout:g} s after the signal:\n{self.log()}")

    def log(self) -> str:
        return (self.root / "serve.log").read_text(errors="replace")

    def listening(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        except OSError:
            return False
        return True

    def wait_listening(self) -> Server:
        deadline = time.monotonic() + START_TIMEOUT
        while not self.listening():
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"reader serve did not start:\n{self.log()}")
            time.sleep(0.05)
        return self


def launch(
    root: Path, content: Path, env: dict[str, str] | None = None, server: str = "waitress",
    **config,
) -> Server:  # fmt: skip
    """`reader serve --server <server>` in `root`, its instance/config.py setting `config`
    and its environment `env` (None: this one's); not yet waited for."""
    instance = root / "instance"
    instance.mkdir(exist_ok=True)
    settings = {"SHUTDOWN_GRACE_SECONDS": GRACE, **config}
    (instance / "config.py").write_text("".join(f"{k} = {v!r}\n" for k, v in settings.items()))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with open(root / "serve.log", "ab") as log:
        process = subprocess.Popen(
            [str(READER), "serve", "--server", server, "--port", str(port), "--content", str(content)],
            cwd=root, stdout=log, stderr=log, env=env, start_new_session=True,  # a group of its own
        )  # fmt: skip
    return Server(root, port, process)


def leftovers(root: Path) -> list[str]:
    """Temporary files of a library build (SQLite's journal too) or of the audio cache."""
    return sorted(
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.name.endswith((".tmp", "-journal")) or path.name.startswith(".tmp-")
    )
