"""Hostile input: every request a prober sends gets a clear 4xx, a redirect that stays on
this site, or the page itself; never a 500, never a traceback, never a way out.

The app runs as in production (TESTING off), so an exception in a view becomes the 500 a
visitor would see rather than an exception in the test. Speech is switched off: these
requests are about URLs and parameters, and the voice has its own tests. A few requests
that the test client cannot send (a raw CR/LF, a lying Content-Length, an absolute request
target, a made-up method on the wire) go through a real waitress server on a socket.
"""

from __future__ import annotations

import http.client
import logging
import socket
from urllib.parse import quote, urlsplit

import pytest
from browser.harness import serve_wsgi
from conftest import CONTENT, soup_of

from reader.settings import COOKIE_NAME
from reader.web import create_app

SLUG = "zs-dongqu-2020-work-plan"  # a report of several pages in content/
PAGE = f"/r/{SLUG}/1"
SQLITE_MAX = 2**63 - 1
BACK_TO_SETTINGS = "/settings"  # where a refused next= sends the reader

# Every route, as a GET that succeeds (or 404s for an audio key nobody asked for).
ROUTES = [
    "/",
    "/search?q=养老",
    "/help",
    "/settings",
    f"/r/{SLUG}/",
    PAGE,
    f"/r/{SLUG}/all",
    f"{PAGE}/speech.json",
    f"{PAGE}/audio.mp3",
    f"/audio/{'0' * 64}.mp3",
    "/static/css/reader.css",
]
REFUSED_METHODS = ["PUT", "DELETE", "PATCH", "TRACE", "PROPFIND", "BREW"]

TRAVERSALS = [
    "/static/../reader/config.py",
    "/static/%2e%2e/reader/config.py",
    "/static/%2E%2E/%2E%2E/pyproject.toml",
    "/static/..%2freader%2fconfig.py",
    "/static/..%5creader%5cconfig.py",
    "/static/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/static/....//....//etc/passwd",
    "/static/%c0%ae%c0%ae/reader/config.py",
    "/static/css/reader.css%00.py",
    "/static/%00",
    "/r/..%2f..%2freader/1",
    "/r/%2e%2e/1",
    "/audio/..%2f..%2finstance%2flibrary.sqlite3.mp3",
    "/../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/instance/library.sqlite3",
    "/reader/config.py",
]

ENCODINGS_NOT_FOUND = [
    "/r/%c0%ae%c0%ae/1",  # overlong UTF-8 for "."
    "/r/%ff/",
    "/r/%ed%a0%80/",  # an encoded surrogate
    "/r/%e4%b8/",  # a truncated character
    f"/r/{SLUG}%00/1",
    "/r/%00/1",
    "/audio/%00.mp3",
    "/%fe%ff",
]
ENCODINGS_SEARCHED = ["%c0%af", "%ff%fe", "%e4%b8", "%ed%a0%80", "%ef%bb%bf%e5%85%bb%e8%80%81"]

HUGE_AND_ODD_NUMBERS = [
    str(SQLITE_MAX),
    str(2**63),
    str(2**64),
    str(10**30),
    "9" * 5000,
    "0",
    "-1",
    "+1",
    "1.5",
    "1e3",
    "0x1",
    "%2d1",
]
NUMBERED_ROUTES = ["/r/{slug}/{n}", "/r/{slug}/{n}/speech.json", "/r/{slug}/{n}/audio.mp3"]

CONTROL_CHARACTERS = [
    "%00", "%01", "%07", "%08", "%09", "%0a", "%0b", "%0c", "%0d", "%0d%0a", "%1b", "%7f",
    "%c2%85", "%e2%80%8b", "%e2%80%ae", "%e2%80%a8", "%00%00%00%00%00%00",
]

# Every way we know of to turn "a path on this site" into somewhere else.
REDIRECT_TRICKS = [
    "//evil.example",
    "//evil.example/%2e%2e",
    "///evil.example",
    "////evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/%09/evil.example",
    "/%0a/evil.example",
    "/%0d/evil.example",
    "/%0d%0aLocation:%20http://evil.example",
    "/%0d%0aSet-Cookie:%20pwned=1",
    "/%00/evil.example",
    "/%20/evil.example",
    "/%e3%80%80/evil.example",  # an ideographic space
    "/%c2%a0/evil.example",  # a no-break space
    "%09//evil.example",
    "%20//evil.example",
    "https:evil.example",
    "https:/evil.example",
    "http://evil.example",
    "HTTP://evil.example",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
    "/..//evil.example",
    "/./..//evil.example",
    "/%2e%2e//evil.example",
    "@evil.example",
    "",
]
KEPT_NEXTS = [f"/r/{SLUG}/2", "/search?q=养老", f"/r/{SLUG}/#h1-0", "/"]

GARBAGE_COOKIES = [
    "%%%",
    "{",
    "size=9" * 1000,
    "size=%00&theme=%0d%0a",
    "\xff\xfe\xfd",  # a settings cookie that is not UTF-8
    "size=\xe4\xb8",  # half a character
    "a" * 4000,
    "preset=elder&preset=reset&" * 50,
]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return create_app(
        {
            "TESTING": False,
            "SPEECH_DISABLED": True,
            "CONTENT_DIR": str(CONTENT),
            "INSTANCE_DIR": str(tmp_path_factory.mktemp("instance")),
        }
    )


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def live_server(app):
    with serve_wsgi(app) as base_url:
        yield urlsplit(base_url)


def is_on_this_site(location: str) -> bool:
    """A relative reference to a path here: one leading slash, nothing a browser reads
    as a scheme or a host, and no character it would strip or turn into a slash."""
    parts = urlsplit(location)
    return (
        location.startswith("/")
        and not location.startswith("//")
        and "\\" not in location
        and all(c.isprintable() and not c.isspace() for c in location)
        and not parts.scheme
        and not parts.netloc
    )


def assert_answered(response, expected: int, what: str) -> None:
    """The expected status; no 500; any Location stays here; an error is the error page."""
    assert response.status_code != 500, f"{what}: 500"
    assert response.status_code == expected, f"{what}: {response.status_code}, not {expected}"
    location = response.headers.get("Location")
    if location is not None:
        assert is_on_this_site(location), f"{what}: Location {location!r} leaves the site"
    if response.status_code >= 400 and response.mimetype == "text/html":
        soup = soup_of(response)
        assert soup.select_one("main#main h1"), what
        assert soup.title.string.endswith(" · 易读"), what


# --- the suite: each kind of hostile request, with the answer it must get -----------------


@pytest.mark.parametrize("url", ROUTES)
def test_methods_a_route_does_not_take_are_refused_with_405(client, url):
    for method in REFUSED_METHODS:
        response = client.open(url, method=method)
        assert_answered(response, 405, f"{method} {url}")
        assert "GET" in response.headers["Allow"], f"{method} {url}"
        assert soup_of(response).h1.get_text() == "不支持这种请求方式", f"{method} {url}"


@pytest.mark.parametrize("url", TRAVERSALS)
def test_traversal_finds_nothing_outside_static(client, url):
    response = client.get(url)
    if response.status_code == 308:  # "//" merged into "/": a redirect here, then nothing
        assert_answered(response, 308, url)
        response = client.get(response.headers["Location"])
    assert_answered(response, 404, url)
    assert b"DEFAULTS" not in response.data and b"root:" not in response.data


@pytest.mark.parametrize("url", ENCODINGS_NOT_FOUND)
def test_broken_encodings_in_a_path_are_not_found(client, url):
    assert_answered(client.get(url), 404, url)


@pytest.mark.parametrize("query", ENCODINGS_SEARCHED)
def test_broken_encodings_in_a_search_are_searched_for(client, query):
    response = client.get(f"/search?q={query}")
    assert_answered(response, 200, query)
    assert soup_of(response).select_one("main input[name=q]")


@pytest.mark.parametrize("route", NUMBERED_ROUTES)
def test_page_numbers_out_of_range_are_not_found(client, route):
    for n in HUGE_AND_ODD_NUMBERS:
        url = route.format(slug=SLUG, n=n)
        assert_answered(client.get(url), 404, url[:80])


@pytest.mark.parametrize("control", CONTROL_CHARACTERS)
def test_control_characters_in_every_parameter(client, control):
    assert_answered(client.get(f"/search?q={control}"), 200, f"q={control}")
    assert_answered(client.get(f"/search?q=养老{control}服务"), 200, f"q=养老{control}服务")
    assert_answered(client.get(f"/settings?size={control}"), 303, f"size={control}")
    assert_answered(
        client.get(f"/settings?theme=dark&next=/{control}"), 303, f"next=/{control}"
    )
    assert_answered(
        client.get(f"{PAGE}/speech.json?voice={control}&rate={control}"), 200, f"voice={control}"
    )
    assert_answered(client.get(f"/r/{SLUG}{control}/"), 404, f"slug {control}")


@pytest.mark.parametrize("cookie", GARBAGE_COOKIES, ids=range(len(GARBAGE_COOKIES)))
def test_garbage_settings_cookies_are_ignored(client, cookie):
    for url in ("/", PAGE, "/settings"):
        response = client.get(url, headers={"Cookie": f"{COOKIE_NAME}={cookie}"})
        assert_answered(response, 200, f"{url} with cookie {cookie[:20]!r}")


def test_huge_and_odd_bodies_to_settings(client):
    huge = {"size": "2", "next": f"/r/{SLUG}/2", "padding": "x" * 2_000_000}
    response = client.post("/settings", data=huge)
    assert_answered(response, 413, "a 2 MB form, refused unread")
    many = "&".join(f"f{i}=1" for i in range(5_000))  # ~40 KB, within MAX_CONTENT_LENGTH
    response = client.post(
        "/settings", data=many, content_type="application/x-www-form-urlencoded"
    )
    assert_answered(response, 200, "5,000 fields")
    not_utf8 = b"size=2&next=/r/%ff%fe"
    response = client.post(
        "/settings", data=not_utf8, content_type="application/x-www-form-urlencoded"
    )
    assert_answered(response, 303, "a form that is not UTF-8")
    response = client.post(
        "/settings", data=b"--x\r\n\r\n", content_type="multipart/form-data; boundary=x"
    )
    assert_answered(response, 200, "a broken multipart form")
    field = b'--x\r\nContent-Disposition: form-data; name="next"\r\n\r\n/' + b"x" * 600_000
    response = client.post(
        "/settings", data=field + b"\r\n--x--\r\n", content_type="multipart/form-data; boundary=x"
    )
    assert_answered(response, 413, "a multipart field past the form memory limit")


@pytest.mark.parametrize("target", REDIRECT_TRICKS)
def test_next_never_leads_off_the_site(client, target):
    for response in (
        client.get(f"/settings?size=2&next={target}"),
        client.post("/settings", data=f"size=2&next={target}",
                    content_type="application/x-www-form-urlencoded"),
    ):
        assert_answered(response, 303, f"next={target}")
        assert response.headers["Location"] == BACK_TO_SETTINGS, target


@pytest.mark.parametrize("target", KEPT_NEXTS)
def test_next_on_this_site_is_kept(client, target):
    response = client.get(f"/settings?size=2&next={quote(target)}")
    assert_answered(response, 303, target)
    assert response.headers["Location"] == quote(target, safe="/?=#")


# --- one test for each failure the probe of issue #14 found ----------------------------


def test_an_encoded_tab_in_next_does_not_redirect_to_another_host(client):
    """Browsers strip a tab from a URL, so "/\t/evil.example" was "//evil.example"."""
    response = client.get("/settings?size=2&next=/%09/evil.example")
    assert response.status_code == 303
    assert response.headers["Location"] == BACK_TO_SETTINGS


@pytest.mark.parametrize("route", NUMBERED_ROUTES)
def test_a_page_number_past_what_sqlite_holds_is_not_found(client, route):
    for n in (2**63, 2**64, 10**40):
        response = client.get(route.format(slug=SLUG, n=n))
        assert response.status_code == 404, n
    assert client.get(route.format(slug=SLUG, n=SQLITE_MAX)).status_code == 404


def test_a_page_number_past_what_sqlite_holds_gets_the_accessible_not_found_page(client):
    soup = soup_of(client.get(f"/r/{SLUG}/{2**63}"))
    assert soup.h1.get_text() == "找不到这一页"
    assert soup.select_one("main a[href='/']")


@pytest.mark.parametrize("line_break", ["%0d", "%0a", "%0d%0a"])
def test_a_line_break_in_next_returns_to_settings(client, line_break):
    response = client.get(f"/settings?size=2&next=/r/{SLUG}/{line_break}Set-Cookie:%20x=1")
    assert response.status_code == 303
    assert response.headers["Location"] == BACK_TO_SETTINGS
    assert "x=1" not in response.headers.getlist("Set-Cookie")


def test_a_nul_in_a_search_is_a_search_for_the_rest(client):
    response = client.get("/search?q=%E5%85%BB%E8%80%81%00%E6%9C%8D%E5%8A%A1")
    assert response.status_code == 200
    soup = soup_of(response)
    assert soup.select_one("main input[name=q]")["value"] == "养老服务"  # spaces in Chinese go
    assert "\x00" not in response.get_data(as_text=True)


def test_a_search_is_bounded(client):
    response = client.get("/search?q=" + "养" * 10_000)
    assert response.status_code == 200
    assert len(soup_of(response).select_one("main input[name=q]")["value"]) <= 50


def test_the_slash_redirect_ignores_the_host_header(client):
    response = client.get(f"/r/{SLUG}", headers={"Host": "evil.example"})
    assert response.status_code == 308
    assert response.headers["Location"] == f"/r/{SLUG}/"


def test_security_headers_on_pages_errors_and_audio(client):
    for url in ("/", PAGE, "/nowhere", f"{PAGE}/speech.json", "/static/css/reader.css"):
        with client.get(url) as response:
            headers = response.headers
        policy = headers["Permissions-Policy"]
        for feature in ("camera", "microphone", "geolocation", "payment", "usb", "interest-cohort"):
            assert f"{feature}=()" in policy, (url, feature)
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin", url
        assert headers["Cross-Origin-Resource-Policy"] == "same-origin", url
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], url
        assert "script-src 'self'" in headers["Content-Security-Policy"], url
        assert headers["X-Content-Type-Options"] == "nosniff", url


def test_an_unexpected_error_is_the_accessible_500_page_and_is_logged(tmp_path, caplog):
    """The one fault no request can cause: a bug in a view, stood in for by a view that raises."""
    app = create_app(
        {"CONTENT_DIR": str(CONTENT), "INSTANCE_DIR": str(tmp_path), "SPEECH_DISABLED": True}
    )

    def broken_view():
        raise RuntimeError("a bug nobody has found yet")

    app.add_url_rule("/broken", view_func=broken_view)
    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/broken")
    assert response.status_code == 500
    soup = soup_of(response)
    assert soup.h1.get_text() == "出错了"
    assert soup.select_one("main a[href='/']")
    assert "RuntimeError" not in response.get_data(as_text=True)
    assert any("a bug nobody has found yet" in (r.exc_text or "") for r in caplog.records)


@pytest.mark.parametrize(
    "code, title",
    [(400, "请求有误"), (404, "找不到这一页"), (405, "不支持这种请求方式"),
     (413, "请求内容太大"), (500, "出错了"), (503, "暂时无法提供服务")],
)
def test_each_error_has_its_own_accessible_page(tmp_path, code, title):
    """Some of these statuses no request here can cause yet; a view that aborts stands in."""
    from flask import abort

    app = create_app(
        {"CONTENT_DIR": str(CONTENT), "INSTANCE_DIR": str(tmp_path), "SPEECH_DISABLED": True}
    )
    app.add_url_rule("/fails", view_func=lambda: abort(code))
    client = app.test_client()
    response = client.get("/fails")
    assert response.status_code == code
    soup = soup_of(response)
    assert soup.title.string == f"{title} · 易读"
    assert soup.h1.get_text() == title
    assert soup.select_one("main p").get_text()
    assert soup.select_one("body > a.rd-skip-link")
    client.get("/settings?lang=en")
    english = soup_of(client.get("/fails"))
    assert english.html["lang"] == "en"
    assert not any("\u4e00" <= c <= "\u9fff" for c in english.select_one("main").get_text())


# --- through a real server: what only a socket can send ------------------------------------


def raw_exchange(server, request: bytes) -> bytes:
    """Send `request` as bytes on a fresh connection; return the status line and headers."""
    with socket.create_connection((server.hostname, server.port), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    return answer.split(b"\r\n\r\n", 1)[0]


def status_and_location(head: bytes) -> tuple[int, str | None]:
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    location = next((line.split(":", 1)[1].strip() for line in lines[1:]
                     if line.lower().startswith("location:")), None)
    return status, location


@pytest.mark.parametrize(
    "request_bytes, expected",
    [
        (b"GET /settings?size=2&next=/%0d%0aSet-Cookie:x=1 HTTP/1.1\r\nHost: a\r\n\r\n", 303),
        (b"GET /settings?size=2&next=/%09/evil.example HTTP/1.1\r\nHost: a\r\n\r\n", 303),
        (b"GET /settings?size=2&next=//evil.example HTTP/1.1\r\nHost: a\r\n\r\n", 303),
        (b"GET //evil.example/ HTTP/1.1\r\nHost: a\r\n\r\n", 404),
        (b"GET /r/" + SLUG.encode() + b" HTTP/1.1\r\nHost: evil.example\r\n\r\n", 308),
        (b"GET http://evil.example/r/" + SLUG.encode() + b" HTTP/1.1\r\nHost: a\r\n\r\n", 308),
        (b"GET /static//etc/passwd HTTP/1.1\r\nHost: evil.example\r\n\r\n", 308),
        (b"GET /static/../../reader/config.py HTTP/1.1\r\nHost: a\r\n\r\n", 404),
        (b"GET /r/" + SLUG.encode() + b"/" + str(2**64).encode() + b" HTTP/1.1\r\nHost: a\r\n\r\n", 404),
        (b"GET /search?q=%00%0d%0a HTTP/1.1\r\nHost: a\r\n\r\n", 200),
        (b"GET /search?q=%ff%fe HTTP/1.1\r\nHost: a\r\n\r\n", 200),
        (b"GET /search?q=\xff\xfe HTTP/1.1\r\nHost: a\r\n\r\n", 400),  # waitress refuses
        (b"BREW / HTTP/1.1\r\nHost: a\r\n\r\n", 405),
        (b"TRACE / HTTP/1.1\r\nHost: a\r\n\r\n", 405),
        (b"GET / HTTP/1.1\r\nHost: a\r\nCookie: " + COOKIE_NAME.encode() + b"=\xff\xfe\r\n\r\n", 200),
        (b"GET / HTTP/1.1\r\nHost: a\r\nCookie: " + COOKIE_NAME.encode() + b"=\x00\r\n\r\n", 400),
        (b"POST /settings HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", 413),
        (b"POST /settings HTTP/1.1\r\nHost: a\r\nContent-Length: -5\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nHost: a\r\nX-Bad: a\x00b\r\n\r\n", 400),
        (b"GET /\rX HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    ],
    ids=lambda value: value.split(b"\r\n")[0][:60].decode("latin-1")
    if isinstance(value, bytes) else str(value),
)
def test_through_a_real_server(live_server, request_bytes, expected):
    status, location = status_and_location(raw_exchange(live_server, request_bytes))
    assert status == expected
    if location is not None:
        assert is_on_this_site(location), location


def test_the_slash_redirect_through_a_real_server_stays_relative(live_server):
    connection = http.client.HTTPConnection(live_server.hostname, live_server.port, timeout=10)
    try:
        connection.request("GET", f"/r/{SLUG}", headers={"Host": "evil.example"})
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    assert response.status == 308
    assert response.getheader("Location") == f"/r/{SLUG}/"
