"""Reports whose text, titles and sidecar facts carry script injections, read in Chromium.

Report files come from portals we do not control, so a title or a paragraph may hold
markup. Ten reports (plain text, HTML with the markup raw and HTML with it escaped, and
sidecar facts) carry the classic payloads; every page type that shows them is loaded, and
the test asserts that none ran: each payload would set `window.__pwned` or the document's
title. A script added before each document records any Content Security Policy violation,
so a payload that reached the DOM as markup fails the test even where the CSP stopped it.
The payload text must still be on the page, as text: escaping, not deletion.
"""

from __future__ import annotations

import contextlib

import pytest
from selenium.webdriver.common.by import By

from .harness import external_requests, serve_wsgi

PWN = "__pwned=1"  # short: a header line past 60 characters is not taken as the title
PWN_TITLE = "document.title='PWNED'"

# Payloads that end up in a report's text as the reader would see it.
TEXT_PAYLOADS = [
    f"<script>{PWN};{PWN_TITLE}</script>",
    f'<img src=x onerror="{PWN};{PWN_TITLE}">',
    f"<svg onload=\"{PWN}\"><script>{PWN}</script></svg>",
    f"</title><script>{PWN}</script>",
    f"</span></p><script>{PWN}</script>",
    f'"><img src=x onerror="{PWN}">',
    f"' autofocus onfocus='{PWN}' x='",
    f'<details open ontoggle="{PWN}">',
    f'<a href="javascript:{PWN}">点这里</a>',
    f'<iframe srcdoc="<script>parent.{PWN}</script>"></iframe>',
    f'<div style="background:url(javascript:{PWN})">',
    f'<div style="width:expression({PWN})">',
    "<style>@import 'http://evil.example/x.css';</style>",
    f'<meta http-equiv="refresh" content="0;url=javascript:{PWN}">',
    "<base href=\"http://evil.example/\"><img src=\"http://evil.example/x.png\">",
    f"<math><mtext><table><mglyph><style><img src=x onerror=\"{PWN}\">",
    f"<noscript><p title=\"</noscript><img src=x onerror={PWN}>\">",
    f"<object data=\"javascript:{PWN}\"></object><embed src=\"javascript:{PWN}\">",
    f"<body onload=\"{PWN}\"><input autofocus onfocus=\"{PWN}\">",
    "{{ config }}{% raw %}${alert(1)}",
]
MARK = "注入检查"  # in every report, so one search finds them all

RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => {
  window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline'));
});
"""


def paragraphs(payloads: list[str]) -> str:
    """Body paragraphs of real report sentences, each with payloads set into it."""
    return "\n\n".join(
        f"  {n}是坚持制造业当家不动摇，{MARK}。{payload}有序推动省级产业园扩园提质。"
        for n, payload in zip("一二三四五六七八九十" * 3, payloads, strict=False)
    )


def escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def text_report(title: str, payloads: list[str], source: str = "本网") -> str:
    return f"{title}\n\n信息来源:{source} 发布日期:2024-02-09\n\n{paragraphs(payloads)}\n"


def html_report(title: str, payloads: list[str], *, escape: bool) -> str:
    shown = escaped if escape else (lambda text: text)
    body = "".join(
        f"<p>{n}是坚持制造业当家不动摇，{MARK}。{shown(payload)}有序推动省级产业园扩园提质。</p>"
        for n, payload in zip("一二三四五六七八九十" * 3, payloads, strict=False)
    )
    return (
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
        f"<meta name=\"ArticleTitle\" content=\"{escaped(title).replace(chr(34), '&quot;')}\">"
        f"<meta name=\"ContentSource\" content=\"{escaped(TEXT_PAYLOADS[1]).replace(chr(34), '&quot;')}\">"
        f"<title>{escaped(title)}</title></head>"
        f"<body><div id=\"zoom\">{body}</div></body></html>"
    )


def sidecar(**facts: str) -> str:
    return "".join(f"{name} = {toml_string(value)}\n" for name, value in facts.items())


def toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


REPORTS = {
    "inject-script.txt": text_report(f"<script>{PWN}</script>南区街道注入测试报告", TEXT_PAYLOADS[:5]),
    "inject-title.txt": text_report(f"</title><script>{PWN}</script>东区工作计划", TEXT_PAYLOADS[3:8]),
    "inject-handlers.txt": text_report(
        f'"><svg onload="{PWN}">西区工作总结', TEXT_PAYLOADS[5:11], source=TEXT_PAYLOADS[1]
    ),
    "inject-urls.txt": text_report("南城街道注入链接报告", TEXT_PAYLOADS[8:15]),
    "inject-css.txt": text_report("石岐街道注入样式报告", TEXT_PAYLOADS[10:13] + TEXT_PAYLOADS[15:]),
    "inject-escaped.html": html_report(f"<img src=x onerror=\"{PWN}\">转义标题", TEXT_PAYLOADS, escape=True),
    "inject-raw.html": html_report("原样标记报告", TEXT_PAYLOADS, escape=False),
    "inject-svg.html": html_report(f"<svg><script>{PWN}</script></svg>矢量图报告", TEXT_PAYLOADS[2:4], escape=True),
    "inject-sidecar.html": "<html><body><div id=\"zoom\">"
    + "".join(f"<p>{escaped(line.strip())}</p>" for line in paragraphs(TEXT_PAYLOADS[:4]).split("\n\n"))
    + "</div></body></html>",
    "inject-sidecar.meta.toml": sidecar(
        title=f"</title><script>{PWN}</script>附注标题",
        source=f'<img src=x onerror="{PWN}">',
        district=f"<svg onload=\"{PWN}\">",
        city=f"<script>{PWN}</script>",
        origin=f"javascript:{PWN}",
    ),
    "inject-origin.txt": text_report("小榄镇注入网址报告", TEXT_PAYLOADS[15:]),
    "inject-origin.meta.toml": sidecar(origin=f'https://evil.example/" onmouseover="{PWN}'),
}
SLUGS = sorted({name.split(".")[0] for name in REPORTS})

# A sidecar's kind goes through the interface's _(), which treats its message as markup.
KIND_REPORTS = {
    "inject-kind.txt": text_report("港口镇注入类别报告", TEXT_PAYLOADS[:1]),
    "inject-kind.meta.toml": sidecar(kind=f'<b onmouseover="{PWN}">类别</b>'),
}


@contextlib.contextmanager
def serving(tmp_path_factory, reports: dict[str, str]):
    """The reader on loopback, its content folder holding `reports` (file name → text)."""
    from reader.web import create_app

    content = tmp_path_factory.mktemp("injected-content")
    for name, text in reports.items():
        (content / name).write_text(text, encoding="utf-8")
    app = create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": str(content),
            "INSTANCE_DIR": str(tmp_path_factory.mktemp("instance")),
            "SPEECH_DISABLED": True,
        }
    )
    with serve_wsgi(app) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def injected_server(tmp_path_factory):
    with serving(tmp_path_factory, REPORTS) as base_url:
        yield base_url


@pytest.fixture
def watched_browser(clean_browser):
    """The session's Chromium, recording CSP violations on every new document."""
    added = clean_browser.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_CSP_VIOLATIONS}
    )
    yield clean_browser
    clean_browser.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", added)
    clean_browser.get("about:blank")


def assert_nothing_ran(driver, base_url: str, path: str) -> str:
    """Load `path`, let it settle, and check that no payload ran or reached the DOM as markup.

    Returns the text of <main>, for checks that the payloads are shown as text.
    """
    driver.get(base_url + path)
    driver.execute_script("return new Promise(resolve => setTimeout(resolve, 50))")  # late handlers
    state = driver.execute_script(
        """
        const ours = s => (s.getAttribute('src') || '').startsWith('/static/js/');
        return {
          pwned: window.__pwned === undefined ? null : String(window.__pwned),
          title: document.title,
          violations: window.__cspViolations,
          scripts: [...document.scripts].filter(s => !ours(s)).map(s => s.outerHTML),
          handlers: [...document.querySelectorAll('*')].flatMap(el =>
            [...el.attributes].filter(a => a.name.startsWith('on')).map(a => el.tagName + ' ' + a.name)),
          // Our own QR codes (the printout's) are SVG of plain paths; any other SVG is not ours.
          embedded: [...document.querySelectorAll('main iframe, main object, main embed, main svg,'
            + ' main math, main img, main style, main [style], base, meta[http-equiv]')]
            .filter(el => !(el.matches('svg.rd-qr') && [...el.querySelectorAll('*')].every(part =>
              part.tagName === 'path' && [...part.attributes].every(a => ['fill', 'stroke', 'd'].includes(a.name)))))
            .map(el => el.outerHTML),
          scriptUrls: [...document.querySelectorAll('[href], [src]')]
            .map(el => el.getAttribute('href') || el.getAttribute('src'))
            .filter(url => /^\\s*javascript:/i.test(url)),
          main: document.querySelector('main').textContent,
        };
        """
    )
    where = f"{path}: "
    assert state["pwned"] is None, where + f"a payload ran (window.__pwned = {state['pwned']})"
    assert state["title"] != "PWNED", where + "a payload set the title"
    assert state["violations"] == [], where + f"markup reached the DOM: {state['violations']}"
    assert state["scripts"] == [], where + f"scripts not ours: {state['scripts']}"
    assert state["handlers"] == [], where + f"event handlers: {state['handlers']}"
    assert state["embedded"] == [], where + f"injected elements: {state['embedded']}"
    assert state["scriptUrls"] == [], where + f"javascript: URLs: {state['scriptUrls']}"
    assert external_requests(driver, base_url) == [], where + "a request left the site"
    return state["main"]


def test_no_injected_script_runs_on_any_page(watched_browser, injected_server):
    driver = watched_browser
    home = assert_nothing_ran(driver, injected_server, "/")
    assert "南区街道注入测试报告" in home
    links = {a.get_attribute("pathname") for a in driver.find_elements(By.CSS_SELECTOR, "main a")}
    assert {f"/r/{slug}/" for slug in SLUGS} <= links, "every report is in the library"
    for slug in SLUGS:
        for path in (f"/r/{slug}/", f"/r/{slug}/1", f"/r/{slug}/all"):
            assert_nothing_ran(driver, injected_server, path)
    whole = assert_nothing_ran(driver, injected_server, "/r/inject-script/all")
    assert f"<script>{PWN}" in whole and "onerror=" in whole, "shown as text"
    escaped_html = assert_nothing_ran(driver, injected_server, "/r/inject-escaped/all")
    assert "<iframe srcdoc=" in escaped_html, "escaped markup in an HTML report is shown as text"
    cover = assert_nothing_ran(driver, injected_server, "/r/inject-sidecar/")
    assert "附注标题" in cover and "<svg onload=" in cover, "sidecar facts shown as text"
    assert driver.title.startswith("</title><script>"), "a title with markup is shown as text"


@pytest.mark.parametrize(
    "query", [MARK, "onerror", "<script>", f"<script>{PWN}</script>", '"><img src=x onerror=alert(1)>']
)
def test_no_injected_script_runs_in_search(watched_browser, injected_server, query):
    from urllib.parse import quote

    results = assert_nothing_ran(watched_browser, injected_server, f"/search?q={quote(query)}")
    if query == MARK:
        hits = watched_browser.find_elements(By.CSS_SELECTOR, "main .rd-results__item")
        assert len(hits) >= len(SLUGS), "a hit in every report"
        # A page's own title loses its markup (issue #11); a sidecar's is shown as written, as text.
        assert "</title><script>__pwned=1</script>附注标题" in results
    value = watched_browser.find_element(By.CSS_SELECTOR, "main input[name=q]").get_attribute("value")
    assert value == query[:50]


def test_a_sidecar_kind_is_shown_as_text(watched_browser, tmp_path_factory):
    with serving(tmp_path_factory, KIND_REPORTS) as base_url:
        for path in ("/", "/r/inject-kind/"):
            main = assert_nothing_ran(watched_browser, base_url, path)
            assert "<b onmouseover=" in main, path
