"""Rendered pages kept per library version and reader, with validators and compression.

A report's pages cannot change between two builds of the library, so a page's HTML is a
function of few things: the library version (`library.built_fingerprint`), the glossary
file (its terms are marked in the text), the address with its host and whole query
(`?q=` marks, `?toolbar=`, and the `next=` links the toolbar builds from it), the reader's settings
cookie (voice, theme, interface language, script …), the 继续阅读 cookie where the page
shows it, the kiosk switch, and whatever a view adds (a cover's download offers, which
change as audio is made). `cached_page` makes a key of them all: the ETag is its hash, a
matching If-None-Match gets 304 without rendering, and the bytes are kept (raw, gzip and
brotli, each made once) in a bounded least-recently-used store, so two readers with
different settings can never be given each other's page, and a reader seeing a page again
costs no template. `Last-Modified` is when the library was last updated. The library's
version and the glossary's are looked at once every LIBRARY_CHECK_SECONDS, not per request.
Whatever else a template comes to depend on must go into the key (`varies`), or one
reader's page would be shown to another.

`compress` gzips (or brotlis, when asked) the other text responses - speech manifests,
the home page, search results - so they go small over a phone's connection; static files
are sent as they are (nginx compresses them: docs/nginx.conf).
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formatdate
from functools import lru_cache

import brotli
from flask import Flask, current_app, g, request
from werkzeug.http import parse_accept_header

from reader import library

# modules, not names: the views' modules import this one
from reader.web import kiosk, store
from reader.web import last_read as continue_reading

RENDERED_BYTES = 48 * 1024 * 1024  # kept per process: ~1,000 reading pages (~35 KB raw, 12 compressed)
COMPRESSIBLE = frozenset(
    {
        "text/html", "text/plain", "text/css", "text/javascript", "application/javascript",
        "application/json", "image/svg+xml", "audio/x-mpegurl", "application/vnd.apple.mpegurl",
    }
)
PAGE_VARY = "Cookie, Accept-Encoding"  # what a cached page's bytes depend on besides its URL
MIN_COMPRESS_BYTES = 512  # below a packet's worth, compression saves nothing
GZIP_LEVEL = 6
BROTLI_QUALITY = 5  # near gzip -6 in speed on the fly, smaller; cached pages pay it once


@dataclass(frozen=True)
class Rendered:
    """One page's bytes, each encoding made once."""

    raw: bytes
    gzip: bytes
    br: bytes


class RenderedPages:
    """A least-recently-used store of `Rendered` by ETag, at most `capacity` bytes in all;
    safe across threads."""

    def __init__(self, capacity: int = RENDERED_BYTES) -> None:
        self.capacity = capacity
        self.size = 0  # bytes held
        self._pages: OrderedDict[str, Rendered] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, etag: str) -> Rendered | None:
        with self._lock:
            page = self._pages.get(etag)
            if page is None:
                self.misses += 1
            else:
                self.hits += 1
                self._pages.move_to_end(etag)
            return page

    def put(self, etag: str, page: Rendered) -> None:
        with self._lock:
            if etag in self._pages:
                return
            self._pages[etag] = page
            self.size += _bytes(page)
            while self.size > self.capacity and self._pages:
                _etag, dropped = self._pages.popitem(last=False)
                self.size -= _bytes(dropped)

    def __len__(self) -> int:
        return len(self._pages)


def _bytes(page: Rendered) -> int:
    return len(page.raw) + len(page.gzip) + len(page.br)


def init_app(app: Flask) -> None:
    app.extensions["rendered_pages"] = RenderedPages()
    app.after_request(compress)


def cached_page(render: Callable[[], str], *, last_read: bool = False, varies: tuple = ()):
    """The response for this request's page: 304 if the reader's copy is current, else
    the page's bytes from the store, rendered by `render()` on a miss.

    `last_read`: the page shows 继续阅读, so the 继续阅读 cookie is in the key; `varies`:
    anything else the view knows the page depends on (it must have a stable repr).
    """
    library_version, glossary_version, built_at = _versions()
    key = (
        library_version,
        glossary_version,
        current_app.config["KIOSK"],
        request.scheme,  # for any link a page makes whole (a QR code to carry it away)
        request.environ.get("HTTP_HOST", ""),
        request.full_path,
        # The settings the page is rendered with, not the cookie sent: on a kiosk a cookie
        # of a visit that has ended is not the reader's.
        g.settings.to_cookie(),
        # A kiosk's pages carry the place in their QR code, so the place is in every key
        # there, and whether the visit is new (the page then clears what the last one left).
        (kiosk.visit_cookie(continue_reading.COOKIE_NAME) or "") if last_read or current_app.config["KIOSK"] else "",
        current_app.config["KIOSK"] and kiosk.visit_is_new(),
        varies,
    )
    etag = hashlib.sha256(repr(key).encode()).hexdigest()[:32]
    encoding = _chosen_encoding()
    tag = f"{etag}-{encoding}" if encoding else etag
    headers = [("ETag", f'"{tag}"'), ("Cache-Control", "no-cache"), ("Vary", PAGE_VARY)]
    if built_at:
        headers.append(("Last-Modified", built_at))
    response = current_app.response_class(mimetype="text/html", headers=headers)
    if not request.if_none_match.star_tag and request.if_none_match.contains(tag):  # not "*": that is for writes
        response.status_code = 304
        return response
    pages: RenderedPages = current_app.extensions["rendered_pages"]
    page = pages.get(etag)
    if page is None:
        raw = render().encode("utf-8")
        page = Rendered(raw, gzip.compress(raw, GZIP_LEVEL), brotli.compress(raw, quality=BROTLI_QUALITY))
        pages.put(etag, page)
    response.set_data(page.br if encoding == "br" else page.gzip if encoding == "gzip" else page.raw)
    if encoding:
        response.headers["Content-Encoding"] = encoding
    return response


def validated(response):
    """`response` with an ETag of its bytes, and 304 when the client holds them already:
    for what is made afresh each time but often the same (a page's speech manifest)."""
    response.add_etag()
    return response.make_conditional(request)


def compress(response):
    """gzip or brotli for a text response the client accepts it for, made on the fly; a
    response already encoded, streamed, partial or small is left as it is."""
    if response.mimetype in COMPRESSIBLE:
        add_vary(response, "Accept-Encoding")
    if (
        response.mimetype not in COMPRESSIBLE
        or response.status_code not in (200, 404, 503)
        or "Content-Encoding" in response.headers
        or response.direct_passthrough
        or response.is_streamed
        or request.method == "HEAD"
        or not (encoding := _chosen_encoding())
    ):
        return response
    raw = response.get_data()
    if len(raw) < MIN_COMPRESS_BYTES:
        return response
    body = brotli.compress(raw, quality=BROTLI_QUALITY) if encoding == "br" else gzip.compress(raw, GZIP_LEVEL)
    response.set_data(body)
    response.headers["Content-Encoding"] = encoding
    tag, weak = response.get_etag()
    if tag:  # a validator of the raw bytes is not one of these
        response.set_etag(f"{tag}-{encoding}", weak=weak)
        if request.if_none_match.contains(f"{tag}-{encoding}"):
            response.status_code = 304
            response.set_data(b"")
            del response.headers["Content-Encoding"]
    return response


def add_vary(response, name: str) -> None:
    """`name` in the response's Vary, unless it is there already (read without parsing)."""
    if name.lower() not in response.headers.get("Vary", "").lower():
        response.vary.add(name)


def _chosen_encoding() -> str | None:
    return _encoding_for(request.headers.get("Accept-Encoding", ""))


@lru_cache(maxsize=64)  # browsers send a handful of different headers
def _encoding_for(accept_encoding: str) -> str | None:
    accepted = parse_accept_header(accept_encoding)
    for encoding in ("br", "gzip"):
        if accepted[encoding]:  # quality 0 means "not this one"
            return encoding
    return None


@dataclass
class _Versions:
    """What a page's key takes from outside the request, looked at again at most every
    LIBRARY_CHECK_SECONDS: the library's fingerprint, the glossary file's stamp, and when
    the library last changed (Last-Modified)."""

    library: str | None = None
    glossary: object = None
    built_at: str | None = None
    checked_at: float = float("-inf")


def _versions() -> tuple[str | None, object, str | None]:
    app = current_app._get_current_object()
    versions: _Versions = app.extensions.setdefault("page_versions", _Versions())
    if time.monotonic() - versions.checked_at > app.config["LIBRARY_CHECK_SECONDS"]:
        conn = store.connection()
        # Read every time: an update in place (WAL) leaves the file's size and time alone
        # until a checkpoint, so they cannot stand for the library's version.
        versions.library = library.built_fingerprint(conn)
        updated_at = library.updated_at(conn)
        versions.built_at = formatdate(updated_at, usegmt=True) if updated_at else None
        versions.glossary = _glossary_stamp()
        versions.checked_at = time.monotonic()
    return versions.library, versions.glossary, versions.built_at


def _glossary_stamp():
    from reader.web.glossary_views import current

    current()  # reloads a changed file, and with it the stamp
    return current_app.extensions["glossary"]["stamp"]
