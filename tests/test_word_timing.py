"""Word-by-word timing: the engine's word positions, stored with the cached audio, mapped
back to the characters of the sentence as displayed, and handed to the player in the
speech manifest and by the sentence's timing URL; and the pause setting's own audio."""

from __future__ import annotations

import re

import pytest
from conftest import CONTENT

from reader.settings import COOKIE_NAME
from reader.speech.mp3 import mp3_duration
from reader.speech.word_timing import display_words
from reader.web import create_app

SLUG = "zs-xiqu-2023-work-plan"
AUDIO_URL = re.compile(r"^/audio/([0-9a-f]{64})\.mp3$")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": str(CONTENT),
            "INSTANCE_DIR": str(tmp_path_factory.mktemp("instance")),
            "SPEECH_LIMIT_EXEMPT": ["127.0.0.1"],
        }
    )
    yield app
    app.extensions["speech_synthesiser"].close()


@pytest.fixture
def client(app):
    return app.test_client()


def manifest_of(client, n, query=""):
    response = client.get(f"/r/{SLUG}/{n}/speech.json{query}")
    assert response.status_code == 200
    return response.get_json()


def sentence_with(client, *parts, query=""):
    """The first sentence of the report holding every one of `parts`, and its page."""
    pages = manifest_of(client, 1)["pages"]
    for n in range(1, pages + 1):
        for sentence in manifest_of(client, n, query)["sentences"]:
            if all(part in sentence["text"] for part in parts):
                return n, sentence
    raise AssertionError(f"no sentence with {parts}")


def seconds_of(client, url):
    with client.get(url) as response:
        assert response.status_code == 200
        return mp3_duration(response.data)


def check_words(sentence, words, seconds):
    """Words lie inside the displayed text, in order, within the audio, and cover it."""
    text = sentence["text"]
    assert words, sentence
    assert [w[0] for w in words] == sorted(w[0] for w in words)
    assert words[0][0] < 500 and words[-1][0] < seconds * 1000
    assert [w[1] for w in words] == sorted(w[1] for w in words)
    for _ms, start, end in words:
        assert 0 <= start < end <= len(text)
        assert text[start].strip() and text[start] not in "，,。、；"
    covered = {i for _, start, end in words for i in range(start, end)}
    han = [i for i, char in enumerate(text) if "\u4e00" <= char <= "\u9fff"]
    assert len(covered.intersection(han)) >= 0.9 * len(han)


@pytest.mark.speech
@pytest.mark.parametrize("voice", ["cmn", "yue"])
def test_words_of_a_sentence_with_numbers_map_onto_its_displayed_characters(client, voice):
    query = f"?voice={voice}"
    n, sentence = sentence_with(client, "2023年地区生产总值", "6%", query=query)
    assert sentence["words"] is None  # not yet made
    response = client.get(sentence["timing"])
    assert response.status_code == 200
    words = response.get_json()["words"]
    check_words(sentence, words, seconds_of(client, sentence["audio"]))
    text = sentence["text"]
    spans = [text[start:end] for _, start, end in words]
    if voice == "cmn":  # the pinyin sent is read word by word: a word lights whole
        assert "地区" in spans and "增长" in spans
    else:  # the Cantonese voice reads characters: one character a word
        assert "地" in spans and "区" in spans
    # 2023 is said 二零二三: its digits light up, never the 年 or the words around them
    year = text.index("2023年")
    digits = [s for _, start, end in words if year <= start < year + 4 for s in [text[start:end]]]
    assert digits and "".join(digits) == "2023"
    # the manifest now carries the same words, stored with the audio
    again = next(s for s in manifest_of(client, n, query)["sentences"] if s["id"] == sentence["id"])
    assert again["words"] == words


@pytest.mark.speech
def test_words_follow_the_traditional_text_a_reader_chose(client):
    client.set_cookie(COOKIE_NAME, "script=hant&voice=yue")
    _n, sentence = sentence_with(client, "地區生產總值")
    words = client.get(sentence["timing"]).get_json()["words"]
    check_words(sentence, words, 60)
    assert "區" in [sentence["text"][start:end] for _, start, end in words]


@pytest.mark.speech
def test_longer_pauses_are_their_own_audio_and_longer(client):
    standard = manifest_of(client, 2)
    longer = manifest_of(client, 2, "?pauses=long")
    assert (standard["pauses"], longer["pauses"]) == ("normal", "long")
    assert longer["pause_seconds"][0] > standard["pause_seconds"][0]
    assert longer["page_audio"] != standard["page_audio"]
    for before, after in zip(standard["sentences"], longer["sentences"], strict=True):
        assert before["audio"] != after["audio"]
    with_comma = next(s for s in standard["sentences"] if "," in s["text"] or "，" in s["text"])
    index = standard["sentences"].index(with_comma)
    short = seconds_of(client, with_comma["audio"])
    long = seconds_of(client, longer["sentences"][index]["audio"])
    assert long > short + 0.2


def test_timing_of_an_unknown_sentence_or_page_is_not_found(client):
    assert client.get(f"/r/{SLUG}/1/timing/s9-99.json").status_code == 404
    assert client.get(f"/r/{SLUG}/99/timing/s1-0.json").status_code == 404


def test_without_a_voice_there_is_no_timing_and_no_words(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": str(CONTENT),
            "INSTANCE_DIR": str(tmp_path),
            "SPEECH_DISABLED": True,
        }
    )
    try:
        sentence = app.test_client().get(f"/r/{SLUG}/1/speech.json").get_json()["sentences"][0]
        assert (sentence["audio"], sentence["words"], sentence["timing"]) == (None, None, None)
    finally:
        app.extensions["speech_synthesiser"].close()


# --- the mapping itself, on engine texts another layer might hand the engine --------------


def test_a_stretch_said_in_pinyin_lights_the_characters_it_stands_for():
    display = "推动经济增长，加快建设。"
    engine = "推动经济zeng1 zhang3，加快建设。"
    timing = {"text": engine, "words": [[0, 0, 1], [200, 1, 1], [400, 2, 1], [600, 3, 1],
                                        [800, 4, 5], [1000, 10, 6], [1500, 17, 1], [1700, 18, 1],
                                        [1900, 19, 1], [2100, 20, 1]]}
    words = display_words(display, timing)
    # the second syllable lights what the first did: it is left out
    assert [display[a:b] for _, a, b in words] == ["推", "动", "经", "济", "增长", "加", "快", "建", "设"]
    assert [ms for ms, _, _ in words] == [0, 200, 400, 600, 800, 1500, 1700, 1900, 2100]


def test_a_word_the_engine_names_by_its_first_character_lights_the_whole_word():
    # espeak's Cantonese names 增長 by 增 alone, with length 1
    display = "经济增长较快。"
    engine = "經濟增長較快。"
    timing = {"text": engine, "words": [[0, 0, 1], [250, 1, 1], [500, 2, 1], [900, 4, 1], [1100, 5, 1]]}
    words = display_words(display, timing)
    assert [display[a:b] for _, a, b in words] == ["经", "济", "增长", "较", "快"]


def test_no_timing_gives_no_words():
    assert display_words("经济增长。", None) is None
    assert display_words("经济增长。", {"text": "經濟增長。", "words": []}) is None
