"""The speech manifest of a reading page (/r/<slug>/<n>/speech.json) and the page's plain
<audio> player, as the player script and a reader without JavaScript meet them."""

from __future__ import annotations

import re

import pytest
from conftest import CONTENT, soup_of

from reader.settings import COOKIE_NAME
from reader.speech.audio import audio_key
from reader.speech.spoken import spoken_form
from reader.web import create_app

SLUG = "zs-dongqu-2020-work-plan"  # 11 pages; page 2 holds headings, items and paragraphs
SHORT = "zs-nanqu-2024-cadre-meeting"
AUDIO_URL = re.compile(r"^/audio/[0-9a-f]{64}\.mp3$")


def _app(instance, **config):
    return create_app(
        {"TESTING": True, "CONTENT_DIR": str(CONTENT), "INSTANCE_DIR": str(instance), **config}
    )


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = _app(tmp_path_factory.mktemp("instance"))
    yield app
    app.extensions["speech_synthesiser"].close()


@pytest.fixture
def client(app):
    return app.test_client()


def manifest_of(client, slug, n, query=""):
    response = client.get(f"/r/{slug}/{n}/speech.json{query}")
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/json"
    return response.get_json()


def spans_of(client, slug, n):
    soup = soup_of(client.get(f"/r/{slug}/{n}"))
    return [(span["id"], span.get_text()) for span in soup.select(".rd-reading__body .rd-sentence")]


def test_sentences_are_the_pages_spans_in_order_with_their_ids_and_text(client):
    page_count = manifest_of(client, SHORT, 1)["pages"]
    for n in range(1, page_count + 1):
        manifest = manifest_of(client, SHORT, n)
        assert [(s["id"], s["text"]) for s in manifest["sentences"]] == spans_of(client, SHORT, n)
    page_2 = manifest_of(client, SLUG, 2)
    assert [(s["id"], s["text"]) for s in page_2["sentences"]] == spans_of(client, SLUG, 2)
    assert len(page_2["sentences"]) > 3


def test_the_manifest_names_the_page_its_voice_and_the_next_page(client):
    manifest = manifest_of(client, SLUG, 2)
    assert {k: manifest[k] for k in ("slug", "n", "pages", "voice", "rate", "lang", "next")} == {
        "slug": SLUG,
        "n": 2,
        "pages": 11,
        "voice": "cmn",
        "rate": "normal",
        "lang": "zh-CN",
        "next": f"/r/{SLUG}/3",
    }
    assert manifest_of(client, SLUG, 11)["next"] is None
    assert AUDIO_URL.match(manifest["page_audio"])
    for sentence in manifest["sentences"]:
        assert AUDIO_URL.match(sentence["audio"]), sentence
        assert sentence["spoken"] == spoken_form(sentence["text"], "cmn")


def test_audio_urls_are_content_addressed(app, client, tmp_path):
    manifest = manifest_of(client, SLUG, 2)
    first = manifest["sentences"][0]
    engine = app.extensions["speech_synthesiser"].engine_version("cmn")
    key = audio_key(spoken_form(first["text"], "cmn"), "cmn", "normal", engine)
    assert first["audio"] == f"/audio/{key}.mp3"
    # the same text gives the same URL on another server with its own cache
    other = _app(tmp_path / "other")
    try:
        assert manifest_of(other.test_client(), SLUG, 2) == manifest
    finally:
        other.extensions["speech_synthesiser"].close()
    # voice and rate each change every URL
    for query in ("?voice=yue", "?rate=slow", "?rate=fast"):
        changed = manifest_of(client, SLUG, 2, query)
        assert changed["page_audio"] != manifest["page_audio"], query
        for before, after in zip(manifest["sentences"], changed["sentences"], strict=True):
            assert before["text"] == after["text"]
            assert before["audio"] != after["audio"], query


def test_voice_and_rate_follow_the_cookie_unless_the_query_says_otherwise(client):
    client.set_cookie(COOKIE_NAME, "voice=yue&rate=slow")
    manifest = manifest_of(client, SLUG, 1)
    assert (manifest["voice"], manifest["rate"], manifest["lang"]) == ("yue", "slow", "zh-HK")
    manifest = manifest_of(client, SLUG, 1, "?voice=cmn&rate=fast")
    assert (manifest["voice"], manifest["rate"], manifest["lang"]) == ("cmn", "fast", "zh-CN")
    manifest = manifest_of(client, SLUG, 1, "?voice=klingon&rate=warp")
    assert (manifest["voice"], manifest["rate"]) == ("yue", "slow")


def test_text_follows_the_readers_script(client):
    client.set_cookie(COOKIE_NAME, "script=hant")
    manifest = manifest_of(client, SLUG, 2)
    assert [(s["id"], s["text"]) for s in manifest["sentences"]] == spans_of(client, SLUG, 2)
    assert "聚焦粵港澳大灣區" in manifest["sentences"][0]["text"]


def test_the_manifest_depends_on_the_cookie_so_is_never_shared(client):
    response = client.get(f"/r/{SLUG}/2/speech.json")
    assert response.headers["Cache-Control"] == "no-cache"
    assert "Cookie" in response.headers["Vary"]


def test_sentence_audio_is_mp3_cacheable_forever(client):
    url = manifest_of(client, SHORT, 1)["sentences"][0]["audio"]
    with client.get(url) as response:
        assert response.status_code == 200
        assert response.mimetype == "audio/mpeg"
        assert "immutable" in response.headers["Cache-Control"]
        assert response.data[:3] == b"ID3" or response.data[0] == 0xFF


def test_unknown_report_or_page_is_not_found(client):
    assert client.get("/r/nope/1/speech.json").status_code == 404
    assert client.get(f"/r/{SLUG}/99/speech.json").status_code == 404
    assert client.get(f"/r/{SLUG}/0/speech.json").status_code == 404
    assert client.get(f"/r/{SLUG}/99/audio.mp3").status_code == 404


def test_every_reading_page_has_a_labelled_plain_player_of_the_whole_page(client):
    soup = soup_of(client.get(f"/r/{SLUG}/2"))
    player = soup.select_one("article section.rd-player")
    assert player.find_previous_sibling("header") is not None  # after the page's header
    label = soup.find(id=player["aria-labelledby"])
    assert label.get_text(strip=True) == "朗读本页"
    audio = player.select_one("audio")
    assert audio.has_attr("controls") and audio["preload"] == "none"
    # the stable page URL redirects to the content-addressed MP3 in the reader's voice
    response = client.get(audio["src"])
    assert response.status_code == 302
    assert response.location == manifest_of(client, SLUG, 2)["page_audio"]
    assert "Cookie" in response.headers["Vary"]
    # the script's controls: a real toggle button, the one Alt+Shift+7 presses
    toggle = player.select_one("#rd-player-toggle")
    assert toggle.name == "button" and toggle["aria-pressed"] == "false"
    actions = [b["data-player-action"] for b in player.select("button[data-player-action]")]
    assert actions == ["prev", "next", "stop"]
    assert player["data-i18n-continue"] == "继续朗读"  # the button autoplay refusal needs
    caption = soup.select_one("[data-module=rd-caption]")
    assert caption["role"] == "region" and caption["aria-live"] == "off"
    assert caption["aria-label"] == "大字幕"


def test_the_player_speaks_the_interface_language(client):
    client.set_cookie(COOKIE_NAME, "lang=en")
    soup = soup_of(client.get(f"/r/{SLUG}/2"))
    assert soup.select_one("#rd-player-label").get_text(strip=True) == "Read this page aloud"
    assert soup.select_one("#rd-player-toggle").get_text(strip=True) == "Read aloud"


def test_without_a_voice_the_manifest_says_so_and_the_browser_speaks(tmp_path):
    app = _app(tmp_path / "instance", SPEECH_DISABLED=True)
    try:
        client = app.test_client()
        manifest = manifest_of(client, SLUG, 2)
        assert manifest["page_audio"] is None
        assert manifest["sentences"] and all(s["audio"] is None for s in manifest["sentences"])
        assert all(s["spoken"] for s in manifest["sentences"])
        assert client.get(f"/r/{SLUG}/2/audio.mp3").status_code == 503
    finally:
        app.extensions["speech_synthesiser"].close()
