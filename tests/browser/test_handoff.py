"""The kiosk's hand-off as a visitor meets it, in real Chromium: the 在手机上继续 code read
back by zbarimg from a screenshot and opened on an emulated phone, and the printout made
by Chromium's own print-to-PDF, read back by pdftotext.

Two servers, as a hall runs them: the kiosk (`KIOSK`, its `PUBLIC_BASE_URL` the public
site) and the public site the phone reaches, serving the same content/.
"""

from __future__ import annotations

import base64
import re
import subprocess
from urllib.parse import parse_qsl, urlsplit

import pytest

from .harness import (
    ENHANCED_CONTRAST,
    REPO,
    axe_on_every_page,
    describe_violations,
    run_axe,
    serve_wsgi,
    set_phone,
    set_window,
    tap,
    wait_for,
)

SLUG = "zs-xiqu-2023-work-plan"
TITLE = "西区街道2023年工作计划"
KIOSK_SCREEN = (1080, 1920)  # a hall's touch screen, portrait


@pytest.fixture(scope="module")
def public_site(tmp_path_factory):
    from reader.web import create_app

    app = create_app({"TESTING": True, "CONTENT_DIR": str(REPO / "content"),
                      "INSTANCE_DIR": str(tmp_path_factory.mktemp("public"))})
    with serve_wsgi(app) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def kiosk(public_site, tmp_path_factory):
    from reader.web import create_app

    app = create_app({"TESTING": True, "CONTENT_DIR": str(REPO / "content"),
                      "INSTANCE_DIR": str(tmp_path_factory.mktemp("kiosk")),
                      "KIOSK": True, "PUBLIC_BASE_URL": public_site})
    with serve_wsgi(app) as base_url:
        yield base_url


@pytest.fixture
def visitor(browser, kiosk, public_site):
    """The session's Chromium as a kiosk screen with touch, on a first visit to both sites."""
    browser.execute_cdp_cmd("Network.clearBrowserCookies", {})
    for origin in (kiosk, public_site):
        browser.execute_cdp_cmd("Storage.clearDataForOrigin",
                                {"origin": origin, "storageTypes": "local_storage,session_storage"})
    set_window(browser, *KIOSK_SCREEN, mobile=True)
    browser.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5})
    yield browser
    set_phone(browser, on=False)


def decoded_qr_codes(driver, element, tmp_path) -> list[str]:
    """What zbarimg reads on the screen, as the kiosk shows it, with `element` in view."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element)
    shot = tmp_path / "qr.png"
    shot.write_bytes(driver.get_screenshot_as_png())
    result = subprocess.run(["zbarimg", "--quiet", "--raw", str(shot)], capture_output=True, text=True, timeout=30)
    return result.stdout.split()


def test_the_code_opens_the_page_and_sentence_on_a_phone_with_the_visitors_settings(visitor, kiosk, public_site, tmp_path):
    visitor.get(f"{kiosk}/settings?size=3&theme=black-yellow&voice=yue&next=/r/{SLUG}/2")
    # the player has reached the 4th sentence (its place in 继续阅读's cookie)
    visitor.add_cookie({"name": "rd_last_read", "value": f"{SLUG}:2:3", "path": "/"})
    visitor.get(f"{kiosk}/r/{SLUG}/2")
    aside = visitor.find_element("css selector", "aside.rd-handoff")
    written = aside.find_element("css selector", ".rd-handoff__address").text
    (read,) = decoded_qr_codes(visitor, aside.find_element("css selector", "svg"), tmp_path)
    assert read == written
    parts = urlsplit(read)
    assert f"{parts.scheme}://{parts.netloc}" == public_site and parts.path == f"/go/r/{SLUG}/2"
    assert dict(parse_qsl(parts.query)) == {
        "from": "3", "elder": "on", "size": "3", "spacing": "wide", "theme": "black-yellow", "voice": "yue"}
    assert run_axe(visitor, context="aside.rd-handoff").violations == []

    # the visitor's own phone, which has never seen the reader
    visitor.execute_cdp_cmd("Network.clearBrowserCookies", {})
    set_phone(visitor)
    visitor.get(read)
    assert urlsplit(visitor.current_url).path == f"/r/{SLUG}/2"
    assert urlsplit(visitor.current_url).fragment == "rd-arrival"
    assert "第 4 句" in visitor.find_element("id", "rd-arrival").text
    classes = visitor.find_element("tag name", "html").get_attribute("class").split()
    assert {"rd-elder", "rd-size--3", "rd-theme--black-yellow"} <= set(classes)
    kept = next(c for c in visitor.get_cookies() if c["name"] == "rd_settings")
    assert "voice=yue" in kept["value"] and kept["expiry"] > __import__("time").time() + 300 * 24 * 3600
    assert not visitor.find_elements("css selector", ".rd-handoff")  # the public site is no kiosk
    resume = wait_for(lambda: [b for b in visitor.find_elements("css selector", ".rd-player__resume")
                               if b.is_displayed()], message="从这里继续朗读")[0]
    assert resume.text == "从这里继续朗读"
    tap(visitor, resume)
    wait_for(lambda: "rd-sentence--current" in visitor.find_element("id", "s2-3").get_attribute("class"),
             timeout=15, message="the handed-over sentence read")
    tap(visitor, visitor.find_element("css selector", "[data-player-action=stop]"))


def test_the_code_follows_the_sentence_being_read(visitor, kiosk, tmp_path):
    visitor.get(f"{kiosk}/r/{SLUG}/2")
    address = visitor.find_element("css selector", ".rd-handoff__address")
    assert "from=" not in address.text  # nothing read yet: the page's start
    # 下一句 twice: the first sentence, then the second, read aloud
    next_sentence = visitor.find_element("css selector", "[data-player-action=next]")
    tap(visitor, next_sentence)
    tap(visitor, next_sentence)
    wait_for(lambda: "rd-sentence--current" in visitor.find_element("id", "s2-1").get_attribute("class"),
             timeout=15, message="the second sentence read")
    wait_for(lambda: "from=1&" in address.text, timeout=10, message="the written address follows")
    (read,) = decoded_qr_codes(visitor, visitor.find_element("css selector", "aside.rd-handoff svg"), tmp_path)
    assert read == address.text
    tap(visitor, visitor.find_element("css selector", "[data-player-action=stop]"))


def test_the_hand_off_passes_axe_and_its_targets_on_every_kiosk_page_type(visitor, kiosk):
    """The hand-off's parts on each kiosk page type, in 黑底黄字 at 200 %: axe (WCAG A/AA and
    7:1 contrast), the 打印 buttons at least 60 px, and no sideways scrolling."""
    visitor.get(f"{kiosk}/settings?size=3&theme=black-yellow&next=/")
    with axe_on_every_page(visitor):
        for path in (f"/r/{SLUG}/", f"/r/{SLUG}/2", f"/r/{SLUG}/all", f"/r/{SLUG}/outline"):
            check_hand_off_parts(visitor, kiosk, path)


def check_hand_off_parts(visitor, kiosk, path):
    visitor.get(kiosk + path)
    parts = ".rd-handoff, .rd-print-actions, .rd-facts"
    result = run_axe(visitor, context=parts, extra_rules=[ENHANCED_CONTRAST])
    assert not result.violations, f"{path}: {describe_violations(result.violations)}"
    # nothing on the page, the scripts' own included, leads off the site or to a new window
    assert visitor.execute_script(
        "return [...document.querySelectorAll('a[href], area[href], form')]"
        ".filter(e => new URL(e.href || e.action, location.href).origin !== location.origin"
        " || e.target).map(e => e.outerHTML)") == [], path
    for button in visitor.find_elements("css selector", ".rd-print-actions .rd-button"):
        assert button.size["height"] >= 60 and button.size["width"] >= 60, path
    assert visitor.execute_script("return document.documentElement.scrollWidth <= window.innerWidth"), path


def pdf_words(pdf: bytes, tmp_path) -> list[tuple[str, float, int]]:
    """Each word pdftotext finds: its text, width in points and page (from 1)."""
    path = tmp_path / "printout.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True,
                          check=True, timeout=60).stdout
    words, page = [], 0
    for line in html.splitlines():
        if "<page " in line:
            page += 1
        found = re.search(r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', line)
        if found:
            words.append((found.group(3), float(found.group(2)) - float(found.group(1)), page))
    return words


def test_the_printout_has_title_text_and_page_numbers_in_large_type(visitor, kiosk, tmp_path):
    visitor.get(f"{kiosk}/r/{SLUG}/all")
    assert visitor.find_element("css selector", "[data-module=rd-print]").is_displayed()
    pdf = base64.b64decode(visitor.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True})["data"])
    words = pdf_words(pdf, tmp_path)
    pages = max(page for _, _, page in words)
    assert pages >= 3
    text = "".join(word for word, _, _ in words)
    assert TITLE in text and "全面贯彻落实党的二十大精神的开局之年" in text
    # every sheet numbered in its foot ("n / N") and headed by the report's title
    for n in range(1, pages + 1):
        on_sheet = "".join(word for word, _, page in words if page == n)
        assert f"{n}/{pages}" in on_sheet and TITLE in on_sheet, n
    # the text in large type, at least 16 pt: a Chinese character is 1 em wide, so a
    # run of them (no letter spacing on paper) measures the type's size
    sizes = sorted(width / len(word) for word, width, _ in words if re.fullmatch(r"[\u4e00-\u9fff，。、；：“”]{6,}", word))
    assert len(sizes) > 20
    # (the kiosk starts in 长者模式, which prints at 18 pt; PDF points are 0.9995 of CSS pt)
    assert sizes[len(sizes) // 2] >= 17.9, sizes[len(sizes) // 2]
    # and a code back to the page on the printout
    visitor.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        code = visitor.find_element("css selector", ".rd-printout svg")
        (read,) = decoded_qr_codes(visitor, code, tmp_path)
        assert urlsplit(read).path == f"/go/r/{SLUG}/all"
    finally:
        visitor.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
