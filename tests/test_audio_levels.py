"""What a listener hears of the server's voice, measured on the MP3 it is sent: syllables a
second at each rate in both voices, peak level, loudness, and the pauses after a comma and
after a full stop in both pause settings. Each fails when the audio drifts past the
tolerance stated beside it.

Syllables are counted from the text (one per Chinese character of the spoken form; the
sentences have no Latin letters), seconds of speech from the decoded audio with its
silences left out.
"""

from __future__ import annotations

import math
import re

import miniaudio
import pytest

from reader.speech.audio import AudioCache
from reader.speech.spoken import spoken_form
from reader.speech.voices import PAUSES, RATES, VOICES, pause_seconds

# real sentences of content/, with commas and no Latin letters or digits
SENTENCES = (
    "持续优化营商环境,吸引更多总部企业、金融企业、现代服务业企业集聚。",
    "以生态优先,加强对土地的统筹管控和规划引导,注重保留和活化历史文化和风貌。",
    "有序推动省级产业园扩园提质,中鼎兴产业集聚项目正式落地。",
    "坚持人民至上、生命至上,科学精准落实常态化疫情防控措施,以最短时间、最小代价迅速果断处置两轮多点突发疫情。",
    "一是强化理论导航,持续深入学习贯彻党的二十大精神。",
)
# two sentences said as one text, for the pause after a full stop inside it
TWO_SENTENCES = SENTENCES[2] + SENTENCES[4]

SAMPLE_RATE = 22050
FRAME_SECONDS = 0.01
SILENCE_DBFS = -45.0  # a 10 ms frame quieter than this is silence (speech is about -21)

# what RATE_TABLE's comment promises, in syllables a second of speech
SYLLABLES_PER_SECOND = {"slow": 3.0, "normal": 3.9, "fast": 5.1}
RATE_TOLERANCE = 0.08  # each voice within 8 % of the promise
VOICES_APART = 0.05  # the two voices within 5 % of each other at the same rate
PEAK_CEILING_DBFS = -1.0
LOUDNESS_DBFS = (-23.0, -19.0)  # speech frames' mean power, in every voice and rate
LOUDNESS_APART_DB = 1.0  # the two voices within 1 dB of each other
PAUSE_TOLERANCE = 0.05  # seconds either side of the chosen pause

CLAUSE_MARKS = "，、；："
SENTENCE_MARKS = "。！？"
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def cache(synthesiser, tmp_path_factory):
    return AudioCache(tmp_path_factory.mktemp("audio"), synthesiser)


def heard(cache, spoken, voice, rate, pauses="normal"):
    """The decoded samples of the MP3 a listener is sent, and its word timing."""
    key = cache.request(spoken, voice, rate, pauses)
    mp3 = cache.make(key).read_bytes()
    decoded = miniaudio.decode(
        mp3, output_format=miniaudio.SampleFormat.SIGNED16, nchannels=1, sample_rate=SAMPLE_RATE
    )
    return decoded.samples, cache.timing(key)


def frame_levels(samples) -> list[float]:
    """dBFS of each 10 ms frame."""
    size = round(FRAME_SECONDS * SAMPLE_RATE)
    levels = []
    for start in range(0, len(samples) - size + 1, size):
        power = sum(x * x for x in samples[start : start + size]) / size
        levels.append(10 * math.log10(max(power, 1.0) / 32768**2))
    return levels


def peak_dbfs(samples) -> float:
    return 20 * math.log10(max(max(samples), -min(samples), 1) / 32768)


def loudness_dbfs(levels) -> float:
    """Mean power of the frames that are speech, in dBFS."""
    speech = [level for level in levels if level > SILENCE_DBFS]
    return 10 * math.log10(sum(10 ** (level / 10) for level in speech) / len(speech))


def silent_runs(levels) -> list[tuple[float, float]]:
    """(start, end) seconds of each run of silent frames at least 50 ms long."""
    runs, start = [], None
    for n, level in enumerate([*levels, 0.0]):
        if level <= SILENCE_DBFS and start is None:
            start = n
        elif level > SILENCE_DBFS and start is not None:
            if n - start >= 5:
                runs.append((start * FRAME_SECONDS, n * FRAME_SECONDS))
            start = None
    return runs


def pauses_after(spoken, marks, levels, timing) -> list[float]:
    """Seconds of silence after each of `marks` inside `spoken`: the silent run that ends
    nearest to where the engine says the next word starts."""
    runs = silent_runs(levels)
    found = []
    for offset, mark in enumerate(spoken[:-1]):
        if mark not in marks:
            continue
        next_word = min(ms for ms, start, _ in timing["words"] if start > offset) / 1000
        start, end = min(runs, key=lambda run: abs(run[1] - next_word))
        found.append(end - start)
    return found


@pytest.mark.speech
@pytest.mark.parametrize("rate", RATES)
def test_both_voices_say_the_same_syllables_a_second_at_the_same_rate(cache, rate):
    measured = {}
    for voice in VOICES:
        syllables = seconds = 0.0
        for sentence in SENTENCES:
            spoken = spoken_form(sentence, voice)
            samples, _ = heard(cache, spoken, voice, rate)
            syllables += len(HAN.findall(spoken))
            seconds += sum(FRAME_SECONDS for level in frame_levels(samples) if level > SILENCE_DBFS)
        measured[voice] = syllables / seconds
    print(f"syllables a second at {rate}: {measured}")
    for voice, per_second in measured.items():
        assert per_second == pytest.approx(SYLLABLES_PER_SECOND[rate], rel=RATE_TOLERANCE), voice
    assert abs(measured["cmn"] - measured["yue"]) <= VOICES_APART * measured["cmn"], measured


@pytest.mark.speech
@pytest.mark.parametrize("rate", RATES)
def test_peaks_leave_headroom_and_both_voices_are_as_loud(cache, rate):
    loudness = {}
    for voice in VOICES:
        levels, peaks = [], []
        for sentence in SENTENCES:
            samples, _ = heard(cache, spoken_form(sentence, voice), voice, rate)
            peaks.append(peak_dbfs(samples))
            assert peaks[-1] <= PEAK_CEILING_DBFS, (voice, sentence)
            levels += frame_levels(samples)
        loudness[voice] = loudness_dbfs(levels)
        print(f"{voice} at {rate}: loudness {loudness[voice]:.1f}, highest peak {max(peaks):.1f}")
    for voice, level in loudness.items():
        assert LOUDNESS_DBFS[0] <= level <= LOUDNESS_DBFS[1], (voice, level)
    assert abs(loudness["cmn"] - loudness["yue"]) <= LOUDNESS_APART_DB, loudness


@pytest.mark.speech
@pytest.mark.parametrize("voice", VOICES)
@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("pauses", PAUSES)
def test_pauses_after_a_comma_and_a_full_stop_are_the_chosen_length(cache, voice, rate, pauses):
    clause, sentence = pause_seconds(pauses, rate)
    spoken = spoken_form(TWO_SENTENCES, voice)
    samples, timing = heard(cache, spoken, voice, rate, pauses)
    levels = frame_levels(samples)
    after_clauses = pauses_after(spoken, CLAUSE_MARKS, levels, timing)
    after_sentences = pauses_after(spoken, SENTENCE_MARKS, levels, timing)
    print(f"{voice} {rate} {pauses}: clauses {after_clauses}, sentences {after_sentences}")
    assert len(after_clauses) == spoken.count("，") == 2
    assert len(after_sentences) == 1
    for seconds in after_clauses:
        assert seconds == pytest.approx(clause, abs=PAUSE_TOLERANCE)
    assert after_sentences[0] == pytest.approx(sentence, abs=PAUSE_TOLERANCE)


@pytest.mark.speech
@pytest.mark.parametrize("voice", VOICES)
def test_longer_pauses_lengthen_the_audio_by_the_pauses_alone(cache, voice):
    spoken = spoken_form(TWO_SENTENCES, voice)
    standard, _ = heard(cache, spoken, voice, "normal", "normal")
    longer, _ = heard(cache, spoken, voice, "normal", "long")
    clause = pause_seconds("long", "normal")[0] - pause_seconds("normal", "normal")[0]
    sentence = pause_seconds("long", "normal")[1] - pause_seconds("normal", "normal")[1]
    # two commas and two full stops (the last one ends the audio)
    added = 2 * clause + 2 * sentence
    assert (len(longer) - len(standard)) / SAMPLE_RATE == pytest.approx(added, abs=0.03)
