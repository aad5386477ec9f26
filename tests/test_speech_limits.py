"""Per-client limits on making new speech: one client cannot keep the voices from everyone.

The bucket's arithmetic is checked against a clock the test moves (minutes of listening
in no time); what a client gets, 429 with Retry-After or the audio, through the app with
real espeak-ng voices.
"""

from __future__ import annotations

import pytest
from conftest import CONTENT

from reader.speech.limits import DEFAULT_BURST, DEFAULT_PER_MINUTE, SpeechLimit
from reader.web import create_app

SLUG = "zs-dongqu-2020-work-plan"
VISITOR = "203.0.113.7"  # a documentation address, as a client of a public server


class Clock:
    """A monotonic clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_listener_reading_on_is_never_limited_by_the_defaults():
    clock = Clock()
    limit = SpeechLimit(clock=clock)  # the defaults, with 127.0.0.1 exempt
    refused = 0
    for _page in range(30):  # 30 pages of 20 short sentences, one every 1.5 s at 快
        refused += bool(limit.take(VISITOR))  # the first sentence, and the next one early
        for _ in range(20):
            refused += bool(limit.take(VISITOR))
            clock.now += 1.5
    assert refused == 0


def test_a_thousand_sentences_a_minute_from_one_client_are_mostly_refused():
    clock = Clock()
    limit = SpeechLimit(clock=clock)
    granted = 0
    for _ in range(1000):
        granted += not limit.take(VISITOR)
        clock.now += 0.06
    assert granted <= DEFAULT_BURST + DEFAULT_PER_MINUTE + 1
    assert limit.take("198.51.100.1") == 0.0  # another client has its own bucket


def test_a_refused_client_is_told_how_long_to_wait_and_the_bucket_refills():
    clock = Clock()
    limit = SpeechLimit(burst=2, per_minute=30, exempt=(), clock=clock)
    assert limit.take(VISITOR) == limit.take(VISITOR) == 0.0
    assert limit.take(VISITOR) == pytest.approx(2.0)
    clock.now += 1.0
    assert limit.take(VISITOR) == pytest.approx(1.0)  # a refusal takes nothing
    clock.now += 1.0
    assert limit.take(VISITOR) == 0.0


def test_exempt_addresses_and_networks_are_never_limited():
    limit = SpeechLimit(burst=1, per_minute=1, exempt=("127.0.0.1", "::1", "10.1.0.0/16"))
    for client in ("127.0.0.1", "::1", "::ffff:127.0.0.1", "10.1.2.3"):
        assert all(limit.take(client) == 0.0 for _ in range(100))
    assert limit.take("10.2.0.1") == 0.0 and limit.take("10.2.0.1") > 0
    assert len(limit) == 1  # exempt clients are not even remembered


def test_memory_stays_bounded_however_many_clients_come():
    clock = Clock()
    limit = SpeechLimit(burst=5, per_minute=60, max_clients=1000, clock=clock)
    for n in range(20_000):
        limit.take(f"198.51.{n // 256 % 256}.{n % 256}-{n}")
    assert len(limit) == 1000
    clock.now += 5.0  # every bucket has refilled: remembering it would change nothing
    limit.take(VISITOR)
    assert len(limit) == 1


# --- through the app ----------------------------------------------------------------------


@pytest.fixture
def app(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": str(CONTENT),
            "INSTANCE_DIR": str(tmp_path / "instance"),
            "SPEECH_BURST": 3,
            "SPEECH_PER_MINUTE": 120,  # a token every half second
        }
    )
    yield app
    app.extensions["speech_synthesiser"].close()


def client_at(app, address: str):
    """A test client whose every request comes from `address`."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def fetch(client, url: str):
    """The response to GET `url`, its body read and its file closed."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def audio_urls(client, pages=(2,)):
    urls = []
    for n in pages:
        manifest = client.get(f"/r/{SLUG}/{n}/speech.json?rate=fast").get_json()
        urls += [s["audio"] for s in manifest["sentences"] if s["audio"]]
    return urls


@pytest.mark.speech
def test_new_audio_beyond_the_burst_gets_429_with_retry_after_until_the_bucket_refills(app):
    # The bucket's clock moves only when the test says: three sentences made under load
    # may take longer than a token's half second, which refilled the bucket before the fourth.
    now = [1000.0]
    app.extensions["speech_limit"] = SpeechLimit(burst=3, per_minute=120, clock=lambda: now[0])
    visitor = client_at(app, VISITOR)
    urls = audio_urls(visitor)  # manifests make no audio: never limited
    assert len(urls) >= 5
    for url in urls[:3]:
        response = fetch(visitor, url)
        assert response.status_code == 200 and response.mimetype == "audio/mpeg"
        assert len(response.data) > 1000

    refused = fetch(visitor, urls[3])
    assert refused.status_code == 429
    assert refused.mimetype == "text/plain"
    assert "try again" in refused.get_data(as_text=True)
    wait = int(refused.headers["Retry-After"])
    assert 1 <= wait <= 2
    assert fetch(visitor, f"/r/{SLUG}/2/audio.mp3?rate=fast").status_code == 429  # page audio too

    assert fetch(visitor, urls[0]).status_code == 200  # audio already made costs nothing
    other = client_at(app, "198.51.100.1")
    assert fetch(other, urls[4]).status_code == 200  # another client has its own bucket

    now[0] += wait
    response = fetch(visitor, urls[3])
    assert response.status_code == 200 and len(response.data) > 1000


@pytest.mark.speech
def test_a_kiosk_address_exempt_by_configuration_is_never_limited(tmp_path):
    app = create_app(
        {"TESTING": True, "CONTENT_DIR": str(CONTENT), "INSTANCE_DIR": str(tmp_path / "i"),
         "SPEECH_BURST": 3, "SPEECH_PER_MINUTE": 120, "SPEECH_LIMIT_EXEMPT": ("127.0.0.1",)}
    )
    kiosk = client_at(app, "127.0.0.1")
    urls = audio_urls(kiosk, pages=(2, 3))[:8]
    assert len(urls) == 8
    assert [fetch(kiosk, url).status_code for url in urls] == [200] * 8
    assert fetch(kiosk, f"/r/{SLUG}/2/audio.mp3?rate=fast").status_code == 302
    app.extensions["speech_synthesiser"].close()


def test_loopback_is_limited_unless_configured_since_a_local_proxy_forwards_everyone(app):
    behind_proxy = client_at(app, "127.0.0.1")
    statuses = [fetch(behind_proxy, url).status_code for url in audio_urls(behind_proxy)[:6]]
    assert 429 in statuses


@pytest.mark.speech
def test_page_audio_already_made_and_a_page_that_does_not_exist_cost_no_speech(tmp_path):
    app = create_app(
        {"TESTING": True, "CONTENT_DIR": str(CONTENT), "INSTANCE_DIR": str(tmp_path / "i"),
         "SPEECH_BURST": 2, "SPEECH_PER_MINUTE": 0.01}  # no refill within the test
    )
    listener = client_at(app, VISITOR)
    page_audio = f"/r/{SLUG}/1/audio.mp3?rate=fast"
    redirect = fetch(listener, page_audio)
    assert redirect.status_code == 302
    made = fetch(listener, redirect.headers["Location"])  # the bucket's last token
    assert made.status_code == 200 and len(made.data) > 1000

    assert fetch(listener, f"/r/{SLUG}/999/audio.mp3?rate=fast").status_code == 404
    again = fetch(listener, page_audio)  # made already: the README says it is never limited
    assert again.status_code == 302 and again.headers["Location"] == redirect.headers["Location"]
    assert fetch(listener, again.headers["Location"]).status_code == 200
    unmade = audio_urls(listener, pages=(2,))[0]
    assert fetch(listener, unmade).status_code == 429  # new audio is still limited
    app.extensions["speech_synthesiser"].close()
