"""Ingest limits: hostile files against a normal report, read in the same run.

Each file is read by `read_report` in a process of its own (so peak memory is its own),
once the modules are imported: the time it takes and how far the process's peak resident
memory rose while reading it. The normal report is a report of content/ as published,
read NORMAL_REPEAT times (its best time kept), so a busy machine slows both alike.
Printed per file: seconds, seconds per MB as a multiple of the normal report's (1.0 is
as fast per byte), and the rise in peak memory as a multiple of the file's size.

Goals (issue #11): each hostile file read in a few seconds, time linear in the input (its
per-MB cost within a small multiple of a normal report's), memory at most 10x the file.

    .venv/bin/python bench/ingest_limits.py [--only NAME] [--depth N] [--lines N] [--mb N]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NORMAL_REPORT = REPO / "content" / "zs-dongqu-2020-work-plan.txt"
GOAL_SECONDS = 5.0
GOAL_MEMORY_RATIO = 10.0
TIMEOUT = 300  # seconds: a file still reading then is reported as such
NORMAL_REPEAT = 20

# Run in the child process: import, note memory, read the file, report.
CHILD = """
import json, resource, sys, time
from pathlib import Path
from reader.pipeline import read_report
from reader.report import ReportError

def rss_kb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

path, max_bytes, repeat = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
read_report(Path(sys.argv[4]))  # warm up: lazy imports and compiled patterns are not the file's
before = rss_kb()
seconds = float("inf")
for _ in range(repeat):
    start = time.perf_counter()
    try:
        report = read_report(path, max_source_bytes=max_bytes)
        outcome = f"{report.page_count} pages, {report.chars} chars"
    except ReportError as exc:
        outcome = f"refused: {exc}"
    seconds = min(seconds, time.perf_counter() - start)
    report = None
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "rise_kb": max(peak - before, 0), "outcome": outcome}))
"""


def report_lines() -> list[str]:
    """Lines of the reports in content/, to build large files of realistic text."""
    lines = []
    for path in sorted((REPO / "content").glob("*.txt")):
        lines += [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if len(line) > 10 and line.endswith("。")]


def over_the_limit(limit: int) -> bytes:
    """The normal report's text as many times over as passes `limit`."""
    text = NORMAL_REPORT.read_bytes()
    return text * (limit // len(text) + 1)


def big_page(target_bytes: int) -> bytes:
    """An HTML page of about `target_bytes`: the article's paragraphs, each numbered so
    that none is dropped as a repeat."""
    lines, parts, size, n = report_lines(), [], 0, 0
    head = "<html><head><meta charset='utf-8'><title>大页面_某区人民政府</title></head><body><div class='zoom'>"
    while size < target_bytes:
        paragraph = f"<p>{n}、{lines[n % len(lines)]}</p>\n"
        parts.append(paragraph)
        size += len(paragraph.encode())
        n += 1
    return (head + "".join(parts) + "</div></body></html>").encode()


def nested(tag: str, depth: int, attrs: str = "") -> bytes:
    """`depth` nested `tag`s around a paragraph of report text."""
    text = "，".join(report_lines()[:20]) + "。"
    return (
        f"<html><head><title>嵌套</title></head><body><h1>某区2024年工作总结</h1>"
        f"{f'<{tag}{attrs}>' * depth}{text}{f'</{tag}>' * depth}</body></html>"
    ).encode()


def short_lines(count: int) -> bytes:
    """A title, then `count` short lines of report text (2 to 6 characters each)."""
    rng = random.Random(11)
    lines = report_lines()
    body = (lines[rng.randrange(len(lines))][: rng.randint(2, 6)] for _ in range(count))
    return ("某区2024年工作总结\n" + "\n".join(body)).encode()


def hostile_files(depth: int, lines: int, mb: float) -> dict[str, tuple[str, bytes]]:
    from reader.sources import DEFAULT_MAX_SOURCE_BYTES

    size = int(mb * 1_000_000)
    return {
        "big-page": (".html", big_page(size)),
        "nested-span": (".html", nested("span", depth)),
        "nested-div": (".html", nested("div", depth)),
        "nested-zoom": (".html", nested("div", depth, " class='zoom'")),
        "nested-b": (".html", nested("b", depth)),
        "nested-list": (".html", nested("ul", depth, "><li><h2>标题</h2")),
        "nested-table": (".html", nested("table", depth, "><tr><td")),
        "short-lines": (".txt", short_lines(lines)),
        "over-the-limit": (".txt", over_the_limit(DEFAULT_MAX_SOURCE_BYTES)),
    }


def measure(path: Path, max_bytes: int, repeat: int = 1) -> dict:
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(path), str(max_bytes), str(repeat), str(NORMAL_REPORT)],
            capture_output=True, text=True, timeout=TIMEOUT, cwd=REPO, check=True,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return {"seconds": float("inf"), "rise_kb": 0, "outcome": f"still reading after {TIMEOUT} s"}
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", help="a hostile file's name (repeatable)")
    parser.add_argument("--depth", type=int, default=20_000, help="nesting depth")
    parser.add_argument("--lines", type=int, default=1_000_000, help="short lines")
    parser.add_argument("--mb", type=float, default=20.0, help="size of the big page, MB")
    args = parser.parse_args()
    from reader.sources import DEFAULT_MAX_SOURCE_BYTES

    files = hostile_files(args.depth, args.lines, args.mb)
    with tempfile.TemporaryDirectory() as folder:
        normal = NORMAL_REPORT
        base = measure(normal, DEFAULT_MAX_SOURCE_BYTES, NORMAL_REPEAT)
        base_per_mb = base["seconds"] / (normal.stat().st_size / 1e6)
        print(f"{'file':15} {'MB':>6} {'seconds':>8} {'s/MB ×normal':>13} {'memory ×size':>13}  outcome")
        rows = [("normal", normal, base)]
        for name, (suffix, data) in files.items():
            if args.only and name not in args.only:
                continue
            path = Path(folder) / f"{name}{suffix}"
            path.write_bytes(data)
            rows.append((name, path, measure(path, DEFAULT_MAX_SOURCE_BYTES)))
        for name, path, got in rows:
            mb = path.stat().st_size / 1e6
            per_mb = got["seconds"] / mb / base_per_mb
            memory = got["rise_kb"] * 1024 / path.stat().st_size
            print(f"{name:15} {mb:6.2f} {got['seconds']:8.2f} {per_mb:13.2f} {memory:13.2f}  {got['outcome'][:60]}")
        slow = [n for n, _, g in rows if g["seconds"] > GOAL_SECONDS]
        heavy = [n for n, p, g in rows if g["rise_kb"] * 1024 > GOAL_MEMORY_RATIO * p.stat().st_size]
        print(f"over {GOAL_SECONDS:g} s: {slow or 'none'}; over {GOAL_MEMORY_RATIO:g}x memory: {heavy or 'none'}")


if __name__ == "__main__":
    main()
