"""Faults met through a real `reader serve` process and plain HTTP, as a listener meets them.

Each test starts the server a user runs (tests/live_server.py), causes the fault for
real (an MP3 or request record damaged on disk, the voice worker SIGKILLed while its
audio is being sent, espeak-ng unable to start), then asserts what the listener gets:
a status that is never 500, audio that is whole MP3 or no audio URL at all (the
player's browser voice), an answer that never hangs; and what is left on disk: the
audio made again, no temporary file.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import signal
import time
from pathlib import Path

import pytest
from conftest import CONTENT
from live_server import Server, launch, leftovers

from reader.speech.mp3 import mp3_duration, mp3_frames

pytestmark = pytest.mark.speech

SHORT = "zs-nanqu-2024-cadre-meeting"  # a few short pages
LONG = "zs-dongqu-2020-work-plan"  # the longest report: with PAGE_CHARS below, a long page
LONG_PAGE_CHARS = 3000  # about two seconds of synthesis for its first page


def whole_mp3(body: bytes) -> bool:
    """Every byte an MP3 frame, lasting at least as long as a short sentence takes to say."""
    length = sum(size for _, size, _, _ in mp3_frames(body))
    return bool(body) and length == len(body) and mp3_duration(body) > 0.3


def key_of(url: str) -> str:
    return url.rsplit("/", 1)[1].removesuffix(".mp3")


def stored(server: Server, url: str) -> Path:
    key = key_of(url)
    return server.root / "instance" / "audio" / key[:2] / f"{key}.mp3"


def manifest(server: Server, slug: str, n: int) -> dict:
    status, _, body = server.get(f"/r/{slug}/{n}/speech.json")
    assert status == 200, body
    return json.loads(body)


def etag(headers: dict[str, str]) -> str | None:
    """The entity tag sent, unquoted (waitress spells the header "Etag")."""
    tags = [value.strip('"') for name, value in headers.items() if name.lower() == "etag"]
    return tags[0] if tags else None


@pytest.fixture
def stop():
    """Kill the servers a test started, whatever happened to it."""
    servers: list[Server] = []
    yield servers.append
    for server in servers:
        server.process.kill()
        server.process.wait()


def started(stop, root: Path, **launched) -> Server:
    server = launch(root, CONTENT, **launched)
    stop(server)
    return server.wait_listening()


# --- files corrupted -------------------------------------------------------------------

DAMAGE = {
    "truncated": lambda data: data[: len(data) // 2 + 3],
    # same size, so only the bytes themselves can tell
    "garbage": lambda data: (b"<html><h1>502 Bad Gateway</h1></html>\n" * len(data))[: len(data)],
}


def test_a_damaged_mp3_or_request_record_is_made_again(tmp_path, stop):
    server = started(stop, tmp_path)
    url = manifest(server, SHORT, 1)["sentences"][3]["audio"]
    assert url, "the server has no voice: espeak-ng must be installed"
    status, _, first = server.get(url)  # made, streamed and stored
    assert status == 200 and whole_mp3(first)
    path = stored(server, url)
    assert path.read_bytes() == first

    for damage, spoil in DAMAGE.items():
        path.write_bytes(spoil(path.read_bytes()))
        status, headers, healed = server.get(url)
        assert status == 200, damage
        assert whole_mp3(healed), f"{damage}: the listener got {len(healed)} bytes not all MP3"
        assert etag(headers) in (None, hashlib.sha256(healed).hexdigest()), damage
        assert path.read_bytes() == healed, f"{damage}: the damaged file is still on disk"
        status, headers, again = server.get(url)  # now from the stored file, with its tag
        assert status == 200 and again == healed
        assert etag(headers) == hashlib.sha256(again).hexdigest(), damage

    record = path.with_suffix(".json")
    record.write_text('{"spoken": "城市更新', encoding="utf-8")  # cut short: not JSON
    status, _, _ = server.get(url)
    assert status == 404, "audio was served on a record that cannot vouch for it"
    assert manifest(server, SHORT, 1)["sentences"][3]["audio"] == url  # the record written again
    status, headers, remade = server.get(url)
    assert status == 200 and whole_mp3(remade)
    assert json.loads(record.read_bytes())["mp3"]["sha256"] == hashlib.sha256(remade).hexdigest()
    assert leftovers(tmp_path) == []


# --- a worker killed mid-request -------------------------------------------------------


def voice_workers(server: Server) -> list[int]:
    """The server's voice worker processes: its children started by multiprocessing spawn."""
    workers = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            parent = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (proc / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if parent == server.process.pid and b"spawn_main" in cmdline:
            workers.append(int(proc.name))
    return workers


def test_a_voice_worker_killed_while_its_audio_is_sent_is_replaced(tmp_path, stop):
    server = started(stop, tmp_path, PAGE_CHARS=LONG_PAGE_CHARS)
    status, headers, _ = server.get(f"/r/{LONG}/1/audio.mp3")
    assert status == 302
    url = headers["Location"].removeprefix(f"http://127.0.0.1:{server.port}")
    assert url.startswith("/audio/")
    (worker,) = voice_workers(server)  # started to name the voice in the key

    conn = server.connection(timeout=10)
    conn.request("GET", url)
    response = conn.getresponse()
    assert response.status == 200
    heard = response.read1(1024)
    assert heard
    os.kill(worker, signal.SIGKILL)
    killed = time.monotonic()
    cut_short = False
    try:
        while piece := response.read1(65536):
            heard += piece
    except (http.client.HTTPException, OSError):
        cut_short = True  # the stream ended without its last chunk: the player sees an error
    finally:
        conn.close()
    assert time.monotonic() - killed < 5, "the listener was left waiting on a dead voice"
    if not cut_short:  # the worker died between two sentences and the next one was retried
        assert whole_mp3(heard)
    assert list(mp3_frames(heard)), "what the listener got before the cut is not MP3"

    replacements = voice_workers(server)
    assert len(replacements) == 1 and worker not in replacements, "the worker was not replaced"
    status, _, retried = server.get(url)
    assert status == 200
    assert whole_mp3(retried) and mp3_duration(retried) > 30, "a long page lasts minutes"
    assert stored(server, url).read_bytes() == retried
    assert leftovers(tmp_path) == []
    status, _, page = server.get(f"/r/{LONG}/1")
    assert status == 200 and "东区" in page.decode()


# --- the engine absent -----------------------------------------------------------------


def test_no_voice_engine_gives_pages_and_the_browser_voice_without_a_storm(tmp_path, stop):
    no_voices = tmp_path / "espeak-ng-data"
    no_voices.mkdir()  # espeak-ng finds no voices, phonemes or dictionaries here
    error_log = tmp_path / "error.log"
    server = started(
        stop, tmp_path, env={**os.environ, "ESPEAK_DATA_PATH": str(no_voices)},
        ERROR_LOG=str(error_log),
    )  # fmt: skip

    status, _, page = server.get(f"/r/{SHORT}/1")
    assert status == 200 and "南区街道召开干部大会" in page.decode()
    began = time.monotonic()
    manifests = [manifest(server, SHORT, 1 + n % 2) for n in range(10)]
    assert time.monotonic() - began < 2, "each manifest waited on a voice that cannot start"
    for answer in manifests:
        assert answer["page_audio"] is None
        assert answer["sentences"] and all(s["audio"] is None for s in answer["sentences"])
        assert all(s["spoken"] for s in answer["sentences"]), "nothing for the browser to say"

    status, headers, body = server.get("/healthz")
    assert status == 200, "pages are served: a load balancer must keep the server"
    assert json.loads(body)["speech"]["state"] == "degraded"

    for n in (1, 2):
        status, headers, body = server.get(f"/r/{SHORT}/{n}/audio.mp3")
        assert status == 503, body
        assert int(headers["Retry-After"]) > 0

    logged = error_log.read_text().splitlines()  # espeak-ng's own complaint goes to stderr
    failed_starts = [line for line in logged if "speech from the browser, next try in" in line]
    assert 1 <= len(failed_starts) <= 2, logged
    assert len(logged) <= 2 * len(failed_starts), f"a line a request, not a start: {logged}"
    assert len([line for line in server.log().splitlines() if "espeak-ng-data" in line]) <= 2
    assert "Traceback" not in error_log.read_text() + server.log()
    assert leftovers(tmp_path) == []
