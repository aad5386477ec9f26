"""A page's audio for the plain player: its sentences' own cached MP3s joined with the
reader's pause between them (reader.speech.joining), streamed from the first sentence,
stored once whole, and bounded by the speech pool.

Real espeak-ng, the real library, the Flask test client; what a listener hears is measured
by decoding the MP3 it is sent (miniaudio).
"""

from __future__ import annotations

import hashlib

import miniaudio
import pytest
from conftest import CONTENT

from reader.speech.joining import MixedFormats, joined_mp3, pauses_between, silence
from reader.speech.mp3 import mp3_duration
from reader.speech.voices import pause_seconds
from reader.web import create_app

SLUG = "zs-xiqu-2023-work-plan"
HEARD_PAGE = 4  # two headings (no 。 at their end) among its sentences
CUT_PAGE = 2  # a short heading, then five sentences
OTHER_PAGE = 3
SAMPLE_RATE = 22050
SILENT_AMPLITUDE = 300  # as reader.speech.clauses counts silence
HEADING = "一、实施“党建引领强根基”工程,奋力在塑造基层特色党建品牌上闯新路树标杆"
SENTENCE = "一是强化理论导航,持续深入学习贯彻党的二十大精神。"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = create_app({
        "TESTING": True, "CONTENT_DIR": str(CONTENT), "SPEECH_REQUESTS": 1,
        "SPEECH_PER_MINUTE": 0, "INSTANCE_DIR": str(tmp_path_factory.mktemp("page-audio")),
    })  # fmt: skip
    yield app
    app.extensions["speech_synthesiser"].close()


def decoded(mp3: bytes):
    return miniaudio.decode(
        mp3, output_format=miniaudio.SampleFormat.SIGNED16, nchannels=1, sample_rate=SAMPLE_RATE
    ).samples


def decoded_seconds(mp3: bytes) -> float:
    return len(decoded(mp3)) / SAMPLE_RATE


def silences_heard(samples) -> list[float]:
    """Seconds of each run of silent 10 ms frames, in order, the one at the end left out."""
    frame, runs, run = SAMPLE_RATE // 100, [], 0
    for start in range(0, len(samples) - frame + 1, frame):
        part = samples[start : start + frame]
        if max(part) < SILENT_AMPLITUDE and -min(part) < SILENT_AMPLITUDE:
            run += 1
        elif run:
            runs, run = [*runs, run / 100], 0
    return runs


def fetched(client, url: str):
    """The response to GET `url`, read whole and closed (a file's is left open till then)."""
    with client.get(url) as response:
        response.get_data()
        return response


def key_of(url: str) -> str:
    return url.rsplit("/", 1)[1].removesuffix(".mp3")


def temporary_files(cache) -> list[str]:
    return [path.name for path in cache.directory.glob("??/.tmp-*")]


# --- joining, without a voice ----------------------------------------------------------------


def test_the_pause_is_added_only_after_a_sentence_its_voice_did_not_end():
    clause, sentence = pause_seconds("long", "slow")
    assert pauses_between([HEADING, SENTENCE, HEADING], "long", "slow") == [0.0, sentence - clause, 0.0]
    assert sentence > clause > 0


def test_joined_mp3_is_its_parts_in_order_with_the_silence_between():
    first, second = silence(0.4, SAMPLE_RATE, 1), silence(0.7, SAMPLE_RATE, 1)
    joined = b"".join(joined_mp3([(0.5, [first]), (0.3, iter([second[:100], second[100:]]))]))
    assert joined == first + silence(0.3, SAMPLE_RATE, 1) + second  # no gap before the first
    assert mp3_duration(silence(0.3, SAMPLE_RATE, 1)) == pytest.approx(0.3, abs=0.1)
    with pytest.raises(MixedFormats):
        b"".join(joined_mp3([(0.0, [first]), (0.3, [silence(0.4, 24000, 1)])]))


# --- page audio through the app --------------------------------------------------------------


@pytest.mark.speech
def test_page_audio_after_the_player_made_its_sentences_says_nothing_new(app):
    client = app.test_client()
    manifest = client.get(f"/r/{SLUG}/{HEARD_PAGE}/speech.json?pauses=long").json
    sentences = [fetched(client, entry["audio"]).data for entry in manifest["sentences"]]  # the player
    synthesiser = app.extensions["speech_synthesiser"]
    said = synthesiser.utterances

    redirect = client.get(f"/r/{SLUG}/{HEARD_PAGE}/audio.mp3?pauses=long")
    assert redirect.status_code == 302
    page = fetched(client, redirect.headers["Location"])
    assert page.status_code == 200 and synthesiser.utterances == said  # no voice: joined
    at = 0
    for sentence in sentences:  # each sentence's own MP3, in order
        at = page.data.index(sentence, at) + len(sentence)

    gaps = pauses_between([entry["spoken"] for entry in manifest["sentences"]], "long", "normal")
    assert any(gaps) and not all(gaps[1:])  # after the heading, and not after a full stop
    heard = sum(decoded_seconds(sentence) for sentence in sentences) + sum(gaps)
    # a silence encoded alone is up to ~0.08 s longer (the encoder's delay and last frame)
    assert decoded_seconds(page.data) == pytest.approx(heard, abs=0.02 + 0.1 * sum(map(bool, gaps)))
    # between every two sentences the long sentence pause, after a ； too, and never two;
    # each joined file's encoder delay and last frame add up to 0.17 s of silence
    clause, sentence = pause_seconds("long", "normal")
    between = [s for s in silences_heard(decoded(page.data)) if s > (clause + sentence) / 2]
    assert len(between) == len(sentences) - 1
    assert all(sentence <= s <= sentence + 0.2 for s in between), between

    again = fetched(client, redirect.headers["Location"])  # now a file, with its length and hash
    assert again.data == page.data and again.headers["Content-Length"] == str(len(page.data))
    assert again.get_etag() == (hashlib.sha256(page.data).hexdigest(), False)
    assert synthesiser.utterances == said


@pytest.mark.speech
def test_page_audio_streams_from_its_first_sentence_and_a_cut_stream_stores_nothing(app):
    client, cache, pool = (app.test_client(), app.extensions["audio_cache"],
                           app.extensions["speech_pool"])  # fmt: skip
    manifest = client.get(f"/r/{SLUG}/{CUT_PAGE}/speech.json?rate=fast").json
    sentence_keys = [key_of(entry["audio"]) for entry in manifest["sentences"]]
    assert len(sentence_keys) >= 3
    url = client.get(f"/r/{SLUG}/{CUT_PAGE}/audio.mp3?rate=fast").headers["Location"]
    key = key_of(url)

    streaming = client.get(url, buffered=False)
    pieces = iter(streaming.response)
    heard = next(pieces)
    assert streaming.status_code == 200 and heard[:2] == b"\xff\xf3"
    assert "Content-Length" not in streaming.headers and streaming.get_etag() == (None, None)
    assert cache.stored(sentence_keys[-1]) is None  # sound before the page's later sentences
    # the pool's one place is this stream's: more new audio waits, made audio does not
    other = client.get(f"/r/{SLUG}/{OTHER_PAGE}/audio.mp3?rate=fast").headers["Location"]
    refused = client.get(other)
    assert refused.status_code == 503 and int(refused.headers["Retry-After"]) > 0
    assert pool.health()["in_use"] == 1

    while cache.stored(sentence_keys[0]) is None or len(heard) <= cache.stored(sentence_keys[0]).size:
        heard += next(pieces)  # the first sentence whole, and into the second
    with client.get(f"/audio/{sentence_keys[0]}.mp3") as made:
        assert made.status_code == 200  # a file takes no place
    streaming.close()  # the listener went away
    assert not cache.path(key).exists() and temporary_files(cache) == []
    assert cache.stored(sentence_keys[-1]) is None  # the rest was not said for nobody
    assert pool.health()["in_use"] == 0

    synthesiser = app.extensions["speech_synthesiser"]
    said, unsaid = synthesiser.utterances, {k for k in sentence_keys if cache.stored(k) is None}
    whole = fetched(client, url)  # asked again: the sentences made so far are not said again
    assert whole.status_code == 200 and whole.data.startswith(heard)
    assert synthesiser.utterances == said + len(unsaid)
    assert cache.path(key).read_bytes() == whole.data and temporary_files(cache) == []
