"""A damaged or unwritable audio cache, met through the app as a listener meets it.

Real espeak-ng, real files cut short or overwritten, a cache directory made read-only by a
read-only bind mount of itself (as root, where permissions stop nothing) or by its
permissions (as anyone else), and a disk really filled: a tmpfs of 1 MiB mounted over the
cache. What is asserted is what the listener gets: a status that is never 500, a body that
is whole MP3, an ETag that is the hash of that body, and the files left on disk.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import os
import subprocess
from pathlib import Path

import pytest
from browser.harness import serve_wsgi
from conftest import CONTENT

from reader.speech.mp3 import mp3_duration, mp3_frames
from reader.web import create_app

pytestmark = pytest.mark.speech

SHORT = "zs-nanqu-2024-cadre-meeting"  # a few short pages
SLUG = "zs-dongqu-2020-work-plan"  # 11 pages


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": str(CONTENT),
            "INSTANCE_DIR": str(tmp_path_factory.mktemp("instance")),
            "SPEECH_TIMEOUT": 10,
        }
    )
    yield app
    app.extensions["speech_synthesiser"].close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def cache(app):
    return app.extensions["audio_cache"]


def manifest_of(client, slug, n, query=""):
    response = client.get(f"/r/{slug}/{n}/speech.json{query}")
    assert response.status_code == 200, response.status_code
    return response.get_json()


def sentence_url(client, n, query=""):
    """The audio URL of sentence `n` of SHORT's first page, its record written by the manifest."""
    return manifest_of(client, SHORT, 1, query)["sentences"][n]["audio"]


def key_of(url: str) -> str:
    return url.rsplit("/", 1)[1].removesuffix(".mp3")


def fetch(client, url, **headers):
    with client.get(url, headers=headers) as response:
        response.body = response.get_data()
        return response


def assert_whole_mp3(body: bytes) -> None:
    """MP3 frames end to end, lasting as long as a short sentence takes to say."""
    frames = list(mp3_frames(body))
    assert frames and sum(length for _, length, _, _ in frames) == len(body), len(body)
    assert mp3_duration(body) > 0.3


def leftovers(directory: Path) -> list[str]:
    """Temporary files a write left behind."""
    return sorted(p.name for p in directory.rglob(".tmp*"))


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True)


def _umount(directory: Path) -> None:
    if subprocess.run(["umount", str(directory)], capture_output=True).returncode:
        subprocess.run(["umount", "-l", str(directory)], check=True)


def _may_mount() -> bool:
    return os.geteuid() == 0 and subprocess.run(["which", "mount"], capture_output=True).returncode == 0


@contextlib.contextmanager
def read_only(directory: Path):
    """`directory` unwritable for real while inside: as root (whom permissions do not stop)
    a read-only bind mount of itself, as anyone else its permissions and its folders'."""
    directory.mkdir(parents=True, exist_ok=True)
    if _may_mount():
        _mount("--bind", str(directory), str(directory))
        try:
            _mount("-o", "remount,ro,bind", str(directory), str(directory))
            yield
        finally:
            _umount(directory)
    else:
        folders = [directory, *(p for p in directory.rglob("*") if p.is_dir())]
        for folder in folders:
            folder.chmod(0o555)
        try:
            yield
        finally:
            for folder in folders:
                folder.chmod(0o755)


@contextlib.contextmanager
def tiny_disk(directory: Path):
    """A 1 MiB tmpfs mounted over `directory` while inside: fill it with `fill_up`."""
    if not _may_mount():
        pytest.skip("filling a disk for real needs a tmpfs mount, which needs root")
    directory.mkdir(parents=True, exist_ok=True)
    _mount("-t", "tmpfs", "-o", "size=1m", "tmpfs", str(directory))
    try:
        yield
    finally:
        _umount(directory)


def fill_up(directory: Path) -> None:
    """Write a file until the disk under `directory` has not a byte left."""
    with open(directory / "filler", "wb", buffering=0) as filler, contextlib.suppress(OSError):
        while True:
            filler.write(b"\0" * 4096)
    with pytest.raises(OSError):
        (directory / "probe").write_bytes(b"x" * 4096)


# --- files damaged on disk ---------------------------------------------------------------

DAMAGE = {
    "truncated": lambda data: data[: len(data) // 2 + 3],
    "empty": lambda data: b"",
    # same size, so only the bytes themselves can tell
    "garbage": lambda data: (b"<html><h1>502 Bad Gateway</h1></html>\n" * len(data))[: len(data)],
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_mp3_is_made_again_and_served_whole(client, cache, damage):
    url = sentence_url(client, 3)
    first = fetch(client, url)
    assert first.status_code == 200
    assert_whole_mp3(first.body)
    path = cache.path(key_of(url))
    path.write_bytes(DAMAGE[damage](path.read_bytes()))

    healed = fetch(client, url)
    assert healed.status_code == 200
    assert_whole_mp3(healed.body)
    assert path.read_bytes() == healed.body  # the damaged file was replaced on disk
    again = fetch(client, url, Range="bytes=0-")
    assert again.status_code in (200, 206) and again.body == healed.body
    assert leftovers(path.parent) == []


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_a_damaged_mp3_is_never_sent_as_part_of_a_range(client, cache, damage):
    url = sentence_url(client, 5)
    whole = fetch(client, url).body
    path = cache.path(key_of(url))
    path.write_bytes(DAMAGE[damage](whole))
    part = fetch(client, url, Range="bytes=0-199")
    assert part.status_code == 206
    assert part.body == path.read_bytes()[:200]
    assert_whole_mp3(path.read_bytes())


def test_the_etag_is_the_hash_of_the_bytes_sent(client):
    url = sentence_url(client, 6)
    streamed = fetch(client, url)  # made while it is sent: its hash is not yet known
    assert streamed.status_code == 200 and streamed.get_etag() == (None, None)
    stored = fetch(client, url)
    digest = hashlib.sha256(stored.body).hexdigest()
    assert stored.body == streamed.body
    assert stored.get_etag() == (digest, False)
    assert stored.cache_control.immutable
    part = fetch(client, url, Range="bytes=10-19")
    assert part.status_code == 206 and part.get_etag() == (digest, False)
    assert fetch(client, url, **{"If-None-Match": f'"{digest}"'}).status_code == 304
    assert fetch(client, url, **{"If-None-Match": f'"{key_of(url)}"'}).status_code == 200


def test_regenerated_audio_carries_the_hash_of_its_own_bytes(client, cache):
    url = sentence_url(client, 6)
    fetch(client, url)
    path = cache.path(key_of(url))
    path.write_bytes(b"")
    regenerated = fetch(client, url, Range="bytes=0-")
    body = path.read_bytes()
    assert_whole_mp3(body)
    if regenerated.get_etag() != (None, None):  # answered from the new file
        assert regenerated.get_etag() == (hashlib.sha256(body).hexdigest(), False)
    assert fetch(client, url).get_etag() == (hashlib.sha256(body).hexdigest(), False)


RECORD_DAMAGE = {
    "cut short": lambda data: data[: len(data) // 2],
    "not a record": lambda data: b'["spoken", "voice"]',
    "another key's record": lambda data: data.replace(b'"slow"', b'"fast"'),
}


@pytest.mark.parametrize("made", [False, True], ids=["before the audio is made", "after"])
@pytest.mark.parametrize("damage", RECORD_DAMAGE)
def test_a_damaged_record_is_unknown_audio_until_the_manifest_writes_it_again(
    client, cache, damage, made
):
    url = sentence_url(client, 7, "?rate=slow")
    if made:
        fetch(client, url)
    record = cache.record_path(key_of(url))
    record.write_bytes(RECORD_DAMAGE[damage](record.read_bytes()))

    assert fetch(client, url).status_code == 404
    assert client.head(url).status_code == 404
    assert sentence_url(client, 7, "?rate=slow") == url  # the same key, its record rewritten
    again = fetch(client, url)
    assert again.status_code == 200
    assert_whole_mp3(again.body)


# --- a cache that cannot be written --------------------------------------------------------

def test_a_read_only_cache_falls_back_to_the_browser_voice_and_still_streams(app, client, cache):
    ready = sentence_url(client, 4, "?voice=yue")  # record written, audio not yet made
    with read_only(cache.directory):
        with pytest.raises(OSError):
            (cache.directory / "probe").write_bytes(b"")
        manifest = manifest_of(client, SLUG, 3, "?voice=yue")
        assert manifest["page_audio"] is None
        assert manifest["sentences"] and all(s["audio"] is None for s in manifest["sentences"])
        assert all(s["spoken"] for s in manifest["sentences"])
        page = client.get(f"/r/{SLUG}/3/audio.mp3?voice=yue")
        assert page.status_code == 503 and page.headers["Retry-After"]

        streamed = fetch(client, ready)
        assert streamed.status_code == 200
        assert_whole_mp3(streamed.body)
        part = fetch(client, ready, Range="bytes=100-199")
        assert part.status_code == 206
        assert_whole_mp3(fetch(client, ready).body)
        assert not cache.path(key_of(ready)).exists()
    assert leftovers(cache.directory) == []


def test_through_a_real_server_a_read_only_cache_never_answers_500(app, client, cache):
    ready = sentence_url(client, 6, "?voice=yue")  # record written, audio not yet made
    with read_only(cache.directory), serve_wsgi(app) as base_url:
        server = http.client.HTTPConnection(base_url.removeprefix("http://"), timeout=30)

        def ask(method, path):
            server.request(method, path)
            response = server.getresponse()
            return response.status, response.getheader("Content-Type"), response.read()

        status, _, body = ask("GET", f"/r/{SLUG}/5/speech.json?voice=yue")
        assert status == 200
        assert all(s["audio"] is None for s in json.loads(body)["sentences"])
        assert ask("GET", f"/r/{SLUG}/5/audio.mp3?voice=yue")[0] == 503
        status, kind, body = ask("GET", ready)  # streamed, chunk by chunk, to its end
        assert (status, kind) == (200, "audio/mpeg")
        assert_whole_mp3(body)
        assert ask("HEAD", ready)[:2] == (200, "audio/mpeg")
        server.close()
    assert not cache.path(key_of(ready)).exists()
    assert leftovers(cache.directory) == []


def test_a_cache_folder_that_is_a_file_falls_back_to_the_browser_voice(tmp_path):
    audio_dir = tmp_path / "audio"
    audio_dir.write_bytes(b"not a folder")
    app = create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": str(CONTENT),
            "INSTANCE_DIR": str(tmp_path / "instance"),
            "AUDIO_DIR": str(audio_dir),
        }
    )
    try:
        client = app.test_client()
        manifest = manifest_of(client, SHORT, 1)
        assert all(s["audio"] is None for s in manifest["sentences"])
        assert client.get(f"/r/{SHORT}/1/audio.mp3").status_code == 503
        assert client.get(f"/audio/{'a' * 64}.mp3").status_code == 503
    finally:
        app.extensions["speech_synthesiser"].close()


def test_a_full_disk_streams_without_storing_and_leaves_nothing_behind(client, cache):
    with tiny_disk(cache.directory):
        ready = sentence_url(client, 3)
        fill_up(cache.directory)

        streamed = fetch(client, ready)
        assert streamed.status_code == 200
        assert_whole_mp3(streamed.body)
        whole = fetch(client, ready, **{"If-None-Match": '"0"'})  # not streamed
        assert whole.status_code == 200
        assert_whole_mp3(whole.body)
        assert whole.get_etag() == (hashlib.sha256(whole.body).hexdigest(), False)
        part = fetch(client, ready, Range="bytes=100-199")
        assert part.status_code == 206 and len(part.body) == 100

        manifest = manifest_of(client, SLUG, 4)
        assert all(s["audio"] is None for s in manifest["sentences"])
        assert client.get(f"/r/{SLUG}/4/audio.mp3").status_code == 503
        assert not cache.path(key_of(ready)).exists()
        assert leftovers(cache.directory) == []


# --- HEAD ------------------------------------------------------------------------------------

def test_head_answers_from_the_record_without_making_audio(app, client, cache):
    synthesiser = app.extensions["speech_synthesiser"]
    url = sentence_url(client, 5, "?rate=fast")
    fetch(client, sentence_url(client, 3))  # the voice is up
    spoken, workers = synthesiser.utterances, synthesiser.worker_pids()

    response = client.head(url)
    assert response.status_code == 200
    assert response.mimetype == "audio/mpeg" and response.data == b""
    assert response.headers["Accept-Ranges"] == "bytes"
    assert synthesiser.utterances == spoken and synthesiser.worker_pids() == workers
    assert not cache.path(key_of(url)).exists()

    body = fetch(client, url).body
    made = client.head(url)
    assert made.status_code == 200 and made.data == b""
    assert made.headers["Content-Length"] == str(len(body))
    assert made.get_etag() == (hashlib.sha256(body).hexdigest(), False)
    assert client.head(f"/audio/{'b' * 64}.mp3").status_code == 404
