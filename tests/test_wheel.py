"""The reader as a package: its wheel carries what it serves, and runs outside the checkout.

The wheel is built the way a release is, from a clean copy of the checkout's files
(`python -m build`: an sdist, then a wheel from the unpacked sdist), installed into a
fresh virtual environment in a temporary folder with its dependencies from pip's cache or
PyPI, and `reader serve` runs from there, so a template, asset or catalogue that is found
only through the checkout fails here.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import venv
import zipfile
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from babel.support import Translations
from bs4 import BeautifulSoup
from conftest import CONTENT, REPO

from reader import pipeline
from reader.web.i18n import catalogue

SLUG = "zs-nanqu-2024-cadre-meeting"
PO_FILE = REPO / "reader/translations/en/LC_MESSAGES/messages.po"
MO_IN_WHEEL = "reader/translations/en/LC_MESSAGES/messages.mo"
SERVER_START_SECONDS = 30


def po_messages() -> dict[str, str]:
    with PO_FILE.open("rb") as po_file:
        return {m.id: m.string for m in read_po(po_file) if m.id and m.string}


def files_under(folder: Path) -> set[str]:
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()}


def clean_environment() -> dict[str, str]:
    """os.environ without anything that would point Python back at the checkout."""
    drop = {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP"}
    return {name: value for name, value in os.environ.items() if name not in drop}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.read()


def copy_checkout(target: Path) -> None:
    """The checkout's files, tracked or not ignored, symlinks as symlinks.

    Not the folder itself: its yidu_reader.egg-info holds a SOURCES.txt from earlier
    builds, which setuptools folds into a new sdist, so a file that only an old build
    listed would still reach the wheel.
    """
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO, check=True, capture_output=True, text=True,
    ).stdout
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if os.path.lexists(source):
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name, follow_symlinks=False)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    source = tmp_path_factory.mktemp("source")
    copy_checkout(source)
    outdir = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(outdir), str(source)],
        check=True,
        capture_output=True,
    )
    (built,) = outdir.glob("yidu_reader-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh venv outside the checkout with the wheel installed; returns its bin/."""
    environment = tmp_path_factory.mktemp("venv")
    assert not environment.is_relative_to(REPO)
    venv.create(environment, with_pip=False)
    python = environment / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
         "--disable-pip-version-check", str(wheel)],
        check=True,
        capture_output=True,
        env=clean_environment(),
    )
    return environment / "bin"


def test_wheel_holds_every_template_and_static_file_and_the_compiled_catalogue(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("templates", "static"):
        wanted = {f"reader/{folder}/{name}" for name in files_under(REPO / folder)}
        assert wanted, folder
        assert wanted <= names, sorted(wanted - names)
    assert MO_IN_WHEEL in names
    assert not [name for name in names if name.endswith(".po")]


def test_wheel_catalogue_translates_every_message_of_the_po_file(wheel):
    with zipfile.ZipFile(wheel).open(MO_IN_WHEEL) as mo_file:
        compiled = Translations(mo_file, domain="messages")
    messages = po_messages()
    assert messages
    assert {source: compiled.gettext(source) for source in messages} == messages


def test_checkout_catalogue_is_compiled_from_the_current_po_file():
    """The checkout reads its .mo too; a stale one means scripts/install has not run."""
    messages = po_messages()
    assert {source: catalogue("en").gettext(source) for source in messages} == messages


def test_installed_wheel_serves_a_reading_page_its_assets_and_speech(installed, tmp_path):
    where = subprocess.run(
        [installed / "python", "-c", "import reader; print(reader.__file__)"],
        check=True, capture_output=True, text=True, cwd=tmp_path, env=clean_environment(),
    )
    assert Path(where.stdout.strip()).is_relative_to(installed.parent)

    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    port = free_port()
    # A file, not a pipe: the access log writes a line a request, and a pipe nobody reads
    # would fill and stop the server.
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(
        [installed / "reader", "serve", "--content", str(content), "--port", str(port)],
        cwd=tmp_path,
        env=clean_environment(),
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            assert server.poll() is None, (tmp_path / "server.log").read_text(errors="replace")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "reader serve did not start listening"
                time.sleep(0.2)

        status, body = fetch(f"{base}/r/{SLUG}/1")
        assert status == 200
        page = BeautifulSoup(body, "lxml")
        report = pipeline.read_report(CONTENT / f"{SLUG}.txt", 600)
        assert report.title in page.select_one("h1").get_text()
        assert report.as_json()["blocks"][0]["text"] in page.select_one("main").get_text()

        stylesheets = [link["href"] for link in page.select("link[rel~=stylesheet]")]
        scripts = [script["src"] for script in page.select("script[src]")]
        assert any(href.endswith(".css") for href in stylesheets)
        assert any(src.endswith(".js") for src in scripts)
        for asset in stylesheets + scripts:
            status, body = fetch(base + asset)
            assert status == 200 and body, asset

        status, body = fetch(f"{base}/r/{SLUG}/1/speech.json")
        assert status == 200
        assert json.loads(body)["sentences"]
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
