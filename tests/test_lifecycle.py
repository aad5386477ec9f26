"""`reader serve` as a real process: start-up, SIGTERM and SIGINT, /healthz, the access log.

Each test starts `.venv/bin/reader serve` in a temporary folder with its own
instance/config.py, talks to it over HTTP and signals it, then looks at what a listener
got and what was left on disk: a stop lets the response being sent finish, stores the
audio being made, and leaves no temporary file behind.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from live_server import GRACE, READER, START_TIMEOUT, Server, launch, leftovers

from reader import config, library
from reader.speech.mp3 import mp3_duration, mp3_frames

CONTENT = Path(__file__).resolve().parents[1] / "content"
SLUG = "zs-nanqu-2024-cadre-meeting"
COPIES = 120  # copies of each seed report: a library that takes a second or two to build


def many_reports(root: Path) -> Path:
    """COPIES copies of every seed report: big enough that a rebuild can be caught."""
    content = root / "content"
    content.mkdir()
    for seed in CONTENT.glob("*.txt"):
        for n in range(COPIES):
            shutil.copyfile(seed, content / f"{seed.stem}-{n}.txt")
    return content


def building(root: Path) -> list[Path]:
    return list((root / "instance").glob("library-*.sqlite3.*.tmp"))


def wait_for_build(root: Path, server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not building(root):
        if server.process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"no library build was seen:\n{server.log()}")
        time.sleep(0.002)


@pytest.mark.parametrize("server", ["waitress", "gunicorn"])
def test_a_stop_lets_the_audio_being_streamed_finish_and_stores_it(tmp_path, server):
    stream_then_stop(tmp_path, lambda running: running.signal(signal.SIGTERM), server)


def test_a_stop_sent_to_the_whole_process_group_lets_the_stream_finish(tmp_path):
    stream_then_stop(tmp_path, lambda server: os.killpg(server.process.pid, signal.SIGTERM))


def stream_then_stop(root: Path, stop, server_name: str = "waitress") -> None:
    """Start the uncached audio of a whole page, `stop` the server after its first piece,
    then read the rest: all of it must come, be stored, and nothing be left behind."""
    content = root / "content"
    shutil.copytree(CONTENT, content)
    server = launch(root, content, server=server_name).wait_listening()
    try:
        status, _, body = server.get(f"/r/{SLUG}/1/speech.json")
        assert status == 200
        page_audio = json.loads(body)["page_audio"]
        assert page_audio, "the server has no voice: espeak-ng must be installed"

        conn = server.connection()
        conn.request("GET", page_audio)
        response = conn.getresponse()
        assert response.status == 200
        first = response.read1(1024)
        assert first
        signalled = time.monotonic()
        stop(server)
        refused = False
        while time.monotonic() - signalled < 2 and not refused:
            refused = not server.listening()
        rest = response.read()  # the rest of the stream, to its last chunk
        conn.close()
        assert refused, "the server still took new connections after the signal"
        assert server.wait(GRACE + 5) == 0, server.log()
    finally:
        server.process.kill()
        server.process.wait()
    assert time.monotonic() - signalled < GRACE, "the stop took longer than the grace period"

    mp3 = first + rest
    assert mp3_duration(mp3) > 10, "a page read aloud lasts more than ten seconds"
    assert sum(length for _, length, _, _ in mp3_frames(mp3)) == len(mp3), "not whole MP3 frames"
    key = page_audio.rsplit("/", 1)[1].removesuffix(".mp3")
    stored = root / "instance" / "audio" / key[:2] / f"{key}.mp3"
    assert stored.read_bytes() == mp3, "the stored audio is not what the listener heard"
    assert leftovers(root) == []


def test_a_stop_during_the_first_library_build_leaves_nothing_and_the_next_start_serves(tmp_path):
    content = many_reports(tmp_path)
    server = launch(tmp_path, content)
    try:
        wait_for_build(tmp_path, server)
        server.signal(signal.SIGTERM)
        assert server.wait(GRACE + 5) == 0, server.log()
    finally:
        server.process.kill()
        server.process.wait()
    assert leftovers(tmp_path) == []

    server = launch(tmp_path, content).wait_listening()
    try:
        status, _, body = server.get(f"/r/{SLUG}-7/1")
        assert status == 200
        assert "南区街道召开干部大会" in body.decode()
        server.signal(signal.SIGINT)
        assert server.wait(GRACE + 5) == 0, server.log()
    finally:
        server.process.kill()
        server.process.wait()
    assert leftovers(tmp_path) == []


def updating(content: Path, root: Path) -> bool:
    """Whether a server holds the library's update lock (library.update) now."""
    lock = root / "instance" / (config.library_name(content) + library.LOCK_SUFFIX)
    if not lock.exists():
        return False
    with lock.open("rb") as file:
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(file, fcntl.LOCK_UN)
        return False


def test_a_stop_during_an_update_leaves_the_old_library_and_the_next_start_ends_it(tmp_path):
    content = many_reports(tmp_path)
    server = launch(tmp_path, content, SHUTDOWN_GRACE_SECONDS=0.1, LIBRARY_CHECK_SECONDS=0)
    try:
        server.wait_listening()
        settled = time.time_ns() - 60 * 10**9
        for n in range(COPIES, 2 * COPIES):  # new reports, read by the watcher, not a request
            new = content / f"{SLUG}-{n}.txt"
            shutil.copyfile(CONTENT / f"{SLUG}.txt", new)
            os.utime(new, ns=(settled, settled))
        deadline = time.monotonic() + START_TIMEOUT
        while not updating(content, tmp_path):
            assert time.monotonic() < deadline, f"no update was seen:\n{server.log()}"
            time.sleep(0.002)
        status, _, body = server.get(f"/r/{SLUG}-7/1")  # answered during the update
        assert status == 200 and "南区街道召开干部大会" in body.decode()
        server.signal(signal.SIGTERM)
        assert server.wait(GRACE + 5) == 0, server.log()
    finally:
        server.process.kill()
        server.process.wait()
    assert leftovers(tmp_path) == []

    server = launch(tmp_path, content).wait_listening()
    try:
        assert server.get(f"/r/{SLUG}-7/1")[0] == 200
        assert server.get(f"/r/{SLUG}-{2 * COPIES - 1}/1")[0] == 200
        server.signal(signal.SIGTERM)
        assert server.wait(GRACE + 5) == 0, server.log()
    finally:
        server.process.kill()
        server.process.wait()


@pytest.mark.parametrize("server_name", ["waitress", "gunicorn"])
def test_start_up_removes_stale_temporary_files_then_logs_and_reports_health(tmp_path, server_name):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    (content / "scan.txt").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    instance, bucket = tmp_path / "instance", tmp_path / "instance" / "audio" / "ab"
    bucket.mkdir(parents=True)
    crashed_build = instance / f"{config.library_name(content)}.4194305.140000000000.tmp"  # no pid
    crashed_audio = bucket / ".tmp-k2j4l9x.mp3"
    being_written = bucket / ".tmp-a8c1q0z.mp3"  # by `reader synthesise`, say: too new to touch
    for path in (crashed_build, crashed_build.with_name(crashed_build.name + "-journal"),
                 crashed_audio, being_written):  # fmt: skip
        path.write_bytes(b"\xff\xfb" * 100)
    os.utime(crashed_audio, (time.time() - 120, time.time() - 120))
    access_log, error_log = tmp_path / "access.log", tmp_path / "error.log"

    server = launch(
        tmp_path, content, server=server_name, ACCESS_LOG=str(access_log), ERROR_LOG=str(error_log)
    )
    try:
        server.wait_listening()
        assert leftovers(tmp_path) == ["instance/audio/ab/.tmp-a8c1q0z.mp3"]

        status, headers, body = server.get("/healthz")
        assert status == 200
        assert "no-store" in headers["Cache-Control"]
        health = json.loads(body)
        assert health["status"] == "ok"
        assert health["library"]["reports"] == len(list(CONTENT.glob("*.txt")))
        assert health["library"]["fingerprint"]
        assert health["speech"]["state"] == "not started", "/healthz started a voice"

        assert server.get(f"/r/{SLUG}/1")[0] == 200
        assert server.get("/r/no-such-report/1")[0] == 404
        server.signal(signal.SIGINT)
        assert server.wait(GRACE + 5) == 0, server.log()
    finally:
        server.process.kill()
        server.process.wait()

    lines = access_log.read_text().splitlines()
    page = [line for line in lines if f"path=/r/{SLUG}/1 " in line]
    missing = [line for line in lines if "path=/r/no-such-report/1 " in line]
    assert len(page) == 1 and " status=200 " in page[0] and " method=GET " in page[0]
    assert len(missing) == 1 and " status=404 " in missing[0]
    for field in ("client=127.0.0.1", "bytes=", "ms="):
        assert field in page[0]
    errors = error_log.read_text()
    assert "scan.txt" in errors, "the report that could not be served is not in the error log"
    assert "path=" not in errors, "requests belong in the access log only"


def test_health_is_degraded_but_up_when_the_server_voice_is_not_working(tmp_path):
    from reader.web import create_app

    app = create_app({"CONTENT_DIR": str(CONTENT), "INSTANCE_DIR": str(tmp_path / "instance")})
    app.extensions["speech_synthesiser"].close()  # as on a stop: no voice any more
    response = app.test_client().get("/healthz")
    assert response.status_code == 200, "pages are still served: the browser speaks"
    assert response.json["status"] == "degraded"
    assert response.json["speech"]["state"] == "degraded"
    assert response.json["library"]["reports"] == len(list(CONTENT.glob("*.txt")))


def test_health_is_503_when_the_library_cannot_be_read(tmp_path):
    from reader.web import create_app

    instance = tmp_path / "instance"
    app = create_app(
        {"CONTENT_DIR": str(CONTENT), "INSTANCE_DIR": str(instance), "LIBRARY_CHECK_SECONDS": 0}
    )
    database = Path(app.config["DATABASE"])
    database.unlink()
    database.mkdir()  # where the library was, something it can neither read nor replace
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "down"
    assert response.json["library"]["error"]
    assert str(tmp_path) not in response.get_data(as_text=True), "the server's paths are its own"
    assert leftovers(tmp_path) == []


def test_a_log_that_cannot_be_written_stops_serve_with_one_line(tmp_path):
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "config.py").write_text(f"ERROR_LOG = {str(tmp_path / 'no' / 'e.log')!r}\n")
    result = subprocess.run(
        [str(READER), "serve", "--port", "0", "--content", str(CONTENT)],
        cwd=tmp_path, capture_output=True, text=True, timeout=START_TIMEOUT,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"cannot write the log {tmp_path / 'no' / 'e.log'}: No such file or directory"
    ]
