"""Serving many readers cheaply: validators and 304s, rendered pages kept per reader,
compression, and the speech pool that keeps read-aloud from taking every thread.

Through the Flask test client with the real library and real espeak-ng; the pages a
reader is sent are read as HTML (theme class, text), never compared as raw strings.
"""

from __future__ import annotations

import gzip
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import time

import brotli
import pytest
from bs4 import BeautifulSoup
from conftest import CONTENT, REPO, soup_of
from live_server import GRACE, launch

from reader.web import create_app

SLUG = "zs-xiqu-2023-work-plan"
PAGE = f"/r/{SLUG}/2"
READING_URLS = [f"/r/{SLUG}/", PAGE, f"/r/{SLUG}/all", f"/r/{SLUG}/outline"]


@pytest.fixture(scope="module")
def shared_app(tmp_path_factory):
    root = tmp_path_factory.mktemp("serving")
    return create_app(
        {"TESTING": True, "CONTENT_DIR": str(CONTENT), "INSTANCE_DIR": str(root / "instance"),
         "SPEECH_DISABLED": True}
    )  # fmt: skip


def soup_of_bytes(html: bytes) -> BeautifulSoup:
    return BeautifulSoup(html, "lxml")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def html_classes(response) -> set[str]:
    return set(soup_of(response).html["class"])


@pytest.mark.parametrize("url", READING_URLS)
def test_a_page_seen_again_is_304_until_the_settings_change(shared_app, url):
    client = shared_app.test_client()
    first = client.get(url)
    assert first.status_code == 200
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    assert "no-cache" in first.headers["Cache-Control"]
    assert {"Cookie", "Accept-Encoding"} <= set(first.headers["Vary"].replace(" ", "").split(","))

    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""

    client.get("/settings?theme=black-yellow&next=/")
    changed = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200, "a new theme was answered with the old page's 304"
    assert changed.headers["ETag"] != first.headers["ETag"]
    assert "rd-theme--black-yellow" in html_classes(changed)


def test_two_readers_with_different_settings_never_get_each_others_page(shared_app):
    plain, big_yellow, english = (shared_app.test_client() for _ in range(3))
    big_yellow.get("/settings?theme=black-yellow&size=5&next=/")
    english.get("/settings?lang=en&script=hant&next=/")
    for _ in range(2):  # the second round comes from the store of rendered pages
        pages = {name: c.get(PAGE) for name, c in
                 (("plain", plain), ("big_yellow", big_yellow), ("english", english))}  # fmt: skip
        assert "rd-theme--black-yellow" not in html_classes(pages["plain"])
        assert {"rd-theme--black-yellow", "rd-size--5"} <= html_classes(pages["big_yellow"])
        assert soup_of(pages["english"]).html["lang"] == "en"
        assert "黨建" in soup_of(pages["english"]).find(id="rd-text").get_text()
        assert "党建" in soup_of(pages["plain"]).find(id="rd-text").get_text()
        assert len({p.headers["ETag"] for p in pages.values()}) == 3


def test_search_marks_and_the_toolbar_asked_in_the_address_are_part_of_the_page(shared_app):
    client = shared_app.test_client()
    plain = soup_of(client.get(PAGE))
    marked = soup_of(client.get(PAGE + "?q=党建"))
    toolbar = client.get(PAGE + "?toolbar=theme")
    assert not plain.select("mark.rd-mark") and marked.select("mark.rd-mark")
    assert [d["id"] for d in soup_of(toolbar).select("details[open]")] == ["rd-toolbar-theme"]
    assert not plain.select("details[open]")


def test_a_printout_never_carries_another_readers_place(shared_app):
    """Outside a kiosk a page is rendered once for every reader with the same settings, so
    its printout's QR code leads to the page, not to where one reader had got to."""
    first, second = shared_app.test_client(), shared_app.test_client()
    first.set_cookie("rd_last_read", f"{SLUG}:2:4")
    second.set_cookie("rd_last_read", f"{SLUG}:2:9")
    for client in (first, second, first):
        printout = soup_of(client.get(PAGE)).select_one(".rd-printout").get_text()
        assert f"/go{PAGE}" in printout and "from=" not in printout


def test_the_cover_shows_the_place_last_read_whatever_is_kept(shared_app):
    client = shared_app.test_client()
    before = soup_of(client.get(f"/r/{SLUG}/"))
    client.get(f"/r/{SLUG}/3")  # sets 继续阅读's cookie, also when the page comes from the store
    after = soup_of(client.get(f"/r/{SLUG}/"))
    continued = [a["href"] for a in after.select("a") if a["href"].startswith(f"/r/{SLUG}/3")]
    assert continued and not [a for a in before.select("a") if a["href"].startswith(f"/r/{SLUG}/3#")]
    again = client.get(f"/r/{SLUG}/3", headers={"If-None-Match": client.get(f"/r/{SLUG}/3").headers["ETag"]})
    assert again.status_code == 304
    assert "rd_last_read=" in again.headers["Set-Cookie"], "a 304 must still keep the place"


def test_a_changed_library_changes_the_etag_and_the_page(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    app = create_app({"TESTING": True, "CONTENT_DIR": str(content), "LIBRARY_CHECK_SECONDS": 0,
                      "INSTANCE_DIR": str(tmp_path / "instance"), "SPEECH_DISABLED": True})  # fmt: skip
    client = app.test_client()
    first = client.get(f"/r/{SLUG}/1")
    source = content / f"{SLUG}.txt"
    source.write_text(source.read_text(encoding="utf-8").replace("西区", "西城区", 3), encoding="utf-8")
    an_hour_ago = time.time() - 3600  # settled: not a file still being copied in
    os.utime(source, (an_hour_ago, an_hour_ago))
    from reader.web import store

    with app.app_context():
        store.connection()  # a request never builds: the watcher updates the library in place
        store.wait_for_build(app, 60)
    changed = client.get(f"/r/{SLUG}/1", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != first.headers["ETag"]
    assert "西城区" in soup_of(changed).get_text()


@pytest.mark.parametrize(("encoding", "decode"), [("gzip", gzip.decompress), ("br", brotli.decompress)])
@pytest.mark.parametrize("url", [PAGE, "/search?q=发展", f"/r/{SLUG}/2/speech.json"])
def test_text_is_compressed_as_asked_and_decodes_to_the_same_page(shared_app, url, encoding, decode):
    client = shared_app.test_client()
    raw = client.get(url, headers={"Accept-Encoding": "identity"})
    packed = client.get(url, headers={"Accept-Encoding": f"{encoding}, identity;q=0.5"})
    assert "Content-Encoding" not in raw.headers
    assert packed.headers["Content-Encoding"] == encoding
    assert decode(packed.data) == raw.data
    assert len(packed.data) < len(raw.data) / 2
    if "ETag" in packed.headers:  # each encoding its own validator, and each answers 304
        assert packed.headers["ETag"] != raw.headers["ETag"]
        again = client.get(url, headers={"Accept-Encoding": encoding, "If-None-Match": packed.headers["ETag"]})
        assert again.status_code == 304


# --- the speech pool ----------------------------------------------------------------------


@pytest.mark.speech
def test_past_the_speech_pools_capacity_new_audio_is_503_with_retry_after(tmp_path):
    app = create_app({"TESTING": True, "CONTENT_DIR": str(CONTENT), "SPEECH_REQUESTS": 1,
                      "INSTANCE_DIR": str(tmp_path / "instance")})  # fmt: skip
    client = app.test_client()
    try:
        manifest = client.get(f"/r/{SLUG}/1/speech.json").json
        first, second = (s["audio"] for s in manifest["sentences"][:2])
        streaming = client.get(first)  # its voice has started; the stream holds the one place
        assert streaming.status_code == 200
        refused = client.get(second)
        assert refused.status_code == 503 and int(refused.headers["Retry-After"]) > 0
        assert client.get("/healthz").json["speech"]["pool"] == {"capacity": 1, "in_use": 1, "refused": 1}
        assert client.get(PAGE).status_code == 200, "pages are served meanwhile"
        assert len(streaming.data) > 1000  # the first listener hears it all
        streaming.close()
        for url in (second, first):  # the place is free again; audio made takes no place
            with client.get(url) as made:
                assert made.status_code == 200
        assert client.get("/healthz").json["speech"]["pool"]["in_use"] == 0
    finally:
        app.extensions["speech_synthesiser"].close()


# --- behind nginx, with docs/nginx.conf -----------------------------------------------------

NGINX = "/usr/sbin/nginx"
NGINX_MAIN = """daemon off; master_process off; worker_processes 1;
pid {root}/nginx.pid; error_log {root}/error.log;
events {{ worker_connections 64; }}
http {{
  include /etc/nginx/mime.types; access_log off;
  client_body_temp_path {root}/body; proxy_temp_path {root}/proxy; fastcgi_temp_path {root}/fcgi;
  uwsgi_temp_path {root}/uwsgi; scgi_temp_path {root}/scgi;
  include {root}/reader.conf;
}}
"""


def documented_nginx(root, app_port: int) -> tuple[subprocess.Popen, int]:
    """Debian's nginx, unprivileged in `root`, running docs/nginx.conf with only the lines
    it marks "test:" changed."""
    port = free_port()
    conf = (REPO / "docs" / "nginx.conf").read_text(encoding="utf-8")
    for old, new in (("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};"),
                     ("/var/cache/nginx/yidu-audio", str(root / "audio-cache")),
                     ("listen 80;", f"listen 127.0.0.1:{port};")):  # fmt: skip
        assert conf.count(old) == 1, f"docs/nginx.conf no longer has {old!r}"
        conf = conf.replace(old, new)
    (root / "reader.conf").write_text(conf, encoding="utf-8")
    (root / "nginx.conf").write_text(NGINX_MAIN.format(root=root), encoding="utf-8")
    process = subprocess.Popen(
        [NGINX, "-p", str(root), "-c", str(root / "nginx.conf"), "-e", str(root / "error.log")],
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, port
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"nginx did not start: {(root / 'error.log').read_text()}")
            time.sleep(0.05)


def fetch(port: int, path: str, **headers) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers={k.replace("_", "-"): v for k, v in headers.items()})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


@pytest.mark.speech
def test_the_documented_nginx_config_serves_the_reader_compressed_with_audio_cached(tmp_path):
    app_root, proxy_root = tmp_path / "app", tmp_path / "nginx"
    app_root.mkdir()
    proxy_root.mkdir()
    server = launch(app_root, CONTENT, server="gunicorn", PROXY_HOPS=1).wait_listening()
    nginx, port = documented_nginx(proxy_root, server.port)
    try:
        status, headers, body = fetch(port, PAGE, Accept_Encoding="gzip")
        assert status == 200 and headers["content-encoding"] == "gzip"
        assert soup_of_bytes(gzip.decompress(body)).find(id="rd-text").get_text().strip()
        assert fetch(port, PAGE, Accept_Encoding="gzip", If_None_Match=headers["etag"])[0] == 304

        status, headers, css = fetch(port, "/static/css/reader.css", Accept_Encoding="gzip")
        assert status == 200 and headers["content-encoding"] == "gzip", "nginx compresses the assets"

        manifest = json.loads(fetch(port, f"/r/{SLUG}/1/speech.json")[2])
        audio = manifest["sentences"][0]["audio"]
        made, stored, kept = (fetch(port, audio) for _ in range(3))
        assert made[0] == stored[0] == kept[0] == 200
        assert [r[1]["x-cache-status"] for r in (made, stored, kept)] == ["MISS", "MISS", "HIT"]
        assert made[2] == stored[2] == kept[2] and len(made[2]) > 1000
        status, headers, part = fetch(port, audio, Range="bytes=0-99")
        assert status == 206 and part == made[2][:100], "ranges come from nginx's copy"
    finally:
        nginx.terminate()
        nginx.wait(10)
        server.signal(signal.SIGTERM)
        server.wait(GRACE + 5)
    assert "path=/audio/" in server.log()
    assert server.log().count(f"path={audio} ") == 2, "the audio nginx keeps was asked of the app again"


def test_the_store_of_rendered_pages_stays_within_its_bytes():
    from reader.web.page_cache import Rendered, RenderedPages

    pages = RenderedPages(capacity=10_000)
    for n in range(100):
        pages.put(f"tag{n}", Rendered(b"x" * 3000, b"x" * 600, b"x" * 500))
    assert pages.size <= 10_000 and len(pages) == 2
    assert pages.get("tag99") is not None and pages.get("tag0") is None, "the oldest go first"
