"""The browser harness finds what it is meant to find, on small pages made to pass or fail."""

from __future__ import annotations

import pytest
from flask import Flask, Response

from .harness import (
    ENHANCED_CONTRAST,
    ax_outline,
    ax_tree,
    axe_on_every_page,
    describe_violations,
    external_requests,
    fetch,
    run_axe,
    serve_wsgi,
    set_cookie_settings,
    set_window,
    skip_or_fail_if_missing,
    tab_through,
    validate_html,
    validate_html_many,
)

DOT_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8">'
    '<circle cx="4" cy="4" r="4" fill="#b00"/></svg>'
)

CSS = """
body { color: #000; background: #fff; font-size: 18px; }
.grey { color: #767676; }
.no-ring:focus { outline: none; }
.on-image { background: #fff url("/dot.svg"); }
"""


def page(title: str, body: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="/site.css">
</head>
<body>
<header><a href="#main">跳到正文</a></header>
<main id="main">
<h1>{title}</h1>
{body}
</main>
</body>
</html>
"""


GOOD = page(
    "南区街道2022年工作总结",
    '<p>一是强化党建引领。</p><img src="/dot.svg" alt="红色圆点" width="8" height="8">',
)
MISSING_ALT = page(
    "缺少替代文本", '<p>一是强化党建引领。</p><img src="/dot.svg" width="8" height="8">'
)
GREY_TEXT = page("灰色文字", '<p class="grey">对比度 4.54:1，够 AA，不够 AAA。</p>')
TEXT_ON_IMAGE = page("图上文字", '<p class="on-image">图片上的文字，axe 判断不了对比度。</p>')
FOCUS = page(
    "键盘焦点",
    '<p><a href="#one">第一个链接</a></p><p><a class="no-ring" href="#two">看不见焦点的链接</a></p>',
)


def svg_response() -> Response:
    return Response(DOT_SVG, mimetype="image/svg+xml")


@pytest.fixture(scope="module")
def elsewhere():
    """A second site on another loopback port: another origin, without leaving the machine."""
    app = Flask("elsewhere")
    app.add_url_rule("/dot.svg", "dot", svg_response)
    with serve_wsgi(app) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def site(elsewhere):
    """Small pages made to pass or to fail, served with a strict CSP like the reader's."""
    app = Flask("harness-pages")
    pages = {
        "good": GOOD,
        "missing-alt": MISSING_ALT,
        "grey-text": GREY_TEXT,
        "focus": FOCUS,
        "text-on-image": TEXT_ON_IMAGE,
        "external": page("外部图片", f'<img src="{elsewhere}/dot.svg" alt="红色圆点">'),
    }
    for name, html in pages.items():
        app.add_url_rule(f"/{name}", name, lambda html=html: html)
    app.add_url_rule("/dot.svg", "dot", svg_response)
    app.add_url_rule("/site.css", "css", lambda: Response(CSS, mimetype="text/css"))

    @app.after_request
    def strict_csp(response):
        response.headers["Content-Security-Policy"] = "default-src 'self'"
        return response

    with serve_wsgi(app) as base_url:
        yield base_url


def test_axe_finds_an_image_without_alt(clean_browser, site):
    clean_browser.get(f"{site}/missing-alt")
    violations = run_axe(clean_browser).violations
    assert [v["id"] for v in violations] == ["image-alt"], describe_violations(violations)
    assert violations[0]["nodes"][0]["target"] == ["img"]


def test_axe_passes_a_good_page_under_a_strict_csp(clean_browser, site):
    clean_browser.get(f"{site}/good")
    violations = run_axe(clean_browser).violations
    assert violations == [], describe_violations(violations)


def test_enhanced_contrast_rule_runs_only_when_asked(clean_browser, site):
    clean_browser.get(f"{site}/grey-text")
    assert run_axe(clean_browser).violations == []
    violations = run_axe(clean_browser, rules=[ENHANCED_CONTRAST]).violations
    assert [v["id"] for v in violations] == ["color-contrast-enhanced"]
    violations = run_axe(clean_browser, extra_rules=[ENHANCED_CONTRAST]).violations
    assert [v["id"] for v in violations] == ["color-contrast-enhanced"]


def test_axe_rule_can_be_turned_off_with_a_reason(clean_browser, site):
    clean_browser.get(f"{site}/missing-alt")
    violations = run_axe(
        clean_browser, disabled={"image-alt": "this page is made to lack alt"}
    ).violations
    assert violations == [], describe_violations(violations)


def test_axe_reports_contrast_it_cannot_decide(clean_browser, site):
    clean_browser.get(f"{site}/text-on-image")
    result = run_axe(clean_browser, extra_rules=[ENHANCED_CONTRAST])
    assert result.violations == [], describe_violations(result.violations)
    undecided = {(v["id"], " ".join(n["target"])) for v in result.incomplete for n in v["nodes"]}
    assert ("color-contrast", "p") in undecided, result.incomplete


def test_axe_on_every_page_is_there_without_injecting(clean_browser, site):
    with axe_on_every_page(clean_browser):
        clean_browser.get(f"{site}/missing-alt")
        assert clean_browser.execute_script("return typeof window.axe") == "object"
        assert [v["id"] for v in run_axe(clean_browser).violations] == ["image-alt"]
    clean_browser.get(f"{site}/good")
    assert clean_browser.execute_script("return typeof window.axe") == "undefined"


def test_no_external_requests_from_a_same_origin_page(clean_browser, site):
    clean_browser.get(f"{site}/good")
    assert external_requests(clean_browser, site) == []


def test_external_request_to_another_origin_is_caught(clean_browser, site, elsewhere):
    clean_browser.get(f"{site}/external")
    assert external_requests(clean_browser, site) == [f"{elsewhere}/dot.svg"]


def test_vnu_finds_errors_and_passes_good_html(html_checker):
    assert validate_html(GOOD) == []
    errors = validate_html("<!DOCTYPE html><html lang=zh-CN><title>坏</title><p>未闭合<div></span>")
    assert any("Stray end tag" in error for error in errors), errors


def test_vnu_checks_the_html_a_server_sent(html_checker, site):
    assert validate_html(fetch(f"{site}/good")) == []


def test_vnu_checks_many_documents_in_one_run(html_checker):
    results = validate_html_many(
        {"good": GOOD, "no-title": "<!DOCTYPE html><html lang=zh-CN><p>没有标题</p>"}
    )
    assert results["good"] == []
    assert any("title" in error for error in results["no-title"]), results


def test_set_window_sets_the_viewport(clean_browser, site):
    clean_browser.get(f"{site}/good")
    set_window(clean_browser, 320, 640)
    assert clean_browser.execute_script("return [innerWidth, innerHeight]") == [320, 640]


def test_tab_through_reports_focus_rings(clean_browser, site):
    clean_browser.get(f"{site}/focus")
    skip_link, first, hidden_ring = tab_through(clean_browser, 3)
    assert skip_link.text == "跳到正文" and skip_link.has_focus_ring
    assert first.href == "#one" and first.has_focus_ring and not first.obscured
    assert hidden_ring.href == "#two" and not hidden_ring.has_focus_ring


def test_ax_tree_exposes_landmarks_and_headings(clean_browser, site):
    clean_browser.get(f"{site}/good")
    outline = ax_outline(ax_tree(clean_browser))
    assert ("heading", "南区街道2022年工作总结") in outline
    assert ("main", "") in outline
    assert ("image", "红色圆点") in outline


def test_missing_tools_skip_outside_ci_and_fail_in_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="missing /usr/bin/chromium"):
        skip_or_fail_if_missing(["/usr/bin/chromium"])
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="may not skip in CI"):
        skip_or_fail_if_missing(["/usr/bin/chromium"])
    skip_or_fail_if_missing([])


def test_live_server_serves_the_reader_and_a_settings_link_sets_the_cookie(
    clean_browser, live_server
):
    clean_browser.get(f"{live_server}/")
    assert "易读" in clean_browser.title
    assert external_requests(clean_browser, live_server) == []
    cookies = set_cookie_settings(clean_browser, live_server, theme="black-yellow", size=5)
    assert any("theme=black-yellow" in value for value in cookies.values()), cookies
