"""MP3 encoding, the content-addressed audio cache and the /audio/<key>.mp3 route."""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime

import pytest
from flask import Flask

from reader.config import load as load_config
from reader.speech.audio import AudioCache, MakingAudio, UnknownAudio, audio_key
from reader.speech.mp3 import encode_mp3, encode_pcm, encoder, mp3_duration, mp3_frames
from reader.speech.synthesiser import wav_duration
from reader.speech.voices import RATES, VOICES
from reader.web import speech_views

SENTENCES = ("一是疫情防控精准高效。", "是发展动能不断集蓄。")



@pytest.fixture
def cache(tmp_path, synthesiser):
    return AudioCache(tmp_path / "audio", synthesiser)


@pytest.fixture
def app(tmp_path):
    app = Flask(__name__)
    app.config.update(
        load_config({"TESTING": True, "INSTANCE_DIR": str(tmp_path), "SPEECH_TIMEOUT": 10})
    )
    speech_views.init_app(app)
    app.register_blueprint(speech_views.bp)
    yield app
    app.extensions["speech_synthesiser"].close()


def test_keys_name_everything_that_changes_the_sound():
    key = audio_key(SENTENCES[0], "cmn", "normal", "pyttsx3-2.99/espeak-ng-1.51/sit/cmn")
    assert len(key) == 64 and key == key.lower()
    assert key == audio_key(SENTENCES[0], "cmn", "normal", "pyttsx3-2.99/espeak-ng-1.51/sit/cmn")
    others = {
        audio_key(SENTENCES[1], "cmn", "normal", "pyttsx3-2.99/espeak-ng-1.51/sit/cmn"),
        audio_key(SENTENCES[0], "yue", "normal", "pyttsx3-2.99/espeak-ng-1.51/sit/cmn"),
        audio_key(SENTENCES[0], "cmn", "slow", "pyttsx3-2.99/espeak-ng-1.51/sit/cmn"),
        audio_key(SENTENCES[0], "cmn", "normal", "pyttsx3-2.99/espeak-ng-1.52/sit/cmn"),
        audio_key([SENTENCES[0]], "cmn", "normal", "pyttsx3-2.99/espeak-ng-1.51/sit/cmn"),
    }
    assert key not in others and len(others) == 5


@pytest.mark.speech
@pytest.mark.parametrize("voice", VOICES)
def test_speech_is_valid_mp3_that_lasts_longer_when_slower(synthesiser, voice):
    seconds = {}
    for rate in RATES:
        wav = synthesiser.synthesise(SENTENCES[0], voice, rate)
        mp3 = encode_mp3(wav)
        frames = list(mp3_frames(mp3))
        assert mp3[:2] == b"\xff\xf3"  # frame sync, MPEG-2 layer III: 22050 Hz
        assert sum(length for _, length, _, _ in frames) == len(mp3)  # frames end to end
        assert {rate for _, _, _, rate in frames} == {22050}
        seconds[rate] = mp3_duration(mp3)
        assert seconds[rate] == pytest.approx(wav_duration(wav), abs=0.15)
    assert seconds["slow"] > seconds["normal"] > seconds["fast"] > 1.0


@pytest.mark.speech
def test_the_cache_makes_audio_once_and_returns_the_same_bytes(cache, synthesiser):
    first = cache.get_or_make(SENTENCES[0], "cmn", "normal")
    made = synthesiser.utterances
    again = cache.get_or_make(SENTENCES[0], "cmn", "normal")
    assert again == first and synthesiser.utterances == made
    assert first.read_bytes() == again.read_bytes()
    assert first == cache.path(cache.key(SENTENCES[0], "cmn", "normal"))
    assert [p.name for p in first.parent.iterdir() if p.name.startswith(".tmp")] == []


@pytest.mark.speech
def test_a_requested_key_can_be_made_later_by_another_cache(cache, synthesiser, tmp_path):
    key = cache.request(SENTENCES[1], "yue", "slow")
    assert not cache.path(key).exists()
    elsewhere = AudioCache(tmp_path / "audio", synthesiser)
    assert mp3_duration(elsewhere.make(key).read_bytes()) > 1.0
    with pytest.raises(UnknownAudio):
        elsewhere.make("0" * 64)


@pytest.mark.speech
def test_page_audio_is_its_sentences_in_one_file(cache):
    page = mp3_duration(cache.get_or_make(list(SENTENCES), "cmn", "fast").read_bytes())
    parts = [mp3_duration(cache.get_or_make(s, "cmn", "fast").read_bytes()) for s in SENTENCES]
    assert page == pytest.approx(sum(parts), abs=0.6)
    assert page > max(parts)


def test_unknown_and_malformed_keys_are_not_found(app):
    client = app.test_client()
    assert client.get(f"/audio/{'a' * 64}.mp3").status_code == 404
    assert client.get("/audio/not-a-key.mp3").status_code == 404
    assert client.get(f"/audio/{'A' * 64}.mp3").status_code == 404


@pytest.mark.speech
def test_audio_is_made_on_first_fetch_and_cacheable_forever(app):
    with app.app_context():
        key = app.extensions["audio_cache"].request(SENTENCES[0], "cmn", "normal")
    client = app.test_client()
    response = client.get(f"/audio/{key}.mp3")
    assert response.status_code == 200
    assert response.mimetype == "audio/mpeg"
    assert response.get_etag() == (None, None)  # streamed: its bytes' hash comes at the end
    assert response.cache_control.public and response.cache_control.immutable
    assert response.cache_control.max_age == 31536000
    assert response.headers["Accept-Ranges"] == "bytes"
    assert mp3_duration(response.data) > 1.0
    tag = hashlib.sha256(response.data).hexdigest()  # the ETag is the hash of the bytes
    response.close()

    again = client.get(f"/audio/{key}.mp3", headers={"If-None-Match": f'"{tag}"'})
    assert again.status_code == 304 and again.data == b""
    again.close()

    stored = client.get(f"/audio/{key}.mp3")
    assert stored.cache_control.max_age == 31536000
    # No Expires that says otherwise: a cache that reads Expires keeps it a year too.
    expires = stored.expires
    assert expires is None or (expires - datetime.now(UTC)).days >= 364
    stored.close()


@pytest.mark.speech
def test_range_requests_get_the_bytes_asked_for(app):
    with app.app_context():
        path = app.extensions["audio_cache"].get_or_make(SENTENCES[1], "yue", "normal")
        key = path.stem
    whole = path.read_bytes()
    client = app.test_client()
    response = client.get(f"/audio/{key}.mp3", headers={"Range": "bytes=100-299"})
    assert response.status_code == 206
    assert response.headers["Content-Range"] == f"bytes 100-299/{len(whole)}"
    assert response.data == whole[100:300]
    response.close()
    tail = client.get(f"/audio/{key}.mp3", headers={"Range": "bytes=-50"})
    assert tail.status_code == 206 and tail.data == whole[-50:]
    tail.close()


@pytest.mark.speech
def test_mp3_encoded_buffer_by_buffer_is_the_same_as_encoded_at_once(synthesiser):
    """LAME gives the same bytes however the PCM is cut up, so streaming changes nothing.

    (espeak-ng itself may differ slightly from one utterance to the next in a worker, so
    the bytes of a key are the first ones stored: see the streaming tests below.)
    """
    with synthesiser.speak(SENTENCES[0] * 4, "cmn", "normal") as utterance:
        buffers = list(utterance)
        sample_rate, channels = utterance.sample_rate, utterance.channels
    assert len(buffers) > 2
    lame = encoder(sample_rate, channels)
    pieces = [bytes(lame.encode(buffer)) for buffer in buffers] + [bytes(lame.flush())]
    assert sum(1 for piece in pieces if piece) > 2
    assert b"".join(pieces) == encode_pcm(b"".join(buffers), sample_rate, channels)


@pytest.mark.speech
def test_streamed_page_audio_is_the_stored_file(cache):
    key = cache.request(list(SENTENCES), "cmn", "normal")
    making = cache.stream(key)
    assert isinstance(making, MakingAudio)
    streamed = b"".join(making)
    assert streamed == cache.path(key).read_bytes()
    # each sentence ends in 。, so with the pause it chose: its own MP3s, end to end
    parts = [cache.get_or_make(s, "cmn", "normal").read_bytes() for s in SENTENCES]
    assert streamed == b"".join(parts)


@pytest.mark.speech
def test_a_streamed_first_response_has_the_bytes_later_requests_get(app):
    with app.app_context():
        cache = app.extensions["audio_cache"]
        key = cache.request(SENTENCES[1], "cmn", "slow")
    client = app.test_client()
    first = client.get(f"/audio/{key}.mp3", headers={"Range": "bytes=0-"}, buffered=False)
    pieces = iter(first.response)
    head = next(pieces)
    assert head[:2] == b"\xff\xf3" and not cache.path(key).exists()  # sound before the file
    streamed = head + b"".join(pieces)
    first.close()
    assert first.status_code == 200 and first.get_etag() == (None, None)  # hash not yet known
    assert first.headers["Accept-Ranges"] == "bytes" and "Content-Length" not in first.headers
    assert first.cache_control.immutable and first.cache_control.max_age == 31536000

    stored = cache.path(key).read_bytes()
    assert streamed == stored and mp3_duration(stored) > 1.0
    again = client.get(f"/audio/{key}.mp3")
    assert again.status_code == 200 and again.data == stored
    assert again.headers["Content-Length"] == str(len(stored))
    assert again.get_etag() == (hashlib.sha256(stored).hexdigest(), False)
    again.close()


@pytest.mark.speech
def test_a_range_or_conditional_request_for_unmade_audio_gets_the_stored_file(app):
    with app.app_context():
        cache = app.extensions["audio_cache"]
        ranged = cache.request(SENTENCES[0], "yue", "fast")
        tagged = cache.request(SENTENCES[1], "yue", "fast")
    client = app.test_client()
    response = client.get(f"/audio/{ranged}.mp3", headers={"Range": "bytes=100-299"})
    assert response.status_code == 206
    assert response.data == cache.path(ranged).read_bytes()[100:300]
    response.close()
    # a tag from other bytes (here the key, once the ETag) gets the new stored file whole
    response = client.get(f"/audio/{tagged}.mp3", headers={"If-None-Match": f'"{tagged}"'})
    assert response.status_code == 200 and cache.path(tagged).exists()
    assert response.data == cache.path(tagged).read_bytes()
    assert response.headers["Content-Length"] == str(len(response.data))
    response.close()


@pytest.mark.speech
def test_a_stream_left_early_still_stores_the_audio_and_unlocks_its_key(cache, synthesiser):
    key = cache.request(SENTENCES[0], "cmn", "fast")
    making = cache.stream(key)
    assert isinstance(making, MakingAudio)
    head = next(making)
    making.close()  # the listener went away
    stored = cache.path(key).read_bytes()
    assert stored.startswith(head)
    made = synthesiser.utterances
    assert cache.make(key) == cache.path(key) and synthesiser.utterances == made
    assert [p.name for p in cache.path(key).parent.iterdir() if p.name.startswith(".tmp")] == []


@pytest.mark.speech
def test_a_second_request_waits_for_the_stream_and_gets_its_file(cache, synthesiser):
    key = cache.request(SENTENCES[1], "cmn", "fast")
    making = cache.stream(key)
    made = []
    waiting = threading.Thread(target=lambda: made.append(cache.make(key)))
    waiting.start()
    streamed = b"".join(making)
    waiting.join(10)
    assert made == [cache.path(key)] and made[0].read_bytes() == streamed
    assert cache.stream(key).path == cache.path(key)
