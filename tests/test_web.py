"""The reading app as a reader meets it: pages, links, structure, settings and search."""

from __future__ import annotations

import re

import pytest
from conftest import CONTENT, soup_of

from reader import pipeline
from reader.settings import COOKIE_NAME

MEETING = "zs-nanqu-2024-cadre-meeting"
SUMMARY = "zs-nanqu-2022-work-summary"
NANCHENG = "dg-nancheng-2023-work-plan"
DONGQU = "zs-dongqu-2020-work-plan"


def page_urls(client):
    soup = soup_of(client.get("/"))
    covers = [a["href"] for a in soup.select("main a.rd-report-list__link")]
    urls = ["/", "/search?q=养老服务", "/settings", "/help", "/glossary", "/r/nope/"]
    for cover in covers:
        urls += [cover, cover + "1", cover + "all", cover + "outline"]
    return urls


def test_every_page_type_has_landmarks_one_h1_and_its_own_title(client):
    titles = set()
    for url in page_urls(client):
        response = client.get(url)
        assert response.status_code == (404 if "nope" in url else 200), url
        soup = soup_of(response)
        assert soup.html["lang"] == "zh-CN"
        assert soup.select_one("body > a.rd-skip-link")["href"] == "#main"
        assert soup.find("body").find("a") is soup.select_one("a.rd-skip-link"), url
        assert soup.select_one("main#main") and soup.select_one("header") and soup.select_one("footer")
        assert len(soup.find_all("h1")) == 1, url
        for nav in soup.find_all("nav"):
            assert nav.get("aria-label") or nav.get("aria-labelledby"), url
        title = soup.title.string
        assert title.endswith(" · 易读"), url
        titles.add(title)
    assert len(titles) >= 12  # home, search, settings, help, 404 and each report's pages


def test_pages_send_no_inline_script_or_style(client):
    for url in page_urls(client):
        response = client.get(url)
        policy = response.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in policy and "script-src 'self'" in policy
        soup = soup_of(response)
        assert not soup.select("[style]"), url
        assert not soup.find_all("style"), url
        assert all(script.get("src") for script in soup.find_all("script")), url
        assert not [t for t in soup.find_all(True) if any(a.startswith("on") for a in t.attrs)]


def test_home_groups_reports_by_district_newest_first(client):
    soup = soup_of(client.get("/"))
    districts = {
        section.h2.get_text(strip=True): [a.get_text() for a in section.select("a.rd-report-list__link")]
        for section in soup.select("section.rd-district")
    }
    assert districts["中山市 南区街道"] == [
        "齐心协力 勇毅前行!南区街道召开干部大会",
        "南区街道办事处2022年工作总结",
    ]
    assert districts["东莞市 南城街道"] == ["南城街道2023年工作计划"]
    assert sum(len(v) for v in districts.values()) == 5
    assert soup.select_one("form[role=search] input[name=q]")


def test_cover_shows_facts_and_contents_linking_every_section(client):
    soup = soup_of(client.get(f"/r/{NANCHENG}/"))
    assert soup.h1.get_text() == "南城街道2023年工作计划"
    facts = soup.select_one("dl.rd-facts").get_text(" ", strip=True)
    assert "2023年2月24日" in facts and "本网" in facts and "东莞市" in facts
    contents = soup.select("nav#contents a.rd-contents__link")
    labels = [a.get_text()[:2] for a in contents]
    assert labels == ["一、", "二、", "三、", "四、", "五、"]
    for link in contents:
        page = soup_of(client.get(link["href"].split("#")[0]))
        assert page.find(id=link["href"].split("#")[1]).get_text() == link.get_text()
    actions = [a.get_text() for a in soup.select(".rd-cover__actions a")]
    assert actions[:2] == ["开始阅读", "朗读全文"]


def test_page_has_heading_path_position_and_pagination(client):
    report = pipeline.read_report(_content(DONGQU))
    count = len(report.pages)
    soup = soup_of(client.get(f"/r/{DONGQU}/2"))
    assert soup.title.string == "第 2 页 · 东区街道2020年工作计划 · 易读"
    nav = soup.select_one("nav.rd-pagination")
    assert nav["aria-label"] == "翻页"
    assert nav.select_one("[aria-current=page]").get_text() == f"第 2 页 / 共 {count} 页"
    # A page turn lands at the report text, past the header and the toolbar.
    assert nav.select_one("a[rel=prev]")["href"] == f"/r/{DONGQU}/1#rd-text"
    assert nav.select_one("a[rel=next]")["href"] == f"/r/{DONGQU}/3#rd-text"
    assert soup.select_one("#rd-text.rd-reading__body .rd-sentence")
    assert soup.select_one("link[rel=next]")["href"] == f"/r/{DONGQU}/3"
    last = soup_of(client.get(f"/r/{DONGQU}/{count}"))
    assert not last.select("a[rel=next]") and "读完了" in last.select_one("nav.rd-pagination").get_text()


def test_report_numbering_becomes_real_headings_at_their_depth(client):
    soup = soup_of(client.get(f"/r/{DONGQU}/all"))
    h2 = [h.get_text()[:3] for h in soup.select("main h2")]
    assert h2 == ["(一)", "(二)", "(三)", "(四)"]
    first_h3 = soup.select("main h3")[0]
    assert first_h3.get_text().startswith("1.构建")
    assert first_h3.find_previous(["h2", "h3"]).get_text().startswith("(一)")
    nancheng = soup_of(client.get(f"/r/{NANCHENG}/all"))
    assert [h.get_text()[:2] for h in nancheng.select("main h2")] == ["一、", "二、", "三、", "四、", "五、"]


def test_items_are_lists_and_sentences_are_addressable(client):
    soup = soup_of(client.get(f"/r/{MEETING}/all"))
    items = [li.get_text()[:2] for li in soup.select("main ol.rd-list > li")]
    assert items[:8] == ["一是", "二是", "三是", "四是", "五是", "六是", "七是", "八是"]
    assert items[8:] == ["一要", "二要", "三要", "四要", "五要", "六要", "七要"]
    ids = [span["id"] for span in soup.select("span.rd-sentence")]
    assert len(ids) == len(set(ids))


def test_whole_report_holds_every_page_text_in_order(client):
    report = pipeline.read_report(_content(SUMMARY))
    text = soup_of(client.get(f"/r/{SUMMARY}/all")).select_one(".rd-reading__body").get_text()
    expected = "".join(s for b in report.blocks for s in b.sentences)
    assert re.sub(r"\s", "", text) == re.sub(r"\s", "", expected)


@pytest.mark.parametrize("url", [f"/r/{SUMMARY}/0", f"/r/{SUMMARY}/999", "/r/none/", "/r/none/1", "/nowhere"])
def test_unknown_reports_and_pages_get_an_accessible_404(client, url):
    response = client.get(url)
    assert response.status_code == 404
    soup = soup_of(response)
    assert soup.h1.get_text() == "找不到这一页"
    assert soup.select_one("main a[href='/']")


def test_settings_link_sets_cookie_and_returns_to_the_page(client):
    response = client.get(f"/settings?theme=black-yellow&size=5&next=/r/{SUMMARY}/3")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/r/{SUMMARY}/3"
    html = soup_of(client.get(f"/r/{SUMMARY}/3")).html
    assert "rd-theme--black-yellow" in html["class"] and "rd-size--5" in html["class"]
    pressed = soup_of(client.get("/")).select("[data-setting=theme][aria-pressed=true]")
    assert [a.get_text() for a in pressed] == ["配色：黑底黄字"]  # its setting, then its value


def test_elder_preset_and_reset(client):
    client.get("/settings?preset=elder&next=/")
    soup = soup_of(client.get("/"))
    classes = soup.html["class"]
    assert {"rd-elder", "rd-size--2", "rd-spacing--wide"} <= set(classes)
    assert not soup.select("header nav")  # the simpler header
    switch = soup.select_one("#rd-elder-switch")
    assert switch.get_text() == "长者助手" and switch["aria-pressed"] == "true"
    client.get("/settings?preset=reset&next=/")
    classes = soup_of(client.get("/")).html["class"]
    assert "rd-elder" not in classes and "rd-size--1" in classes and "rd-theme--default" in classes


def test_invalid_cookie_values_are_ignored(client):
    client.set_cookie(COOKIE_NAME, "theme=hotpink&size=99&spacing=wide&%%%=&evil")
    response = client.get("/")
    assert response.status_code == 200
    classes = soup_of(response).html["class"]
    assert "rd-theme--default" in classes and "rd-size--1" in classes and "rd-spacing--wide" in classes


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", ""])
def test_settings_never_send_the_reader_off_the_site(client, target):
    response = client.get("/settings", query_string={"theme": "black-white", "next": target})
    assert response.headers["Location"] == "/settings"


def test_settings_form_works_without_javascript(client):
    soup = soup_of(client.get("/settings"))
    form = soup.select_one("main form[method=post]")
    names = {i["name"] for i in form.select("input[type=radio]")}
    assert names == {"size", "spacing", "theme", "voice", "rate", "pauses", "reading", "captions",
                     "word_highlight", "guide", "cursor", "script", "ruby", "lang", "elder", "autoclose"}
    for radio in form.select("input[type=radio]"):
        assert soup.select_one(f"label[for={radio['id']}]"), radio["id"]
    response = client.post("/settings", data={"theme": "blue-white", "spacing": "wide", "next": "/help"})
    assert response.headers["Location"] == "/help"
    assert "rd-theme--blue-white" in soup_of(client.get("/help")).html["class"]
    client.post("/settings", data={"theme": "blue-white", "preset": "reset"})
    assert "rd-theme--default" in soup_of(client.get("/help")).html["class"]


def test_settings_answer_javascript_with_classes_and_one_announcement(client):
    response = client.get("/settings?theme=yellow-black", headers={"Accept": "application/json"})
    answer = response.get_json()
    assert "rd-theme--yellow-black" in answer["classes"]
    assert answer["settings"] == {"theme": "yellow-black"}
    assert answer["message"] == "配色 黄底黑字"  # what changed, not only that something did
    assert COOKIE_NAME in response.headers["Set-Cookie"]


def test_traditional_script_converts_report_text_only(client):
    client.get("/settings?script=hant&next=/")
    soup = soup_of(client.get(f"/r/{NANCHENG}/"))
    assert soup.h1.get_text() == "南城街道2023年工作計劃"
    assert soup.h1["lang"] == "zh-HK"
    assert soup.html["lang"] == "zh-HK"  # 繁體 text brings the 繁體 interface
    assert soup.select_one("#rd-elder-switch").get_text() == "長者助手"
    assert soup.select_one("#rd-toolbar-switch").get_text() == "無障礙版"


def test_search_marks_matches_and_links_to_the_page_holding_them(client):
    soup = soup_of(client.get("/search?q=专精特新"))
    hits = soup.select("ol.rd-results > li")
    assert hits
    for hit in hits:
        assert hit.select_one("mark").get_text() == "专精特新"
        page = soup_of(client.get(hit.a["href"]))
        assert "专精特新" in page.select_one(".rd-reading__body").get_text()


def test_two_character_search_finds_words_too(client):
    soup = soup_of(client.get("/search?q=养老"))
    assert len(soup.select("ol.rd-results > li")) >= 2
    assert "找到" in soup.select_one("h2.rd-results__count").get_text()
    none = soup_of(client.get("/search?q=火星基地"))
    assert "没有找到" in none.select_one("h2.rd-results__count").get_text()


def test_cover_names_the_published_page_a_kiosk_without_a_way_off_the_site(tmp_path):
    from reader.web import create_app

    published = "https://www.zs.gov.cn/zsdq/gkmlpt/content/1/1746/post_1746483.html"
    for kiosk in (False, True):
        app = create_app({"TESTING": True, "CONTENT_DIR": str(CONTENT), "KIOSK": kiosk,
                          "INSTANCE_DIR": str(tmp_path / "i")})
        soup = soup_of(app.test_client().get("/r/zs-dongqu-2020-work-plan/"))
        facts = soup.select_one("dl.rd-facts")
        assert "原文网址" in facts.get_text() and published in facts.get_text()
        links = [a["href"] for a in facts.select("a")]
        assert links == ([] if kiosk else [published])


def test_library_is_rebuilt_when_content_changes(tmp_path, content_dir):
    from reader.web import create_app, store

    app = create_app(
        {"TESTING": True, "CONTENT_DIR": str(content_dir), "INSTANCE_DIR": str(tmp_path / "i"),
         "LIBRARY_CHECK_SECONDS": 0}
    )
    client = app.test_client()
    assert len(soup_of(client.get("/")).select("a.rd-report-list__link")) == 5
    (content_dir / "zs-nanqu-2024-cadre-meeting.txt").unlink()
    # The request that notices the change is served from the library there is, while the
    # new one is built beside it; once it is swapped in, the change shows.
    assert client.get("/").status_code == 200
    assert store.wait_for_build(app, timeout=30)
    links = soup_of(client.get("/")).select("a.rd-report-list__link")
    assert len(links) == 4
    assert client.get(f"/r/{MEETING}/").status_code == 404


def test_a_bad_file_in_content_is_left_out_and_the_rest_served(tmp_path, content_dir):
    from reader.web import create_app

    (content_dir / "broken.txt").write_bytes(b"\x00\x01\x02binary")
    app = create_app(
        {"TESTING": True, "CONTENT_DIR": str(content_dir), "INSTANCE_DIR": str(tmp_path / "i")}
    )
    links = soup_of(app.test_client().get("/")).select("a.rd-report-list__link")
    assert len(links) == 5


def _content(slug):
    return CONTENT / f"{slug}.txt"


HAN = re.compile(r"[\u3400-\u9fff]")


def test_english_interface_leaves_chinese_only_in_passages_marked_as_chinese(client):
    client.get("/settings?lang=en&next=/")
    for url in page_urls(client):
        soup = soup_of(client.get(url))
        assert soup.html["lang"] == "en"
        for text in soup.find_all(string=HAN):
            if text.parent.name in ("script", "title"):
                continue
            marked = text.find_parent(attrs={"lang": re.compile("^zh")})
            assert marked is not None, f"{url}: untranslated or unmarked {text.strip()[:30]!r}"
