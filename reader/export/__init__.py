"""`reader build OUT/`: the whole library as static files, for any web server or CDN.

Every page is rendered by the app itself, through its test client under the base path
(one place says what a page looks like), then given the export's addresses
(reader.export.site) and written as `<folder>/index.html`, in the default tree and the
长者助手 tree (`elder/`). Beside them: the assets, the audio of every sentence in the
voices and rates asked for (made through the app's own audio cache, so `reader
synthesise` and the server share it), each page's speech manifest for each of those as a
plain file, each page's and outline's whole audio for the plain player (the app's own
from its audio cache, its sentences joined: reader.speech.joining), the 术语 explanations'
audio, and the search index (reader.export.search_index).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlencode, urlsplit

from flask import Flask, g

from reader import library
from reader.export import search_index
from reader.export.site import (
    MANIFEST_FILE,
    TREES,
    Addresses,
    head_scripts,
    page_folder,
    rewrite_page,
    tree_settings,
)
from reader.settings import COOKIE_NAME
from reader.speech.audio import AudioCache
from reader.speech.errors import SynthesisError
from reader.speech.voices import DEFAULT_PAUSES, DEFAULT_RATE, DEFAULT_VOICE

AUDIO_URL = re.compile(r"/audio/([0-9a-f]{64})\.mp3$")
TERM_AUDIO = re.compile(r'data-audio="([^"]+/audio\.mp3)"')
HOST = "http://export.invalid"  # the test client's; never in a written file


class ExportError(Exception):
    """A page the app would not render, or a folder that cannot be written: one line."""


@dataclass
class ExportResult:
    pages: int = 0  # HTML files, both trees
    manifests: int = 0
    audio_files: int = 0  # sentence MP3s copied
    synthesised: int = 0  # of them, made by this build
    page_audio: int = 0  # whole-page and outline MP3s put together
    search_bytes: dict[str, int] = field(default_factory=dict)  # kind of index file → bytes


# (items, how many, label) → a context manager yielding the items (click.progressbar's shape)
Progress = Callable[[Iterable, int, str], AbstractContextManager]


@contextmanager
def no_progress(items: Iterable, length: int, label: str) -> Iterator[Iterable]:
    """No bar: the items as they come (the default, for tests and other callers)."""
    yield items


def build(
    out: Path, config: dict, base_path: str = "/", voices: tuple[str, ...] = (DEFAULT_VOICE,),
    rates: tuple[str, ...] = (DEFAULT_RATE,), audio: bool = True, progress: Progress = no_progress,
) -> ExportResult:
    """Write the export of `config`'s library to `out`, to be served under `base_path`."""
    from reader.web import create_app

    base = "/" + base_path.strip("/") + "/" if base_path.strip("/") else "/"
    # the public site's pages (a kiosk's visits, idle reset and hand-off need the app), and
    # no limit on the audio one client, the build, has made
    app = create_app({
        **config, "KIOSK": False, "SPEECH_PER_MINUTE": 0,
        "SPEECH_DISABLED": not audio or config.get("SPEECH_DISABLED", False),
    })  # fmt: skip
    addresses = Addresses(base)
    result = ExportResult()
    try:
        out.mkdir(parents=True, exist_ok=True)
        shutil.copytree(app.static_folder, out / "static", dirs_exist_ok=True)
    except OSError as exc:
        raise ExportError(f"{out}: cannot write: {exc.strerror or exc}") from exc
    with app.app_context():
        conn = library.connect(Path(app.config["DATABASE"]))
        try:
            reports = [(r, library.pages(conn, r.slug)) for r in library.reports(conn)]
            reading_order = library.reading_order(conn)
        finally:
            conn.close()
    renderer = _Renderer(app, base)
    page_paths = ["/", "/help", "/glossary", "/search", "/settings"]
    for report, pages in reports:
        page_paths += [f"/r/{report.slug}/", f"/r/{report.slug}/all", f"/r/{report.slug}/outline"]
        page_paths += [f"/r/{report.slug}/{page.n}" for page in pages]

    term_audio: dict[str, str] = {}  # a term's audio address in the app → its key
    with progress(page_paths, len(page_paths), "pages") as bar:
        for app_path in bar:
            for tree in TREES:
                html = renderer.page(app_path, tree)
                for found in TERM_AUDIO.findall(html) if audio else ():
                    term_audio.setdefault(unquote(addresses.app_path(found, base + tree)[0]), "")
                extra = head_scripts(addresses, tree, app_path)
                if app_path == "/search":
                    extra.append({"type": "module", "src": addresses.shared("/static/js/static-search.js")})
                written = rewrite_page(html, app_path, tree, addresses, extra, audio)
                if app_path == "/search":
                    attributes, note = _search_page(app, addresses, tree)
                    written = written.replace('id="main"', attributes, 1).replace("</form>", "</form>" + note, 1)
                _write(out / tree / page_folder(app_path) / "index.html", written.encode("utf-8"))
                result.pages += 1

    for report, _pages in reports:  # the title and date at the head of each printed sheet
        _write(out / "r" / report.slug / "print.css", renderer.file(f"/r/{report.slug}/print.css"))

    # the manifests name every sentence's audio; the keys are made, then they are written
    speech_pages = [(r.slug, str(p.n)) for r, pages in reports for p in pages]
    speech_pages += [(r.slug, "outline") for r, _pages in reports]
    choices = [(voice, rate) for voice in voices for rate in rates]
    # the plain player's page audio: the default voice and rate if exported, else the first
    plain = (DEFAULT_VOICE, DEFAULT_RATE) if (DEFAULT_VOICE, DEFAULT_RATE) in choices else choices[0]
    keys = {key for choice in choices for slug, n in speech_pages
            for key in _keys(renderer.manifest(slug, n, *choice))}  # fmt: skip
    for term_path in term_audio:
        term_audio[term_path] = renderer.redirected_key(term_path)
    keys |= set(filter(None, term_audio.values()))
    cache: AudioCache = app.extensions["audio_cache"]
    result.synthesised = _make(cache, sorted(keys), int(app.config["SPEECH_WORKERS"]), progress)
    for key in sorted(keys):
        _copy(cache.path(key), out / "audio" / f"{key}.mp3")
        result.audio_files += 1
    for term_path, key in term_audio.items():
        if key:
            _copy(cache.path(key), out / term_path.lstrip("/"))
    for voice, rate in choices:
        for slug, n in speech_pages:
            manifest = renderer.manifest(slug, n, voice, rate)
            whole = AUDIO_URL.search(manifest.get("page_audio") or manifest.get("outline_audio") or "")
            manifest.update(_static_manifest(manifest, n))
            path = out / "r" / slug / n / MANIFEST_FILE.format(voice=voice, rate=rate, pauses=DEFAULT_PAUSES)
            _write(path, json.dumps(manifest, ensure_ascii=False).encode("utf-8"))
            result.manifests += 1
            if (voice, rate) == plain and whole:  # its sentences are made: joined, not said
                target = out / "r" / slug / n / "audio.mp3"
                target.unlink(missing_ok=True)  # an earlier build's: a plain name, not a key
                _copy(_made(cache, whole[1]), target)
                result.page_audio += 1

    indexed = [
        search_index.IndexedReport(report.slug, report.title, tuple(
            search_index.IndexedPage(page.n, tuple(page.heading_path),
                                     tuple(s for block in page.blocks for s in block.sentences))
            for page in pages
        ))
        for report, pages in reports
    ]  # fmt: skip
    place = {slug: k for k, slug in enumerate(reading_order)}
    indexed.sort(key=lambda report: place[report.slug])  # the order the server lists hits in
    index = search_index.index_files(indexed, app.config["SEARCH_COUNT_LIMIT"])
    for name, data in index.items():
        _write(out / search_index.FOLDER / name, data)
        kind = name.split("/")[0] if "/" in name else name
        result.search_bytes[kind] = result.search_bytes.get(kind, 0) + len(data)
    return result


class _Renderer:
    """The app's answers, as a reader of each tree would get them, under the base path."""

    def __init__(self, app: Flask, base: str) -> None:
        self.app, self.base = app, base
        self.clients = {}
        for tree in TREES:
            client = app.test_client()
            client.set_cookie(COOKIE_NAME, tree_settings(tree).to_cookie(), domain=urlsplit(HOST).hostname)
            self.clients[tree] = client

    def _get(self, app_path: str, tree: str = ""):
        response = self.clients[tree].get(app_path, base_url=HOST + (self.base + tree).rstrip("/"))
        if response.status_code not in (200, 302):
            raise ExportError(f"{app_path}: the app answered {response.status_code}")
        return response

    def page(self, app_path: str, tree: str) -> str:
        return self._get(app_path, tree).get_data(as_text=True)

    def file(self, app_path: str) -> bytes:
        return self._get(app_path).get_data()

    def manifest(self, slug: str, n: str, voice: str, rate: str) -> dict:
        query = urlencode({"voice": voice, "rate": rate, "pauses": DEFAULT_PAUSES})
        return self._get(f"/r/{slug}/{n}/speech.json?{query}").get_json()

    def redirected_key(self, app_path: str) -> str | None:
        location = self._get(app_path).headers.get("Location", "")
        found = AUDIO_URL.search(location)
        return found[1] if found else None


def _keys(manifest: dict) -> list[str]:
    return [found[1] for entry in manifest["sentences"]
            if entry["audio"] and (found := AUDIO_URL.search(entry["audio"]))]  # fmt: skip


def _static_manifest(manifest: dict, n: str) -> dict:
    """What a static manifest says differently: no timing to ask for (the words are in it),
    the next page as an address beside this one (the same in both trees)."""
    changes = {"page_audio": None, "outline_audio": None}
    for entry in manifest["sentences"]:
        entry["timing"] = None
    if manifest.get("next"):
        changes["next"] = f"../{int(n) + 1}/"
    return {key: value for key, value in changes.items() if key in manifest or key == "next"}


def _make(cache: AudioCache, keys: list[str], workers: int, progress: Progress) -> int:
    """Make the audio of `keys` not yet in the cache; how many were synthesised."""
    missing = [key for key in keys if cache.stored(key) is None]
    with ThreadPoolExecutor(max(1, workers)) as pool, progress(
        pool.map(cache.make, missing), len(missing), "audio"
    ) as bar:
        for _path in bar:
            pass
    return len(missing)


def _made(cache: AudioCache, key: str) -> Path:
    try:
        return cache.make(key)
    except (OSError, ValueError, SynthesisError) as exc:
        raise ExportError(f"audio {key}: not made: {exc}") from exc


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        return
    try:
        os.link(source, target)  # the cache's bytes, without a second copy on disk
    except OSError:
        shutil.copyfile(source, target)


def _write(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as exc:
        raise ExportError(f"{path}: cannot write: {exc.strerror or exc}") from exc


def _search_page(app: Flask, addresses: Addresses, tree: str) -> tuple[str, str]:
    """<main>'s attributes on the search page (where the index is, and the strings that
    static-search.js shows, from the catalogue as the server's page has them), and what
    the page says to a browser without JavaScript."""
    from markupsafe import escape

    from reader.search import QUERY_MAX_CHARS, SEARCH_LIMIT
    from reader.web.i18n import gettext

    with app.test_request_context(base_url=HOST + addresses.base.rstrip("/")):
        g.settings = tree_settings(tree)
        strings = {
            "index": addresses.shared("/" + search_index.FOLDER + "/"),
            "pages": addresses.base + tree,
            "lang": g.settings.content_lang,
            "i18n-title": gettext("搜索：%(query)s", query="{query}") + " · " + gettext("易读"),
            "i18n-found": gettext("“%(query)s”：在 %(reports)s 份报告中找到 %(places)s 处",
                                  query="{query}", reports="{reports}", places="{places}"),
            "i18n-found-at-least": gettext("“%(query)s”：在至少 %(reports)s 份报告中找到至少 %(places)s 处",
                                           query="{query}", reports="{reports}", places="{places}"),
            "i18n-none": gettext("“%(query)s”：没有找到", query="{query}"),
            "i18n-limit": gettext("只列出前 %(count)s 页。", count=SEARCH_LIMIT),
            "i18n-page": gettext("第 %(n)s 页", n="{n}"),
            "i18n-shortened": gettext(
                "搜索词最多 %(count)s 个字，超出的部分没有用上。下面是前 %(count)s 个字的结果。",
                count=QUERY_MAX_CHARS,
            ),
        }  # fmt: skip
        note = gettext("这份静态版的搜索需要浏览器运行 JavaScript。没有 JavaScript 时，请从书库打开报告，用目录或全文查找。")
    data = " ".join(f'data-{name}="{escape(str(value))}"' for name, value in strings.items())
    return (
        f'id="main" data-module="rd-static-search" {data}',
        f'<noscript><p class="rd-notice">{note}</p></noscript>',
    )
