"""Search as a reader uses it: in either script, with stray spaces, counted in places and
reports, landing on a page with every match marked."""

from __future__ import annotations

import re
import shutil

import opencc
import pytest
from conftest import CONTENT, soup_of

from reader.folding import fold
from reader.search import QUERY_MAX_CHARS, query_of

NANCHENG = "dg-nancheng-2023-work-plan"


def results_of(client, query: str):
    soup = soup_of(client.get("/search", query_string={"q": query}))
    links = [a["href"] for a in soup.select("ol.rd-results > li > a.rd-results__link")]
    count = soup.select_one("h2.rd-results__count")
    return soup, links, count.get_text() if count else None


def reading_text(client, url: str) -> str:
    return soup_of(client.get(url)).select_one(".rd-reading__body").get_text()


def every_page(client) -> list[str]:
    covers = [a["href"] for a in soup_of(client.get("/")).select("a.rd-report-list__link")]
    pages = []
    for cover in covers:
        soup = soup_of(client.get(cover))
        count = int(re.search(r"共 (\d+) 页", soup.get_text()).group(1))
        pages += [f"{cover}{n}" for n in range(1, count + 1)]
    return pages


def test_folding_keeps_length_and_meets_both_scripts():
    for simplified in ("养老服务", "社区卫生服务中心", "着力发展制造业", "干部队伍"):
        traditional = opencc.OpenCC("s2hk").convert(simplified)
        assert traditional != simplified
        assert fold(traditional) == fold(simplified)
        assert len(fold(traditional)) == len(traditional)
    assert fold("ＧＤＰ增长") == fold("gdp增长") == "gdp增长"


def test_a_traditional_query_finds_what_the_simplified_one_finds(client):
    _, simplified, count = results_of(client, "养老")
    _, traditional, traditional_count = results_of(client, "養老")
    assert simplified and traditional == [link.replace("q=%E5%85%BB", "q=%E9%A4%8A") for link in simplified]
    assert traditional_count.replace("養", "养") == count


def test_spaces_inside_a_chinese_query_are_ignored(client):
    _, together, _ = results_of(client, "养老")
    for spaced in ("养 老", " 养　老 ", "养\t老"):
        soup, links, count = results_of(client, spaced)
        assert [link.split("?")[0] for link in links] == [link.split("?")[0] for link in together]
        assert soup.select_one("main input[name=q]")["value"] == "养老"
    assert query_of("PM 2.5 浓度").text == "PM 2.5浓度"  # a space between Latin words stays


def test_the_count_says_places_in_reports_as_the_pages_show_them(client):
    _, _, count = results_of(client, "养老")
    places, reports = 0, set()
    for url in every_page(client):
        found = reading_text(client, url).count("养老")
        places += found
        if found:
            reports.add(url.rsplit("/", 1)[0])
    assert places > len(reports) > 1
    assert count == f"“养老”：在 {len(reports)} 份报告中找到 {places} 处"


def test_the_page_a_result_leads_to_marks_every_match_and_links_to_the_first(client):
    _, links, _ = results_of(client, "養老")
    for link in links:
        url, _, fragment = link.partition("#")
        soup = soup_of(client.get(url))
        body = soup.select_one(".rd-reading__body")
        marks = body.select("mark.rd-mark")
        assert len(marks) == body.get_text().count("养老") >= 1, link
        assert {mark.get_text() for mark in marks} == {"养老"}
        assert marks[0]["id"] == fragment, link
        found = soup.select_one(".rd-found")
        assert f"本页标出了“養老”的 {len(marks)} 处" in found.get_text()
        unmarked = soup_of(client.get(found.a["href"]))
        assert not unmarked.select(".rd-reading__body mark")


def test_marks_follow_the_readers_script(client):
    client.get("/settings?script=hant&next=/")
    _, links, _ = results_of(client, "养老")
    body = soup_of(client.get(links[0])).select_one(".rd-reading__body")
    assert [mark.get_text() for mark in body.select("mark")] == ["養老"] * body.get_text().count("養老")


def test_an_over_long_query_is_searched_for_its_start_and_says_so(client):
    asked = "推进社区养老服务" + "的" * 60
    soup, _, count = results_of(client, asked)
    assert soup.select_one("main input[name=q]")["value"] == asked[:QUERY_MAX_CHARS]
    notice = soup.select_one("main .rd-notice").get_text()
    assert f"最多 {QUERY_MAX_CHARS} 个字" in notice
    assert count.startswith("“" + asked[:QUERY_MAX_CHARS])
    assert not results_of(client, asked[:QUERY_MAX_CHARS])[0].select_one(".rd-notice")


def test_nothing_found_says_so(client):
    assert results_of(client, "火星基地")[2] == "“火星基地”：没有找到"


@pytest.fixture
def traditional_library(tmp_path):
    """content/ with one report published in 繁體 instead of 简体."""
    from reader.web import create_app

    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    report = content / f"{NANCHENG}.txt"
    report.write_text(opencc.OpenCC("s2hk").convert(report.read_text(encoding="utf-8")), "utf-8")
    app = create_app({"TESTING": True, "CONTENT_DIR": str(content), "INSTANCE_DIR": str(tmp_path / "i")})
    return app.test_client()


def test_a_simplified_query_finds_a_report_published_in_traditional(traditional_library):
    for query in ("养老", "养老服务圈", "養老"):
        _, links, _ = results_of(traditional_library, query)
        in_report = [link for link in links if NANCHENG in link]
        assert in_report, query
        body = soup_of(traditional_library.get(in_report[0])).select_one(".rd-reading__body")
        assert body.select_one("mark").get_text() == opencc.OpenCC("s2hk").convert(query)


@pytest.mark.parametrize("asked", ["   ", "\x00", "\u200b\t"])
def test_a_page_asked_to_mark_nothing_shows_no_marking_notice(client, asked):
    soup = soup_of(client.get(f"/r/{NANCHENG}/1", query_string={"q": asked}))
    assert soup.select_one(".rd-reading__body")
    assert soup.select_one(".rd-found") is None  # never "本页标出了“”的 0 处"
