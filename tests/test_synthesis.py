"""The synthesis service: real espeak-ng voices through pyttsx3 in worker processes."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest
from pyttsx3.voice import Voice

from reader.speech.errors import (
    NoVoice,
    QueueFull,
    SynthesisError,
    SynthesisTimeout,
    WorkerCrashed,
)
from reader.speech.pieces import MAX_PIECE_CHARS, pieces_of
from reader.speech.spoken import spoken_form
from reader.speech.synthesiser import Synthesiser, wav_duration
from reader.speech.voices import RATES, VOICES, choose_voice

SENTENCE = "一是疫情防控精准高效。"



@pytest.fixture
def fragile():
    """A synthesiser of its own, with a short timeout, for tests that hurt its workers."""
    with Synthesiser(workers=1, timeout=2, queue_size=1) as synthesiser:
        yield synthesiser


def test_voices_are_chosen_by_language_on_each_platform():
    espeak = [
        Voice("sit/cmn", "Chinese (Mandarin, latin as English)", ["cmn"]),
        Voice("sit/cmn-latn-pinyin", "Chinese (Mandarin, latin as Pinyin)", ["cmn-latn-pinyin"]),
        Voice("sit/yue", "Chinese (Cantonese)", ["yue"]),
    ]
    assert choose_voice(espeak, "cmn", "espeak").id == "sit/cmn-latn-pinyin"
    assert choose_voice(espeak, "yue", "espeak").id == "sit/yue"
    jyutping = Voice("sit/yue-latn-jyutping", "Chinese (Cantonese, latin as Jyutping)", ["yue"])
    assert choose_voice([*espeak, jyutping], "yue", "espeak").id == "sit/yue-latn-jyutping"
    tokens = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Speech\\Voices\\Tokens\\"
    sapi5 = [
        Voice(tokens + "TTS_MS_EN-US_ZIRA_11.0", "Microsoft Zira Desktop - English (United States)"),
        Voice(tokens + "TTS_MS_ZH-HK_TRACY_11.0", "Microsoft Tracy Desktop - Chinese(Traditional, HongKong SAR)"),
        Voice(tokens + "TTS_MS_ZH-CN_HUIHUI_11.0", "Microsoft Huihui Desktop - Chinese (Simplified)"),
    ]
    assert "HUIHUI" in choose_voice(sapi5, "cmn", "sapi5").id
    assert "TRACY" in choose_voice(sapi5, "yue", "sapi5").id
    macos = [
        Voice("com.apple.speech.synthesis.voice.sin-ji", "Sin-ji", ["zh_HK"]),
        Voice("com.apple.speech.synthesis.voice.ting-ting", "Ting-Ting", ["zh_CN"]),
    ]
    assert choose_voice(macos, "cmn", "nsss").name == "Ting-Ting"
    assert choose_voice(macos, "yue", "nsss").name == "Sin-ji"
    assert choose_voice(sapi5[:1], "yue", "sapi5") is None


@pytest.mark.speech
def test_each_language_has_a_real_voice_and_a_versioned_engine(synthesiser):
    assert synthesiser.voice("cmn").id.endswith("cmn-latn-pinyin")
    # the Jyutping variant, so that reader.speech.pronunciation can send Jyutping
    assert synthesiser.voice("yue").id.endswith("yue-latn-jyutping")
    for voice in VOICES:
        engine = synthesiser.engine_version(voice)
        assert engine.startswith("pyttsx3-") and "espeak-ng-" in engine
        assert engine.endswith(synthesiser.voice(voice).id)


@pytest.mark.speech
def test_an_unknown_language_is_no_voice(synthesiser):
    with pytest.raises(NoVoice):
        synthesiser.synthesise(SENTENCE, "fr", "normal")


@pytest.mark.speech
@pytest.mark.parametrize("voice", VOICES)
def test_slower_rates_give_longer_speech(synthesiser, voice):
    seconds = {rate: wav_duration(synthesiser.synthesise(SENTENCE, voice, rate)) for rate in RATES}
    assert seconds["slow"] > seconds["normal"] > seconds["fast"] > 1.0


@pytest.mark.speech
def test_back_to_back_requests_keep_their_own_settings(synthesiser):
    """pyttsx3's espeak driver loses settings and mixes audio when hurried; we must not."""
    expected = {
        (voice, rate): wav_duration(synthesiser.synthesise(SENTENCE, voice, rate))
        for voice in VOICES
        for rate in RATES
    }
    for (voice, rate), seconds in reversed(expected.items()):
        assert wav_duration(synthesiser.synthesise(SENTENCE, voice, rate)) == pytest.approx(
            seconds, abs=0.05
        )


@pytest.mark.speech
def test_a_killed_worker_is_replaced(fragile):
    before = fragile.synthesise(SENTENCE, "cmn", "fast")
    (pid,) = fragile.worker_pids()
    os.kill(pid, signal.SIGKILL)
    after = fragile.synthesise(SENTENCE, "cmn", "fast")
    assert wav_duration(after) == pytest.approx(wav_duration(before), abs=0.05)
    assert fragile.worker_pids() != [pid]


@pytest.mark.speech
def test_a_hung_worker_is_killed_after_the_timeout_and_replaced(fragile):
    fragile.synthesise(SENTENCE, "yue", "fast")
    (pid,) = fragile.worker_pids()
    os.kill(pid, signal.SIGSTOP)
    started = time.monotonic()
    with pytest.raises(SynthesisTimeout):
        fragile.synthesise(SENTENCE, "yue", "fast")
    assert time.monotonic() - started < fragile.timeout + 2
    assert fragile.worker_pids() != [pid]
    assert wav_duration(fragile.synthesise(SENTENCE, "yue", "fast")) > 1.0


@pytest.mark.speech
def test_a_full_queue_fails_at_once(fragile):
    fragile.synthesise(SENTENCE, "cmn", "fast")  # workers started, voices known
    (pid,) = fragile.worker_pids()
    os.kill(pid, signal.SIGSTOP)  # the one worker hangs: one request in it, one waiting
    outcomes = []

    def ask() -> None:
        try:
            outcomes.append(len(fragile.synthesise(SENTENCE, "cmn", "fast")))
        except SynthesisTimeout as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
        time.sleep(0.2)
    started = time.monotonic()
    with pytest.raises(QueueFull, match="queue full"):
        fragile.synthesise(SENTENCE, "cmn", "fast")
    assert time.monotonic() - started < 0.5
    for thread in threads:
        thread.join()
    # the hung request timed out; the waiting one was served by the replacement
    assert isinstance(outcomes[0], SynthesisTimeout)
    assert isinstance(outcomes[1], int)


LONG = 3 * (
    "我们坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻党的十九大和十九届历次全会精神。"
)


@pytest.mark.speech
def test_speech_comes_buffer_by_buffer_and_adds_up_to_the_whole(synthesiser):
    with synthesiser.speak(LONG, "cmn", "normal") as utterance:
        assert (utterance.sample_rate, utterance.channels) == (22050, 1)
        buffers = list(utterance)
    assert len(buffers) > 3 and all(len(b) % 2 == 0 for b in buffers)
    seconds = sum(len(b) for b in buffers) / 2 / 22050
    whole = synthesiser.synthesise(LONG, "cmn", "normal")
    assert seconds == pytest.approx(wav_duration(whole), abs=0.05) and seconds > 10


@pytest.mark.speech
def test_speech_left_early_does_not_leak_into_the_next_request(synthesiser):
    fast = wav_duration(synthesiser.synthesise(SENTENCE, "yue", "fast"))
    utterance = synthesiser.speak(LONG, "cmn", "slow")
    next(utterance)
    utterance.close()
    assert wav_duration(synthesiser.synthesise(SENTENCE, "yue", "fast")) == pytest.approx(
        fast, abs=0.05
    )


@pytest.mark.speech
def test_a_worker_killed_mid_speech_is_replaced(fragile):
    utterance = fragile.speak(LONG, "cmn", "slow")
    next(utterance)  # the worker now waits on a full pipe, more to send
    (pid,) = fragile.worker_pids()
    os.kill(pid, signal.SIGKILL)
    with pytest.raises(WorkerCrashed):
        for _ in utterance:
            pass
    assert fragile.worker_pids() != [pid]
    assert wav_duration(fragile.synthesise(SENTENCE, "cmn", "fast")) > 1.0


# --- long sentences and an engine that will not start ------------------------------------

REPORT = (Path(__file__).resolve().parents[1] / "content" / "zs-nanqu-2022-work-summary.txt")
OPENING = spoken_form(
    next(
        line.strip()
        for line in REPORT.read_text(encoding="utf-8").splitlines()
        if line.strip().startswith("2022年,面对")
    ),
    "cmn",
)


def test_long_text_is_cut_after_clause_marks_into_pieces_the_engine_can_say():
    text = OPENING * 40
    pieces = pieces_of(text)
    assert "".join(pieces) == text
    assert all(len(piece) <= MAX_PIECE_CHARS for piece in pieces)
    assert all(piece[-1] in "。，、" for piece in pieces)
    spaced = "一" * (MAX_PIECE_CHARS - 100) + " " + "二" * 200
    assert pieces_of(spaced) == ["一" * (MAX_PIECE_CHARS - 100) + " ", "二" * 200]
    unbroken = "一" * (2 * MAX_PIECE_CHARS + 10)
    assert pieces_of(unbroken) == ["一" * MAX_PIECE_CHARS] * 2 + ["一" * 10]


@pytest.mark.speech
def test_a_sentence_of_twenty_thousand_characters_is_spoken_whole_by_the_same_worker(fragile):
    """espeak-ng crashed its worker on one utterance of ~7,600 Chinese characters or more."""
    once = wav_duration(fragile.synthesise(OPENING, "cmn", "fast"))
    (pid,) = fragile.worker_pids()
    text = (OPENING.rstrip("。") * (20_000 // len(OPENING) + 1))[:20_000] + "。"
    with fragile.speak(text, "cmn", "fast") as utterance:
        samples = sum(len(buffer) for buffer in utterance) // 2
    seconds = samples / utterance.sample_rate
    assert seconds == pytest.approx(once * len(text) / len(OPENING), rel=0.15)
    assert fragile.worker_pids() == [pid]


ENGINE_FAILURE = "phontab"  # what espeak-ng prints when it cannot read its voice data


@pytest.mark.speech
def test_without_voice_data_the_synthesiser_backs_off_instead_of_starting_workers(
    tmp_path, monkeypatch, capfd
):
    """Before: every request started (and lost) two workers, each printing its failure."""
    monkeypatch.setenv("ESPEAK_DATA_PATH", str(tmp_path))  # an empty folder: no voice data
    with Synthesiser(workers=1, timeout=2, backoff=1.0, max_backoff=30) as synthesiser:
        assert synthesiser.health()["state"] == "not started"
        started = time.monotonic()
        for _ in range(10):
            with pytest.raises(SynthesisError):
                synthesiser.voice("cmn")
        assert time.monotonic() - started < 1.0
        assert capfd.readouterr().err.count(ENGINE_FAILURE) == 1
        health = synthesiser.health()
        assert health["state"] == "degraded" and "start" in health["detail"]
        assert 0 < health["retry_in"] <= 1.0

        time.sleep(1.0)  # the back-off is over: one more try, and a longer wait
        for _ in range(5):
            with pytest.raises(SynthesisError):
                synthesiser.synthesise(SENTENCE, "cmn", "fast")
        assert capfd.readouterr().err.count(ENGINE_FAILURE) == 1
        assert 1.0 < synthesiser.health()["retry_in"] <= 2.0

        monkeypatch.delenv("ESPEAK_DATA_PATH")  # the voice data is back
        time.sleep(2.0)
        assert wav_duration(synthesiser.synthesise(SENTENCE, "cmn", "fast")) > 1.0
        assert synthesiser.health()["state"] == "ok"


@pytest.mark.speech
def test_a_program_that_never_closes_its_synthesiser_still_exits():
    """Workers ignore SIGTERM (their server stops them), so multiprocessing's own exit hook,
    which terminates them and waits, must come after the synthesiser has closed them."""
    import subprocess
    import sys

    program = (
        "from reader.speech.synthesiser import Synthesiser\n"
        "synthesiser = Synthesiser()  # kept to the end, like an app's\n"
        f"print(len(synthesiser.synthesise({SENTENCE!r}, 'cmn', 'fast')) > 1000)\n"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", program], capture_output=True, text=True, timeout=30
        )
    except subprocess.TimeoutExpired:
        pytest.fail("the program did not exit: its voice worker was never stopped")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
