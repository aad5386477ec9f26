"""The kiosk keeps visitors on the site, and hands a page over to a phone or to paper.

Flask test client and BeautifulSoup: every page type in kiosk mode leads nowhere but this
site; web addresses stay text with a QR code; the 在手机上继续 address carries the page, the
sentence and the settings; /go/… keeps them on the phone for a year and lands at the
sentence. The QR codes are read back, and the printout measured, in
tests/browser/test_handoff.py.
"""

from __future__ import annotations

import shutil
from urllib.parse import parse_qsl, urlsplit

import pytest
from conftest import CONTENT, soup_of

PUBLIC = "https://yidu.example.gov.cn"
SLUG = "zs-xiqu-2023-work-plan"
# A report that writes a web address in its text, as these reports do for a hotline or a
# portal: the opening of 西区街道2023年工作计划 and a sentence naming the city's portal.
ADDRESS = "www.zs.gov.cn"
WITH_ADDRESS = "zs-xiqu-2023-with-address"
ADDRESS_REPORT = (
    "西区街道2023年工作计划\n"
    "2023年是全面贯彻落实党的二十大精神的开局之年。\n"
    f"群众可登录中山市人民政府网站（{ADDRESS}）或拨打12345政务服务便民热线反映诉求。\n"
)


@pytest.fixture(scope="module")
def kiosk_content(tmp_path_factory):
    content = tmp_path_factory.mktemp("kiosk") / "content"
    shutil.copytree(CONTENT, content)
    (content / f"{WITH_ADDRESS}.txt").write_text(ADDRESS_REPORT, encoding="utf-8")
    return content


def make_app(content, instance, **config):
    from reader.web import create_app

    return create_app({"TESTING": True, "CONTENT_DIR": str(content), "INSTANCE_DIR": str(instance), **config})


@pytest.fixture(scope="module")
def kiosk(kiosk_content, tmp_path_factory):
    return make_app(kiosk_content, tmp_path_factory.mktemp("instance"), KIOSK=True, PUBLIC_BASE_URL=PUBLIC)


@pytest.fixture
def kiosk_client(kiosk):
    return kiosk.test_client()


def kiosk_pages(client) -> list[str]:
    soup = soup_of(client.get("/"))
    covers = [a["href"] for a in soup.select("main a.rd-report-list__link")]
    urls = ["/", "/search?q=养老服务", "/settings", "/help", "/glossary", "/r/nope/"]
    for cover in covers:
        urls += [cover, cover + "1", cover + "all", cover + "outline"]
    return urls


def leaves_site(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.scheme or parts.netloc) or url.startswith("//") or "\\" in url


def test_no_link_form_or_frame_on_any_kiosk_page_leaves_the_site(kiosk_client):
    pages = kiosk_pages(kiosk_client)
    assert len(pages) > 20 and f"/r/{WITH_ADDRESS}/1" in pages
    for url in pages:
        soup = soup_of(kiosk_client.get(url))
        for element in soup.select("a[href], area[href], link[href]"):
            assert not leaves_site(element["href"]), f"{url}: {element}"
        for form in soup.select("form"):
            assert not leaves_site(form.get("action", "")), f"{url}: {form}"
        for element in soup.select("[src]"):
            assert not leaves_site(element["src"]), f"{url}: {element}"
        assert not soup.select("[target], iframe, object, embed, [formtarget]"), url


def test_a_redirect_from_the_kiosk_never_leaves_the_site(kiosk_client):
    for target in ("https://evil.example/", "//evil.example", "/\\evil.example", "/%09/evil.example"):
        response = kiosk_client.get("/settings", query_string={"size": "3", "next": target})
        assert response.status_code == 303
        assert not leaves_site(response.headers["Location"]), target
    for path in ("/go//evil.example", "/go/https://evil.example/", "/go/%5Cevil.example"):
        response = kiosk_client.get(path)
        assert response.status_code in (303, 308), path
        assert not leaves_site(response.headers["Location"]), path


def test_a_web_address_in_a_report_is_text_with_a_qr_code_on_the_kiosk(kiosk_client):
    soup = soup_of(kiosk_client.get(f"/r/{WITH_ADDRESS}/1"))
    assert ADDRESS in soup.select_one(".rd-reading__body").get_text()
    assert not soup.select(f'a[href*="{ADDRESS}"]')
    listed = soup.select_one(".rd-addresses")
    assert listed.select_one(".rd-handoff__address").get_text() == ADDRESS
    assert listed.select_one("svg[role=img]")["aria-label"] == f"二维码：{ADDRESS}"
    # the published page's address on the cover: text and a code, no link
    cover = soup_of(kiosk_client.get(f"/r/{SLUG}/"))
    assert cover.select_one(".rd-facts__url").name == "span"
    assert cover.select_one(".rd-facts__qr svg[role=img]")


def test_every_kiosk_reading_page_offers_its_public_address_with_the_visitors_settings(kiosk_client):
    kiosk_client.get("/settings?size=3&theme=black-yellow&voice=yue&next=/")
    for path in (f"/r/{SLUG}/", f"/r/{SLUG}/2", f"/r/{SLUG}/all", f"/r/{SLUG}/outline"):
        soup = soup_of(kiosk_client.get(path))
        aside = soup.select_one("aside.rd-handoff")
        assert aside.select_one("h2").get_text() == "在手机上继续", path
        assert aside.select_one("svg[role=img]")["aria-label"] == "二维码：在手机上打开本页"
        address = aside.select_one(".rd-handoff__address").get_text()
        parts = urlsplit(address)
        assert f"{parts.scheme}://{parts.netloc}" == PUBLIC and parts.path == "/go" + path
        carried = dict(parse_qsl(parts.query))
        # the kiosk's own 长者模式 goes too: it is what the visitor sees
        assert carried == {"elder": "on", "size": "3", "spacing": "wide", "theme": "black-yellow", "voice": "yue"}


def test_the_hand_off_names_the_sentence_the_player_reached(kiosk_client):
    kiosk_client.get("/")  # a visit begins: the kiosk reads the place only within one
    kiosk_client.set_cookie("rd_last_read", f"{SLUG}:2:4")
    address = soup_of(kiosk_client.get(f"/r/{SLUG}/2")).select_one(".rd-handoff__address").get_text()
    assert dict(parse_qsl(urlsplit(address).query))["from"] == "4"
    elsewhere = soup_of(kiosk_client.get(f"/r/{SLUG}/3")).select_one(".rd-handoff__address").get_text()
    assert "from" not in dict(parse_qsl(urlsplit(elsewhere).query))


def test_the_hand_off_never_carries_a_place_from_a_visit_that_has_ended(kiosk_client):
    """The last visitor's place, left in a cookie with no visit, is not the next one's code."""
    kiosk_client.set_cookie("rd_last_read", f"{SLUG}:2:4")
    address = soup_of(kiosk_client.get(f"/r/{SLUG}/2")).select_one(".rd-handoff__address").get_text()
    assert "from" not in dict(parse_qsl(urlsplit(address).query))


def test_a_phone_arriving_keeps_the_settings_for_a_year_and_lands_at_the_sentence(kiosk_content, tmp_path):
    phone = make_app(kiosk_content, tmp_path / "instance", PUBLIC_BASE_URL=PUBLIC).test_client()
    response = phone.get(f"/go/r/{SLUG}/2?from=4&elder=on&size=3&spacing=wide&theme=black-yellow&voice=yue")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/r/{SLUG}/2?from=4#rd-arrival"
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("rd_settings="))
    assert "Max-Age=31536000" in cookie
    soup = soup_of(phone.get(f"/r/{SLUG}/2?from=4"))
    assert {"rd-elder", "rd-size--3", "rd-theme--black-yellow"} <= set(soup.html["class"])
    player = soup.select_one("[data-module=rd-player]")
    assert player["data-voice"] == "yue" and player["data-arrival"] == "4"
    assert player["data-i18n-arrival"] == "从这里继续朗读"
    assert "第 5 句" in soup.select_one("#rd-arrival").get_text()
    assert not soup.select(".rd-handoff, .rd-print-actions")  # not a kiosk
    # a sentence the page does not have, or no number at all, is no arrival
    for wrong in ("999", "-1", "4x", "٣"):
        assert not soup_of(phone.get(f"/r/{SLUG}/2?from={wrong}")).select("[data-arrival], #rd-arrival")


def test_the_live_code_answers_bad_input_with_one_line(kiosk_client):
    response = kiosk_client.get("/qr.svg?slug=x&n=two&from=1")
    assert response.status_code == 400
    assert response.get_data(as_text=True).count("\n") == 1
    # no report, no such page, or a slug longer than any code holds (that was a 500)
    for slug, n in (("x", 1), (SLUG, 999), ("x" * 3000, 1)):
        assert kiosk_client.get("/qr.svg", query_string={"slug": slug, "n": n, "from": 1}).status_code == 404
    good = kiosk_client.get(f"/qr.svg?slug={SLUG}&n=2&from=7")
    assert good.mimetype == "image/svg+xml" and good.headers["Cache-Control"] == "no-store"
    assert urlsplit(good.headers["X-Handoff-Address"]).query.startswith("from=7&elder=on")


def test_every_printout_carries_date_source_and_a_code_back_to_the_page(client):
    """Outside a kiosk too (the browser's own print uses static/css/print.css); the
    buttons and the on-screen code are the kiosk's only."""
    soup = soup_of(client.get(f"/r/{SLUG}/2"))
    printout = soup.select_one(".rd-printout")
    assert "信息来源" in printout.get_text() or "发布日期" in printout.get_text()
    assert printout.select_one("svg[role=img]")
    assert not soup.select(".rd-handoff, .rd-print-actions, .rd-addresses")


def test_every_printed_sheet_is_headed_by_the_reports_title_and_date(client):
    css = client.get("/r/zs-nanqu-2022-work-summary/print.css")
    assert css.mimetype == "text/css"
    assert '@top-left { content: "南区街道办事处2022年工作总结"; }' in css.get_data(as_text=True)
    assert '@top-right { content: "2023年2月16日"; }' in css.get_data(as_text=True)
    assert client.get("/r/nope/print.css").status_code == 404


def test_nothing_in_a_title_can_end_the_printouts_css_string():
    from reader.web.handoff import css_string

    quoted = css_string('西区"; } body { display: none } @page { x: "\\')
    inner = quoted[1:-1]
    assert quoted[0] == quoted[-1] == '"'
    assert not set('";{}:@') & set(inner)
    assert inner.startswith("西区\\000022\\00003b \\00007d body") and inner.endswith("\\000022\\00005c")
