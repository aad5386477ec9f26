"""Speech benchmarks: first audio byte against bare espeak-ng, cached serving, pre-synthesis,
and a page's whole audio for the plain player.

Run: .venv/bin/python bench/speech.py
     .venv/bin/python bench/speech.py page [SLUG N]   (a page's audio only; default: the
                                                      first page of 8 to 14 sentences)

`page` times a page's audio (GET /audio/<key>.mp3 of its sentences said as one): to its
first byte and to its last, (a) with nothing cached, (b) with its sentences cached (by
the player, say), (c) once it is a file. The baseline, in the same run, is what the
player's own work costs: each of the page's sentences made one after another, in a cache
of its own. To compare with another checkout's code, run this same file with that
checkout first on the path: PYTHONPATH=../other .venv/bin/python bench/speech.py page
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
from reader.speech.spoken import spoken_form
from reader.speech.synthesiser import Synthesiser
from reader.web import speech_views

CONTENT = Path(__file__).resolve().parents[1] / "content"
ROUNDS = 7
PAGE_ROUNDS = 3
PAGE_SENTENCES = (8, 14)  # the default page's, at least and at most


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
        app = speech_app(workdir)
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


def speech_app(workdir: str) -> Flask:
    app = Flask(__name__)
    app.config.update(load_config({"INSTANCE_DIR": workdir}))
    speech_views.init_app(app)
    app.register_blueprint(speech_views.bp)
    return app


def chosen_page(args: list[str]) -> tuple[str, int, list[str]]:
    """(slug, n, sentences) of the page named in `args`, else of the first page with
    PAGE_SENTENCES sentences."""
    for path in pipeline.content_files(CONTENT):
        report = pipeline.read_report(path)
        for page in report.pages:
            wanted = (report.slug, page.n) == (args[0], int(args[1])) if args else (
                PAGE_SENTENCES[0] <= len(page.sentences) <= PAGE_SENTENCES[1]
            )
            if wanted:
                return report.slug, page.n, list(page.sentences)
    raise SystemExit(f"no page {' '.join(args)}")


def page_audio(args: list[str]) -> None:
    import reader

    slug, n, sentences = chosen_page(args)
    said = [spoken_form(s, "cmn") for s in sentences]
    cold, warm, made, baseline = [], [], [], []  # (first byte, last byte) each round
    with tempfile.TemporaryDirectory() as workdir:
        app = speech_app(workdir)
        cache = app.extensions["audio_cache"]
        client = app.test_client()
        first_byte(client, cache.request(said[0], "cmn", "slow"))  # starts the worker
        for round_ in range(PAGE_ROUNDS):
            # each round in fresh folders, the one cache object (and worker) kept
            cache.directory = Path(workdir) / f"player-{round_}"
            started = time.perf_counter()
            for sentence in said:
                cache.make(cache.request(sentence, "cmn", "normal"))
            baseline.append(time.perf_counter() - started)

            cache.directory = Path(workdir) / f"cold-{round_}"
            whole: list[float] = []
            cold.append((first_byte(client, cache.request(said, "cmn", "normal"), whole), whole[0]))

            cache.directory = Path(workdir) / f"warm-{round_}"
            for sentence in said:  # the player's work, not timed
                cache.make(cache.request(sentence, "cmn", "normal"))
            key, whole = cache.request(said, "cmn", "normal"), []
            warm.append((first_byte(client, key, whole), whole[0]))
            whole = []
            made.append((first_byte(client, key, whole), whole[0]))
        seconds = mp3_duration(cache.path(key).read_bytes())
        app.extensions["speech_synthesiser"].close()

    base = statistics.median(baseline)
    print(f"page {slug}/{n}: {len(said)} sentences, {sum(map(len, said))} characters, "
          f"{seconds:.1f} s of audio; code from {Path(reader.__file__).parent.parent}")
    print(f"baseline  the player's sentences made one by one: {base * 1000:8.0f} ms")
    for name, times in (("(a) nothing cached", cold), ("(b) sentences cached", warm),
                        ("(c) page audio cached", made)):
        first, last = (statistics.median(t[i] for t in times) for i in (0, 1))
        print(f"{name:22} first byte {first * 1000:8.1f} ms = {first / base:.3f} x baseline; "
              f"last byte {last * 1000:8.1f} ms = {last / base:.3f} x baseline")


if __name__ == "__main__":
    if sys.argv[1:2] == ["page"]:
        sys.exit(page_audio(sys.argv[2:]))
    sys.exit(main())
