"""The 术语 glossary as served: the first use of each term on a page a link to its entry
(named as explaining it; JavaScript makes it a disclosure), /glossary in pinyin order with
links back, each explanation spoken in the reader's voice."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from conftest import CONTENT, soup_of

from reader import glossary, library
from reader.speech.mp3 import mp3_duration
from reader.web import create_app

GLOSSARY = glossary.load(CONTENT / glossary.GLOSSARY_NAME)
MEETING = "/r/zs-nanqu-2024-cadre-meeting/1"  # 1310, 百千万工程, 点状供地, 强村公司 …


@pytest.fixture
def app(tmp_path):
    app = create_app({"TESTING": True, "CONTENT_DIR": str(CONTENT),
                      "INSTANCE_DIR": str(tmp_path / "instance"), "SPEECH_TIMEOUT": 20})
    yield app
    app.extensions["speech_synthesiser"].close()


def terms_of(soup):
    return soup.select("#rd-text a.rd-term")


def test_the_first_use_of_each_term_links_to_its_entry_and_says_it_explains(client):
    soup = soup_of(client.get(MEETING))
    links = terms_of(soup)
    named = [link.get_text() for link in links]
    assert {"1310", "百千万工程", "1388", "点状供地", "强村公司"} <= set(named)
    assert len(named) == len(set(named)), "each term once a page"
    link = next(link for link in links if link.get_text() == "百千万工程")
    assert unquote(link["href"]) == "/glossary#term-百千万工程"
    assert link["aria-label"] == "百千万工程：术语解释"
    assert link["data-explain"] == GLOSSARY.by_anchor("term-百千万工程").explain
    assert unquote(link["data-audio"]) == "/glossary/百千万工程/audio.mp3"
    # the sentence keeps its id and its text: the player and search marks find it as before
    sentence = link.find_parent("span", class_="rd-sentence")
    assert sentence["id"] == "s1-2"
    assert "省委“1310”具体部署" in sentence.get_text()
    # the later uses of the term on the page are plain text
    later = [s for s in soup.select("span.rd-sentence") if "百千万工程" in s.get_text()][1:]
    assert later and not any(s.select("a.rd-term") for s in later)


def test_sentences_with_terms_have_the_manifests_text(client):
    soup = soup_of(client.get(MEETING))
    manifest = client.get(MEETING + "/speech.json").get_json()
    shown = {span["id"]: span.get_text() for span in soup.select("span.rd-sentence")}
    assert {s["id"]: s["text"] for s in manifest["sentences"]} == shown


def test_a_search_mark_and_a_term_nest_in_one_sentence(client):
    soup = soup_of(client.get(MEETING + "?q=百千万"))
    link = next(link for link in terms_of(soup) if link.get_text() == "百千万工程")
    mark = link.select_one("mark.rd-mark")
    assert mark.get_text() == "百千万" and mark["id"] == "s1-2-m0"
    # a match wider than a term holds the term inside it
    soup = soup_of(client.get(MEETING + "?q=“1310”具体"))
    mark = soup.select_one("#s1-2 mark.rd-mark")
    assert mark.get_text() == "“1310”具体" and mark.select_one("a.rd-term").get_text() == "1310"


def test_in_traditional_script_the_term_is_shown_in_it(client):
    client.get("/settings?script=hant&next=/")
    soup = soup_of(client.get(MEETING))
    assert "百千萬工程" in [link.get_text() for link in terms_of(soup)]


def test_the_glossary_page_lists_every_term_by_pinyin_with_links_back(client):
    response = client.get("/glossary")
    assert response.status_code == 200
    soup = soup_of(response)
    entries = soup.select("dl.rd-glossary > div.rd-glossary__entry")
    assert len(entries) == len(GLOSSARY.terms) >= 80
    shown = [e.select_one(".rd-glossary__term span").get_text() for e in entries]
    assert shown == [t.term for t in GLOSSARY.sorted_terms()]
    readings = [e.select_one(".rd-glossary__reading").get_text() for e in entries]
    assert readings[0].startswith(("a", "b")) and readings[-1].startswith("z")
    entry = soup.find(id="term-百千万工程")
    assert "百县千镇万村高质量发展工程" in entry.get_text()
    uses = entry.select("a.rd-glossary__use")
    assert uses
    for use in uses:
        page = client.get(use["href"])
        assert page.status_code == 200
        link = next(a for a in terms_of(soup_of(page)) if a.get_text() == "百千万工程")
        assert link


def test_every_link_back_has_a_name_of_its_own(client):
    """A screen reader's list of links tells the pages apart by term: without it, "南城街道
    2023年工作计划 第 5 页" was the name of eleven links under eleven terms."""
    links = soup_of(client.get("/glossary")).select("a.rd-glossary__use")
    names = [" ".join(link.get_text().split()) for link in links]
    assert len(links) > 100 and len(set(names)) == len(names)
    assert names[0].split("：")[0] == links[0].find_parent(class_="rd-glossary__entry")["id"].removeprefix("term-")


def test_a_term_no_report_uses_has_no_links_back(client):
    soup = soup_of(client.get("/glossary"))
    entry = soup.find(id="term-工业上楼")
    assert entry is not None and not entry.select("a.rd-glossary__use")


def test_a_bad_glossary_file_costs_no_page(tmp_path, content_dir):
    app = create_app({"TESTING": True, "CONTENT_DIR": str(content_dir),
                      "INSTANCE_DIR": str(tmp_path / "i")})
    (content_dir / "glossary.toml").write_text("[[term]\n", encoding="utf-8")
    client = app.test_client()
    assert client.get("/glossary").status_code == 200
    assert client.get(MEETING).status_code == 200
    app.extensions["speech_synthesiser"].close()


def test_an_unknown_term_has_no_audio(client):
    assert client.get("/glossary/不是术语/audio.mp3").status_code == 404


@pytest.mark.speech
def test_the_explanation_is_spoken_in_the_readers_voice(app, client):
    heard = {}
    for voice in ("cmn", "yue"):
        client.get(f"/settings?voice={voice}&next=/")
        response = client.get("/glossary/百千万工程/audio.mp3")
        assert response.status_code == 302
        audio = client.get(response.headers["Location"])
        assert audio.status_code == 200 and audio.mimetype == "audio/mpeg"
        heard[voice] = (response.headers["Location"], mp3_duration(audio.get_data()))
    assert heard["cmn"][0] != heard["yue"][0]
    # the term and its two sentences: several seconds in either voice
    assert all(seconds > 4 for _, seconds in heard.values()), heard


def test_where_each_term_is_used_follows_the_library(app):
    with app.app_context():
        from reader.web import glossary_views, store

        uses = glossary_views.term_uses(store.connection())
        conn = store.connection()
        slugs = {report.slug for report, _ in uses["百千万工程"]}
        assert "zs-nanqu-2024-cadre-meeting" in slugs
        for report, n in uses["工改"]:
            page = library.page(conn, report.slug, n)
            assert any("工改" in s for s in page.sentences)
