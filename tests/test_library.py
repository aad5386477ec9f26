"""The library at scale, checked small: every search path against a scan of every sentence,
updates that read only what changed, several processes starting at once, and the home page
browsed by city, district, year and kind."""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from conftest import CONTENT, REPO, soup_of

from reader import library, search
from reader.folding import fold
from reader.search import query_of

MEETING = "zs-nanqu-2024-cadre-meeting"
SENTENCES = "SELECT r.slug, s.n, s.seq, s.text FROM sentence s JOIN report r ON r.id = s.report ORDER BY s.id"


def settled_copy(source: Path, target: Path, text: str | None = None) -> None:
    """`source` (or `text`) at `target`, dated a minute ago: not a file still being copied."""
    if text is None:
        shutil.copyfile(source, target)
    else:
        target.write_text(text, encoding="utf-8")
    settled = time.time_ns() - 60 * 10**9
    os.utime(target, ns=(settled, settled))


@pytest.fixture(scope="module")
def shelf(tmp_path_factory):
    """content/ read into a library: its path, and its sentences in library order."""
    db_path = tmp_path_factory.mktemp("shelf") / "library.sqlite3"
    library.update(CONTENT, db_path)
    conn = library.connect(db_path)
    sentences = conn.execute(SENTENCES).fetchall()
    yield conn, [tuple(row) for row in sentences]
    conn.close()


def scanned(sentences, query: str) -> tuple[list[tuple[str, int, int]], int, int]:
    """What search must find, by brute force: the first matching sentence of each page,
    the places and the reports, from the folded text of every sentence."""
    wanted = fold(query_of(query).text)
    firsts, places, reports = {}, 0, set()
    for slug, n, seq, text in sentences:
        found = fold(text).count(wanted)
        if found:
            firsts.setdefault((slug, n), (slug, n, seq))
            places += found
            reports.add(slug)
    return list(firsts.values()), places, len(reports)


def sampled_queries(sentences, seed: int = 8) -> list[str]:
    """Pieces of the reports' own sentences, 1 to 6 characters long, punctuation and
    digits among them: every way of finding candidates is met."""
    rng = random.Random(seed)
    queries = []
    for length in (1, 1, 2, 2, 2, 2, 3, 4, 6):
        for _ in range(6):
            text = rng.choice(sentences)[3]
            start = rng.randrange(max(1, len(text) - length))
            queries.append(text[start : start + length])
    return queries


FIXED_QUERIES = [
    "养老", "養老", "老", "社區", "营商环境", "2023", "20", "年", "。", "，全", "”", "(", "gdp",
    "Ｇ", "火星", "養老服務圈", "2023年", "1+1+9", "“1+1", "，”", "年，", "3.5",
]  # fmt: skip


def test_every_search_path_finds_what_a_scan_of_every_sentence_finds(shelf):
    conn, sentences = shelf
    queries = FIXED_QUERIES + sampled_queries(sentences)
    paths = {"scan": 0, "one alone": 0, "a phrase of pairs": 0, "several runs": 0}
    for query in queries:
        asked = query_of(query)
        if not asked.text.strip():
            continue
        wanted = asked.folded
        runs = re.findall(r"[^\W_]+", wanted)
        paths["scan" if not runs else "several runs" if len(runs) > 1
              else "one alone" if len(runs[0]) == 1 else "a phrase of pairs"] += 1  # fmt: skip
        results = search.search(conn, asked, limit=10**6)
        firsts, places, reports = scanned(sentences, query)
        assert results.complete, query
        assert [(h.slug, h.n, h.seq) for h in results.hits] == firsts, query
        assert (results.places, results.reports) == (places, reports), query
    assert min(paths.values()) >= 3, paths  # each way of finding candidates was tried


def test_past_the_limit_the_first_matching_sentences_are_counted_not_the_first_candidates(shelf):
    """A query of several runs ("3.5", "1+1") finds candidates that hold the runs apart;
    the limit is on sentences that hold the query, or a common pair of runs would find
    nothing at all in a big library."""
    conn, sentences = shelf
    for query in ("3.5", "1+1", "年，", "，全", "2023年"):
        wanted = query_of(query).folded
        matching = [(slug, n, seq, text) for slug, n, seq, text in sentences if wanted in fold(text)]
        assert matching, query
        counted = matching[:2]
        firsts, places, reports = scanned(counted, query)
        results = search.search(conn, query_of(query), limit=10**6, count_limit=2)
        assert [(h.slug, h.n, h.seq) for h in results.hits] == firsts, query
        assert (results.places, results.reports) == (places, reports), query
        assert results.complete == (len(matching) <= 2), query


def test_a_traditional_query_finds_the_same_sentences_as_the_simplified_one(shelf):
    conn, _ = shelf
    for simplified, traditional in (("养老", "養老"), ("社区", "社區"), ("养老服务", "養老服務")):
        assert search.search(conn, query_of(traditional)) == search.search(conn, query_of(simplified))


def test_counts_past_the_limit_say_at_least(client, monkeypatch):
    monkeypatch.setitem(client.application.config, "SEARCH_COUNT_LIMIT", 3)
    soup = soup_of(client.get("/search", query_string={"q": "养老"}))
    count = soup.select_one("h2.rd-results__count").get_text()
    assert re.fullmatch(r"“养老”：在至少 \d+ 份报告中找到至少 \d+ 处", count), count
    assert len(soup.select("ol.rd-results > li")) <= 3
    soup = soup_of(client.get("/search", query_string={"q": "养老服务圈"}))  # rare: counted
    assert "至少" not in soup.select_one("h2.rd-results__count").get_text()


def test_an_update_reads_only_the_files_that_changed(tmp_path, content_dir):
    db_path = tmp_path / "library.sqlite3"
    first = library.update(content_dir, db_path)
    assert len(first.built) == 5
    version = library.built_from(db_path)
    assert library.update(content_dir, db_path) is None  # nothing changed: nothing read

    meeting = content_dir / f"{MEETING}.txt"
    changed = meeting.read_text(encoding="utf-8") + "\n  会议还部署了长者饭堂建设工作。\n"
    settled_copy(meeting, meeting, changed)
    settled_copy(CONTENT / f"{MEETING}.txt", content_dir / "a-new-report.txt")
    (content_dir / "zs-xiqu-2023-work-plan.txt").unlink()
    result = library.update(content_dir, db_path)
    assert sorted(result.built) == ["a-new-report", MEETING]
    assert library.built_from(db_path) != version, "the library's version did not change"

    conn = library.connect(db_path)
    slugs = [report.slug for report in library.reports(conn)]
    assert sorted(slugs) == sorted(["a-new-report", MEETING, "dg-nancheng-2023-work-plan",
                                    "zs-dongqu-2020-work-plan", "zs-nanqu-2022-work-summary"])  # fmt: skip
    hits = search.search(conn, query_of("长者饭堂建设")).hits
    assert [(hit.slug, hit.n) for hit in hits] == [(MEETING, library.report(conn, MEETING).page_count)]
    assert "zs-xiqu-2023-work-plan" not in {h.slug for h in search.search(conn, query_of("西区")).hits}
    # The indexes hold no sentence of a removed or replaced report: each finds what a scan finds.
    sentences = [tuple(r) for r in conn.execute(SENTENCES)]
    for query in ("南区街道", "干部", "会", "。"):
        results = search.search(conn, query_of(query), limit=10**6)
        firsts, places, _ = scanned(sentences, query)
        assert ([(h.slug, h.n, h.seq) for h in results.hits], results.places) == (firsts, places)
    conn.close()


UPDATE_IN_A_PROCESS = """
import sys
from reader import library
result = library.update(sys.argv[1], sys.argv[2])
print("built" if result else "found", len(result.built) if result else 0)
"""


def test_two_processes_starting_at_once_build_the_library_once(tmp_path, content_dir):
    for seed in CONTENT.glob("*.txt"):
        for n in range(8):
            settled_copy(seed, content_dir / f"{seed.stem}-{n}.txt")
    db_path = tmp_path / "instance" / "library.sqlite3"
    python = REPO / ".venv" / "bin" / "python"
    command = [str(python), "-c", UPDATE_IN_A_PROCESS, str(content_dir), str(db_path)]
    processes = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    answers = sorted(process.communicate(timeout=120)[0].strip() for process in processes)
    assert [process.returncode for process in processes] == [0, 0]
    assert answers == ["built 45", "found 0"], "both processes built the library"
    conn = library.connect(db_path)
    assert library.report_count(conn) == 45
    conn.close()


@pytest.fixture(scope="module")
def big_client(tmp_path_factory):
    """A library of 25 reports (five copies of each bundled one): more than SMALL_LIBRARY."""
    from reader.web import create_app

    root = tmp_path_factory.mktemp("big")
    content = root / "content"
    content.mkdir()
    for seed in CONTENT.glob("*.txt"):
        for n in range(5):
            settled_copy(seed, content / f"{seed.stem}-{n}.txt")
            meta = seed.with_name(seed.stem + ".meta.toml")
            if meta.exists():
                settled_copy(meta, content / f"{seed.stem}-{n}.meta.toml")
    app = create_app({"TESTING": True, "CONTENT_DIR": str(content), "INSTANCE_DIR": str(root / "i")})
    return app.test_client()


def listed(client, url: str):
    soup = soup_of(client.get(url))
    return soup, [a["href"] for a in soup.select(".rd-browse a.rd-report-list__link")]


def test_a_small_library_is_grouped_by_district(client):
    soup = soup_of(client.get("/"))
    assert soup.select("section.rd-district h2") and not soup.select("nav.rd-facets")


def test_a_big_library_is_browsed_newest_first_in_pages(big_client):
    soup, first = listed(big_client, "/")
    assert len(first) == 20
    assert soup.select_one("#rd-browse-title").get_text() == "共 25 份报告，从新到旧"
    pager = soup.select_one("nav.rd-pagination[aria-label]")
    assert pager.select_one("[aria-current=page]").get_text() == "第 1 页 / 共 2 页"
    soup, second = listed(big_client, pager.select_one("a[rel=next]")["href"])
    assert len(second) == 5 and not set(first) & set(second)
    dates = [p.get_text().split(" · ")[0] for p in soup_of(big_client.get("/")).select(".rd-report-list__facts")]
    dated = [d for d in dates if d.endswith("日")]
    assert dated == sorted(dated, key=lambda d: tuple(map(int, re.findall(r"\d+", d))), reverse=True)
    assert big_client.get("/?page=3").status_code == 404
    assert big_client.get("/?page=0").status_code == 404
    for past_any_number in ("99999999999999999999", "-99999999999999999999"):  # was a 500
        assert big_client.get(f"/?page={past_any_number}").status_code == 404


def test_each_facet_link_leads_to_as_many_reports_as_it_says(big_client):
    soup = soup_of(big_client.get("/"))
    nav = soup.select_one("nav.rd-facets")
    assert nav["aria-label"] == "按城市、街道镇、年份和类别浏览"
    assert [h.get_text() for h in nav.select("h2")] == ["城市", "年份", "类别"]  # two cities
    links = nav.select("a.rd-facets__link")
    for city in nav.select("ul[aria-labelledby=rd-facet-city] a:not([aria-current])"):
        in_city = soup_of(big_client.get(city["href"])).select_one("nav.rd-facets")
        assert [h.get_text() for h in in_city.select("h2")] == ["城市", "街道和镇", "年份", "类别"]
        links += in_city.select("ul[aria-labelledby=rd-facet-district] a")
    for link in links:
        if "aria-current" in link.attrs:  # 全部: the facet not chosen
            continue
        said = int(re.search(r"\((\d+)\)$", link.get_text().strip()).group(1))
        chosen = soup_of(big_client.get(link["href"]))
        assert chosen.select_one("#rd-browse-title").get_text() == f"共 {said} 份报告，从新到旧"
        current = chosen.select("nav.rd-facets a[aria-current]")
        assert link.get_text() in [a.get_text() for a in current], link["href"]


def test_choices_combine_and_one_can_be_taken_back(big_client):
    soup, links = listed(big_client, "/?city=东莞市")
    assert len(links) == 5 and all("nancheng" in link for link in links)
    districts = [a.get_text() for a in soup.select("ul[aria-labelledby=rd-facet-district] a")]
    assert districts == ["全部", "南城街道 (5)"]  # only the chosen city's
    every_city = soup.select_one("ul[aria-labelledby=rd-facet-city] a")
    assert every_city.get_text() == "全部" and "city=" not in every_city["href"]
    assert listed(big_client, "/?city=东莞市&kind=工作总结")[1] == []
    assert "没有符合这些条件的报告" in soup_of(big_client.get("/?city=东莞市&kind=工作总结")).get_text()


def test_a_deleted_library_is_503_until_the_watcher_has_built_it_again(tmp_path):
    from reader.web import create_app, store

    app = create_app({"TESTING": True, "CONTENT_DIR": str(CONTENT), "INSTANCE_DIR": str(tmp_path),
                      "LIBRARY_CHECK_SECONDS": 3600})  # fmt: skip
    client = app.test_client()
    Path(app.config["DATABASE"]).unlink()
    response = client.get(f"/r/{MEETING}/1")
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert soup_of(response).h1.get_text() == "暂时无法提供服务"
    assert store.wait_for_build(app, timeout=60)
    assert client.get(f"/r/{MEETING}/1").status_code == 200
