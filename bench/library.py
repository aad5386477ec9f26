"""The library at 1,000 and 10,000 reports: build time, bytes on disk, search and home page.

The reports are made by recombining the paragraphs of the five bundled ones (content/)
under new titles, dates, districts, towns, years and kinds, so facets and search meet
realistic data: each has a title `<district><year>年<kind>`, a publish date, and
REPORT_PARAGRAPHS paragraphs drawn (seeded) from the pool. Sentences therefore repeat
across reports far more than in real ones: the bytes of text per report are realistic,
the number of distinct sentences is not.

Prints, for each size: the time to make the files; the build cold (no library), warm
(library there, nothing changed: what a restart does) and with one file changed; the bytes
on disk by table and index, in all and per report; search p50/p95 over SEARCH_ROUNDS
rounds of each query; the home page's p50/p95 through the Flask test client, against a
trivial endpoint (/static/…) in the same run. Times are wall and CPU (the thread's): on a
shared machine the wall time includes waiting for a core.

Run: .venv/bin/python bench/library.py [SIZE ...]   (default 1000 10000; 10,000 takes
about two minutes to make and build on a 2-core machine)
"""

from __future__ import annotations

import os
import random
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from reader import library
from reader.extract.places import GAZETTEER
from reader.search import query_of, search

REPO = Path(__file__).resolve().parents[1]
SIZES = (1000, 10000)
REPORT_PARAGRAPHS = 21  # some 11 KB of UTF-8 a report, as the bundled ones average
KINDS = ("{place}{year}年工作计划", "{place}{year}年工作总结", "{place}召开{year}年干部大会")
YEARS = range(2015, 2025)
SEARCH_ROUNDS = 50
HOME_ROUNDS = 30
QUERIES = {
    "two characters": ("养老", "社区", "发展", "服务"),
    "four characters": ("养老服务", "营商环境", "乡村振兴", "基层治理"),
    "繁體": ("養老", "社區服務", "營商環境"),
    "one character": ("老", "镇"),
    "no match": ("月球", "量子计算", "区块链技术"),
}


def paragraph_pool() -> list[str]:
    """Every body paragraph of the bundled reports (lines of 20 characters or more)."""
    pool = []
    for path in sorted((REPO / "content").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if len(line) >= 20 and "发布日期" not in line:
                pool.append(line)
    return pool


def make_content(folder: Path, count: int, seed: int = 13) -> None:
    """`count` report files in `folder`, recombined from the bundled ones."""
    rng = random.Random(seed)
    pool = paragraph_pool()
    places = [(city, place) for city, towns in GAZETTEER.items() for place in towns]
    folder.mkdir(parents=True)
    for n in range(count):
        city, place = rng.choice(places)
        year = rng.choice(YEARS)
        title = rng.choice(KINDS).format(place=place, year=year)
        date = f"{year + 1}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        body = "\n\n".join("  " + p for p in rng.sample(pool, REPORT_PARAGRAPHS))
        text = f"{title}\n\n信息来源:本网 发布日期:{date}\n\n{body}\n"
        written_long_ago(folder / f"r{n:05d}.txt", text)


def written_long_ago(path: Path, text: str) -> None:
    """Written, and dated a minute ago: settled, not a file still being copied."""
    path.write_text(text, encoding="utf-8")
    settled = time.time_ns() - 60 * 10**9
    os.utime(path, ns=(settled, settled))


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def timed_cpu(action) -> tuple[float, float]:
    """Wall and CPU seconds: on a shared machine the wall time waits for a core, the CPU
    time is what the work itself costs."""
    start, cpu = time.perf_counter(), time.thread_time()
    action()
    return time.perf_counter() - start, time.thread_time() - cpu


def percentiles(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered) * 1000:6.1f} ms  p95 {p95 * 1000:6.1f} ms"


def bytes_by_table(db_path: Path) -> dict[str, int]:
    """Bytes of each table and index, the FTS5 tables' shadow tables counted with theirs."""
    conn = sqlite3.connect(db_path)
    sizes: dict[str, int] = {}
    for name, size in conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"):
        owner = re.sub(r"_(data|idx|docsize|config|content)$", "", name)
        if name.startswith("sqlite_autoindex_"):
            owner = name.removeprefix("sqlite_autoindex_").rsplit("_", 1)[0] + " (key)"
        sizes[owner] = sizes.get(owner, 0) + size
    conn.close()
    return dict(sorted(sizes.items(), key=lambda item: -item[1]))


def bench_size(root: Path, count: int) -> None:
    content, db_path = root / f"content-{count}", root / f"library-{count}.sqlite3"
    print(f"\n== {count:,} reports ==")
    print(f"make the files:      {timed(lambda: make_content(content, count)):7.1f} s")
    print(f"build, cold:         {timed(lambda: library.update(content, db_path)):7.1f} s")
    print(f"build, warm:         {timed(lambda: library.update(content, db_path)):7.2f} s")
    changed = content / "r00007.txt"
    written_long_ago(changed, changed.read_text(encoding="utf-8") + "\n  火星基地建设稳步推进。\n")
    print(f"build, one changed:  {timed(lambda: library.update(content, db_path)):7.2f} s")

    total = db_path.stat().st_size
    text = sum(path.stat().st_size for path in content.glob("*.txt"))
    print(f"report files:  {text / 1e6:.1f} MB, {text / count / 1000:.1f} KB a report")
    print(
        f"bytes on disk: {total / 1e6:.1f} MB, {total / count / 1000:.1f} KB a report, "
        f"{total / text:.2f} bytes for each byte of report file"
    )
    for name, size in bytes_by_table(db_path).items():
        print(f"  {name:28} {size / 1e6:8.2f} MB  {size / count / 1000:6.2f} KB a report")

    conn = library.connect(db_path)
    found = search(conn, query_of("火星基地"))
    assert [hit.slug for hit in found.hits] == ["r00007"], "the changed file is not searched"
    for group, queries in QUERIES.items():
        for asked in queries:
            query = query_of(asked)
            times = [timed_cpu(lambda: search(conn, query)) for _ in range(SEARCH_ROUNDS)]  # noqa: B023
            results = search(conn, query)
            counted = "" if results.complete else "至少 "
            print(
                f"search {group:16} {asked:6} wall {percentiles([t[0] for t in times])}  "
                f"cpu {percentiles([t[1] for t in times])}  "
                f"{counted}{results.places} places, {len(results.hits)} pages listed"
            )
    conn.close()
    home(content, db_path, root / f"instance-{count}", count)


def home(content: Path, db_path: Path, instance: Path, count: int) -> None:
    from reader.web import create_app
    from reader.web.home import HOME_PAGE_SIZE

    app = create_app(
        {"TESTING": True, "CONTENT_DIR": str(content), "DATABASE": str(db_path),
         "INSTANCE_DIR": str(instance), "LIBRARY_CHECK_SECONDS": 3600}
    )  # fmt: skip  # the pages alone: the watcher's checks are measured above (warm)
    client, responses = app.test_client(), []
    for label, url in (
        ("trivial (/static/css/print.css)", "/static/css/print.css"),
        ("home", "/"),
        ("home, last page", f"/?page={-(-count // HOME_PAGE_SIZE)}"),
        ("home, city+year+kind", "/?city=中山市&year=2020&kind=工作计划"),
    ):
        times = []
        for _ in range(HOME_ROUNDS):
            times.append(timed_cpu(lambda: responses.append(client.get(url))))  # noqa: B023
            assert responses.pop().status_code == 200, url
        print(
            f"{label:34} wall {percentiles([t[0] for t in times])}  "
            f"cpu {percentiles([t[1] for t in times])}"
        )


def main(sizes: list[int]) -> None:
    root = Path(tempfile.mkdtemp(prefix="bench-library-"))
    try:
        for count in sizes:
            bench_size(root, count)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main([int(size) for size in sys.argv[1:]] or list(SIZES))
