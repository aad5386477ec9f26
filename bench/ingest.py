"""Ingest cost: the whole pipeline (read_report) against a bare BeautifulSoup parse.

Both run in the same process over the same files (content/ and the corpus sources),
several times each, their repetitions interleaved so that a change in the machine's
load or clock hits both alike; the best repetition of each is compared. The goal is a ratio of
at most 2: reading a report fully should cost no more than twice parsing its bytes.

    .venv/bin/python bench/ingest.py [--repeat N]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bs4 import BeautifulSoup

from reader import extract, sources
from reader.pipeline import read_report

REPO = Path(__file__).resolve().parents[1]
GOAL_RATIO = 2.0
DEFAULT_REPEAT = 15


def report_files() -> list[Path]:
    files = sorted((REPO / "content").glob("*.txt")) + sorted((REPO / "content").glob("*.htm*"))
    return files + sorted((REPO / "tests" / "corpus").glob("*/source.*"))


def best_seconds(works, files: list[Path], repeat: int) -> list[float]:
    """The best time of each of `works` over all `files`, one repetition of each in turn."""
    best = [float("inf")] * len(works)
    for _ in range(repeat):
        for i, work in enumerate(works):
            start = time.perf_counter()
            for path in files:
                work(path)
            best[i] = min(best[i], time.perf_counter() - start)
    return best


def parse_bytes(path: Path) -> None:
    BeautifulSoup(path.read_bytes(), "lxml")


def decode_and_extract(path: Path) -> None:
    extract.extract(sources.read_source(path))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=DEFAULT_REPEAT)
    args = parser.parse_args()
    files = report_files()
    parse_bytes(files[0])  # warm both paths before timing
    read_report(files[0])
    baseline, pipeline, extracting = best_seconds(
        (parse_bytes, read_report, decode_and_extract), files, args.repeat
    )
    ratio = pipeline / baseline
    print(f"{len(files)} files, best of {args.repeat}")
    print(f"BeautifulSoup(bytes, 'lxml'): {baseline * 1000:8.1f} ms  {len(files) / baseline:8.1f} files/s")
    print(f"read_report:                 {pipeline * 1000:8.1f} ms  {len(files) / pipeline:8.1f} files/s")
    print(f"sources + extract only:      {extracting * 1000:8.1f} ms  ({extracting / baseline:.2f}x the parse)")
    verdict = "within" if ratio <= GOAL_RATIO else "OVER"
    print(f"ratio {ratio:.2f}x ({verdict} the goal of {GOAL_RATIO:.0f}x)")


if __name__ == "__main__":
    main()
