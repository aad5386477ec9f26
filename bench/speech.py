"""Speech benchmarks: first audio byte against bare espeak-ng, cached serving, pre-synthesis.

Run: .venv/bin/python bench/speech.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from flask import Flask

from reader import pipeline
from reader.config import load as load_config
from reader.speech.audio import AudioCache
from reader.speech.mp3 import mp3_duration
from reader.speech.synthesiser import Synthesiser
from reader.web import speech_views

CONTENT = Path(__file__).resolve().parents[1] / "content"
ROUNDS = 7


def corpus_sentences() -> list[str]:
    sentences: dict[str, None] = {}
    for path in pipeline.content_files(CONTENT):
        for block in pipeline.read_report(path).blocks:
            sentences.update(dict.fromkeys(s for s in block.sentences if len(s) > 10))
    return list(sentences)


def bare_espeak(sentence: str, workdir: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        ["espeak-ng", "-v", "cmn-latn-pinyin", "-w", os.path.join(workdir, "out.wav"), sentence],
        check=True,
    )
    return time.perf_counter() - started


def first_byte(client, key: str, whole: list[float] | None = None) -> float:
    """Seconds to the first byte of the response; the time to its last byte goes on `whole`."""
    started = time.perf_counter()
    response = client.get(f"/audio/{key}.mp3", buffered=False)
    pieces = iter(response.response)
    next(pieces)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.status_code
    for _ in pieces:
        pass
    if whole is not None:
        whole.append(time.perf_counter() - started)
    response.close()
    return elapsed


def main() -> None:
    sentences = corpus_sentences()
    with tempfile.TemporaryDirectory() as workdir:
        app = Flask(__name__)
        app.config.update(load_config({"INSTANCE_DIR": workdir}))
        speech_views.init_app(app)
        app.register_blueprint(speech_views.bp)
        cache = app.extensions["audio_cache"]
        client = app.test_client()

        started = time.perf_counter()
        cold_key = cache.request(sentences[0], "cmn", "normal")  # starts the worker
        cold = first_byte(client, cold_key) + (time.perf_counter() - started)
        print(f"cold start (worker spawn + first sentence): {cold * 1000:.0f} ms")

        ours, bare, whole = [], [], []
        for sentence in sentences[1 : 1 + ROUNDS]:
            bare.append(bare_espeak(sentence, workdir))
            ours.append(first_byte(client, cache.request(sentence, "cmn", "normal"), whole))
        ratio = statistics.median(ours) / statistics.median(bare)
        print(
            f"uncached first byte: {statistics.median(ours) * 1000:.1f} ms median; "
            f"bare espeak-ng -w: {statistics.median(bare) * 1000:.1f} ms; "
            f"ratio {ratio:.2f}x (goal <= 1.5x)"
        )
        print(f"  sentence lengths: {[len(s) for s in sentences[1 : 1 + ROUNDS]]} characters")
        print(
            f"  uncached last byte (whole MP3 made and stored): {statistics.median(whole) * 1000:.1f} ms median"
        )

        cached = []
        for _ in range(200):
            started = time.perf_counter()
            response = client.get(f"/audio/{cold_key}.mp3")
            cached.append(time.perf_counter() - started)
            response.close()
        print(
            f"cached audio: {statistics.median(cached) * 1000:.2f} ms median, "
            f"{sorted(cached)[int(len(cached) * 0.95)] * 1000:.2f} ms p95 (goal <= 5 ms)"
        )
        app.extensions["speech_synthesiser"].close()

        workers = os.cpu_count() or 1
        batch = sentences[1 + ROUNDS : 1 + ROUNDS + 80]
        with Synthesiser(workers=workers) as synthesiser:
            presynth = AudioCache(os.path.join(workdir, "presynth"), synthesiser)
            synthesiser.voices()
            started = time.perf_counter()
            with ThreadPoolExecutor(workers) as pool:
                paths = list(pool.map(lambda s: presynth.get_or_make(s, "cmn", "normal"), batch))
            wall = time.perf_counter() - started
        audio = sum(mp3_duration(p.read_bytes()) for p in paths)
        print(
            f"pre-synthesis: {len(batch)} sentences, {audio:.0f} s of audio in {wall:.1f} s "
            f"with {workers} workers = {audio / wall:.0f} s of audio per second"
        )


if __name__ == "__main__":
    sys.exit(main())
