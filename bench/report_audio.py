"""Whole-report MP3 (下载音频): assembled from a warm sentence cache, against synthesising it.

The baseline is what a report nobody has read costs: every sentence said by one voice
worker (as the background preparer does) and encoded. Against it, in the same run:
- plan: the spoken form and audio key of every sentence (each download request does this);
- assemble: the MP3 put together from the stored sentences, tag and chapters included;
- serve: a download of an MP3 already made (its file checked against its record).

Run: .venv/bin/python bench/report_audio.py [SLUG]   (default: the longest report in content/)
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from reader import pipeline
from reader.speech.audio import AudioCache
from reader.speech.report_audio import ReportAudioStore, plan
from reader.speech.synthesiser import Synthesiser

CONTENT = Path(__file__).resolve().parents[1] / "content"
ROUNDS = 5
VOICE, RATE = "cmn", "normal"


def timed(action) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def main() -> None:
    reports = [pipeline.read_report(path) for path in pipeline.content_files(CONTENT)]
    wanted = sys.argv[1] if len(sys.argv) > 1 else None
    report = next(r for r in reports if r.slug == wanted) if wanted else max(reports, key=lambda r: r.chars)
    pages = list(report.pages)
    with tempfile.TemporaryDirectory() as folder, Synthesiser(workers=1, timeout=30) as synthesiser:
        cache = AudioCache(Path(folder) / "audio", synthesiser)
        synthesiser.engine_version(VOICE)  # the voice started before anything is timed
        audio = plan(cache, report, pages, VOICE, RATE)

        synthesising, _ = timed(lambda: [cache.make(key) for key in audio.sentence_keys])
        plans = [timed(lambda: plan(cache, report, pages, VOICE, RATE))[0] for _ in range(ROUNDS)]
        assembling, serving = [], []
        for round_ in range(ROUNDS):
            store = ReportAudioStore(Path(folder) / f"round-{round_}")
            seconds, stored = timed(lambda: store.make(audio, cache))  # noqa: B023 - called at once
            assembling.append(seconds)
            serving.append(timed(lambda: store.make(audio, cache))[0])  # noqa: B023

    plan_s, assemble_s, serve_s = map(statistics.median, (plans, assembling, serving))
    print(f"report {report.slug}: {report.chars} characters, {len(audio.sentence_keys)} sentences, "
          f"{len(audio.sections)} chapters; {VOICE} at {RATE}: {stored.seconds / 60:.1f} min, "
          f"{stored.size / 1e6:.1f} MB")
    print(f"baseline  synthesise every sentence (1 worker): {synthesising:8.2f} s")
    print(f"plan      spoken forms and keys (per request):  {plan_s * 1000:8.1f} ms"
          f"  = {plan_s / synthesising:.4f} x baseline")
    print(f"assemble  MP3 from the warm sentence cache:     {assemble_s * 1000:8.1f} ms"
          f"  = {assemble_s / synthesising:.4f} x baseline")
    print(f"serve     MP3 already made (checked):           {serve_s * 1000:8.1f} ms"
          f"  = {serve_s / synthesising:.4f} x baseline")


if __name__ == "__main__":
    main()
