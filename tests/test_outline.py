"""The 要点 outline (reader.outline, /r/<slug>/outline): what is in it, checked by hand
against each bundled report, where its links land, and what 朗读要点 says."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CONTENT, soup_of

from reader.outline import GOES_ON, LEAD_MAX_CHARS, outline_of
from reader.pipeline import read_report
from reader.web import create_app
from reader.web.page_view import view_of

EXPECTED = Path(__file__).parent / "outlines"
REPORTS = sorted(path for path in CONTENT.glob("*.txt"))
SHORT = "zs-nanqu-2022-work-summary"  # 8 leads: an opening paragraph and 一是…七是


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = create_app({
        "TESTING": True, "CONTENT_DIR": str(CONTENT), "INSTANCE_DIR": str(tmp_path_factory.mktemp("i"))
    })
    yield app
    app.extensions["speech_synthesiser"].close()


@pytest.fixture
def client(app):
    return app.test_client()


def outline_lines(report) -> list[str]:
    """One line an entry: page, sentence id, kind (h<level>, item, paragraph), text."""
    return [
        f"{e.n}\t{e.sentence_id}\t{f'h{e.level}' if e.type == 'heading' else e.type}\t{e.text}"
        for e in outline_of(view_of(page) for page in report.pages)
    ]


@pytest.mark.parametrize("path", REPORTS, ids=lambda path: path.stem)
def test_the_outline_of_each_bundled_report_is_the_one_checked_by_hand(path):
    expected = (EXPECTED / f"{path.stem}.txt").read_text(encoding="utf-8").splitlines()
    assert outline_lines(read_report(path)) == expected


def test_every_bundled_report_has_its_checked_outline():
    assert sorted(p.stem for p in EXPECTED.glob("*.txt")) == [p.stem for p in REPORTS]


@pytest.mark.parametrize("slug", [p.stem for p in REPORTS])
def test_each_outline_link_lands_on_the_page_holding_its_sentence(client, slug):
    soup = soup_of(client.get(f"/r/{slug}/outline"))
    links = soup.select(".rd-reading__body a.rd-outline__link")
    assert links
    pages = {}
    for link in links:
        path, sid = link["href"].split("#")
        first = link.select_one("[data-sentence]")
        assert first["id"] == sid
        if path not in pages:
            response = client.get(path)
            assert response.status_code == 200, path
            pages[path] = soup_of(response)
        target = pages[path].find(id=sid)
        assert target is not None, (path, sid)
        lead = first.get_text()
        if lead.endswith(GOES_ON):  # a long lead's first clause: the page has it whole
            assert target.get_text().startswith(lead.removesuffix(GOES_ON)), (path, sid)
            assert len(target.get_text()) > LEAD_MAX_CHARS
        else:
            assert target.get_text() == lead


def test_the_outline_page_names_its_report_and_its_length(client):
    soup = soup_of(client.get(f"/r/{SHORT}/outline"))
    assert "要点" in soup.h1.get_text()
    assert "南区街道办事处2022年工作总结" in soup.h1.get_text()
    summary = soup.select_one(".rd-outline__summary").get_text()
    assert summary.startswith("共 8 条，106 字（全文 2713 字）")
    assert [h.get_text() for h in soup.select(".rd-outline__lead--item .rd-outline__link")][0] == "一是疫情防控精准高效。"


@pytest.mark.parametrize("slug", [p.stem for p in REPORTS])
def test_the_cover_and_every_page_link_to_the_outline(client, slug):
    outline = f"/r/{slug}/outline"
    cover = soup_of(client.get(f"/r/{slug}/"))
    assert cover.select_one(f'a[href="{outline}"]').get_text() == "要点"
    n = 1
    while (response := client.get(f"/r/{slug}/{n}")).status_code == 200:
        nav = soup_of(response).select_one("nav.rd-pagination")
        assert nav.select_one(f'a[href="{outline}"]').get_text() == "要点", n
        n += 1
    assert n > 1


def test_the_outline_manifest_lists_the_outlines_sentences_with_the_pages_audio(client):
    soup = soup_of(client.get(f"/r/{SHORT}/outline"))
    spans = [(s["id"], s.get_text()) for s in soup.select(".rd-reading__body [data-sentence]")]
    manifest = client.get(f"/r/{SHORT}/outline/speech.json?voice=cmn").get_json()
    assert [(s["id"], s["text"]) for s in manifest["sentences"]] == spans
    assert manifest["next"] is None
    page = client.get(f"/r/{SHORT}/2/speech.json?voice=cmn").get_json()
    on_page = {s["id"]: s["audio"] for s in page["sentences"]}
    for sentence in manifest["sentences"]:
        if sentence["id"] in on_page and not sentence["text"].endswith(GOES_ON):  # same audio
            assert sentence["audio"] == on_page[sentence["id"]]


def test_the_outline_audio_answers_with_audio_in_both_voices(client):
    heard = {}
    for voice in ("cmn", "yue"):
        manifest = client.get(f"/r/{SHORT}/outline/speech.json?voice={voice}").get_json()
        for sentence in manifest["sentences"][1:3]:  # 一是…, 二是…: short, so quick to make
            with client.get(sentence["audio"]) as response:
                assert response.status_code == 200
                assert response.mimetype == "audio/mpeg"
                assert len(response.data) > 2000  # a second or more of sound
                assert response.data[:3] == b"ID3" or response.data[0] == 0xFF
                heard[voice, sentence["id"]] = response.data
    assert heard["cmn", "s1-1"] != heard["yue", "s1-1"]  # two voices, not one twice


def test_the_plain_player_plays_the_whole_outline(client):
    soup = soup_of(client.get(f"/r/{SHORT}/outline"))
    audio = soup.select_one(".rd-player audio")
    assert audio["src"] == f"/r/{SHORT}/outline/audio.mp3"
    assert soup.select_one("#rd-player-label").get_text() == "朗读要点"
    response = client.get(audio["src"] + "?voice=cmn")
    assert response.status_code == 302
    assert response.location == client.get(f"/r/{SHORT}/outline/speech.json?voice=cmn").get_json()["outline_audio"]


def test_an_unknown_report_has_no_outline(client):
    assert client.get("/r/no-such-report/outline").status_code == 404
    assert client.get("/r/no-such-report/outline/speech.json").status_code == 404
    assert client.get("/r/no-such-report/outline/audio.mp3").status_code == 404
