"""Ingest limits: hostile files against a normal report, read in the same run.

Each file is read by `read_report` in a process of its own (so peak memory is its own),
once the modules are imported: the time it takes and how far the process's peak resident
memory rose while reading it (the peak is reset first through /proc/self/clear_refs, so
what importing cost is not counted). The normal report is a report of content/ as published,
read NORMAL_REPEAT times (its best time kept), so a busy machine slows both alike.
Printed per file: seconds, seconds per MB as a multiple of the normal report's (1.0 is
as fast per byte), and the rise in peak memory as a multiple of the file's size.

Goals (issue #11): each hostile file read in a few seconds, time linear in the input (its
per-MB cost within a small multiple of a normal report's), memory at most 10x the file.
A parsed HTML element costs BeautifulSoup about 1 KB whatever its size in the file, so
for tag-dense pages the bound is MAX_HTML_ELEMENTS (a page with more is refused before
parsing): `at-element-limit` is the costliest page still read, and its memory is the bound.

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
import json, sys, time
from pathlib import Path
from reader.pipeline import read_report
from reader.report import ReportError

def status_kb(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])

path, max_bytes, repeat = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
read_report(Path(sys.argv[4]))  # warm up: lazy imports and compiled patterns are not the file's
seconds, rise = float("inf"), 0
for _ in range(repeat):
    Path("/proc/self/clear_refs").write_text("5")  # the peak (VmHWM) starts again from now
    before = status_kb("VmRSS")
    start = time.perf_counter()
    try:
        report = read_report(path, max_source_bytes=max_bytes)
        outcome = f"{report.page_count} pages, {report.chars} chars"
        warnings = [w for w in report.warnings if "publish date" not in w]
        if warnings:
            outcome += "; " + warnings[0]
    except ReportError as exc:
        outcome = f"refused: {exc}"
    seconds = min(seconds, time.perf_counter() - start)
    rise = max(rise, status_kb("VmHWM") - before)
    report = None
print(json.dumps({"seconds": seconds, "rise_kb": rise, "outcome": outcome}))
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


def tags(target_bytes: int) -> bytes:
    """About `target_bytes` of short elements of several kinds, nested a few deep."""
    unit = "<div><p><span>某</span><b>区</b></p></div>\n"
    return (f"<html><body><h1>标签</h1>{unit * (target_bytes // len(unit.encode()))}</body></html>").encode()


def at_element_limit(limit: int) -> bytes:
    """A page opening just under `limit` elements (4 to a unit), each unit a clause of text."""
    unit = "<div><p><span>{n}、</span><b>全面推进各项工作，</b></p></div>\n"
    units = (limit - 8) // 4
    body = "".join(unit.format(n=n) for n in range(units))
    return f"<html><head><title>某区2024年工作总结</title></head><body><h1>某区2024年工作总结</h1>{body}</body></html>".encode()


def hostile_title(separators: int) -> bytes:
    """A <title> of a report's name and `separators` site names after `_`."""
    text = "".join(f"<p>{line}</p>" for line in report_lines()[:20])
    title = "某区2024年工作总结" + "_某区人民政府网站" * separators
    return f"<html><head><title>{title}</title></head><body><h1>某区2024年工作总结</h1>{text}</body></html>".encode()


def short_lines(count: int) -> bytes:
    """A title, then `count` short lines of report text (2 to 6 characters each)."""
    rng = random.Random(11)
    lines = report_lines()
    body = (lines[rng.randrange(len(lines))][: rng.randint(2, 6)] for _ in range(count))
    return ("某区2024年工作总结\n" + "\n".join(body)).encode()


def hostile_files(depth: int, lines: int, mb: float) -> dict[str, tuple[str, bytes]]:
    from reader.sources import DEFAULT_MAX_HTML_ELEMENTS, DEFAULT_MAX_SOURCE_BYTES

    size = int(mb * 1_000_000)
    return {
        "big-page": (".html", big_page(size)),
        "nested-span": (".html", nested("span", depth)),
        "nested-div": (".html", nested("div", depth)),
        "nested-zoom": (".html", nested("div", depth, " class='zoom'")),
        "nested-b": (".html", nested("b", depth)),
        "nested-list": (".html", nested("ul", depth, "><li><h2>标题</h2")),
        "nested-table": (".html", nested("table", depth, "><tr><td")),
        "tags-20mb": (".html", tags(size)),
        "at-element-limit": (".html", at_element_limit(DEFAULT_MAX_HTML_ELEMENTS)),
        "hostile-title": (".html", hostile_title(10_000)),
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
    except subprocess.CalledProcessError as exc:  # such as a MemoryError under `ulimit -v`
        last = (exc.stderr.strip().splitlines() or ["no message"])[-1]
        return {"seconds": float("inf"), "rise_kb": 0, "outcome": f"crashed: {last}"}
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
        print(f"{'file':16} {'MB':>6} {'seconds':>8} {'s/MB ×normal':>13} {'memory MB':>10} {'×size':>7}  outcome")
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
            rise_mb = got["rise_kb"] / 1024
            print(f"{name:16} {mb:6.2f} {got['seconds']:8.2f} {per_mb:13.2f} {rise_mb:10.1f} {memory:7.1f}  {got['outcome'][:70]}")
        slow = [n for n, _, g in rows if g["seconds"] > GOAL_SECONDS]
        heavy = [n for n, p, g in rows if g["rise_kb"] * 1024 > GOAL_MEMORY_RATIO * p.stat().st_size]
        print(f"over {GOAL_SECONDS:g} s: {slow or 'none'}; over {GOAL_MEMORY_RATIO:g}x memory: {heavy or 'none'}")


if __name__ == "__main__":
    main()
