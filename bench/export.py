"""The static export at scale: `reader build --no-audio` of N reports made by recombining the
bundled ones, its time and bytes, and what a phone downloads for a search.

Each made report is a bundled one with its body paragraphs in another order (its header
lines kept), so the library has N reports of real text and real repetition. Printed: the
build's seconds (library, pages and index), OUT/'s bytes, the index's files and sizes, and
for a few queries the files static/js/static-search.js fetches and their gzipped bytes,
against the whole index gzipped (the ratio is what sharding saves).

    .venv/bin/python bench/export.py [--reports N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from reader.export.search_index import shard_of
from reader.folding import fold

REPO = Path(__file__).resolve().parents[1]
HEADER_LINES = 8  # a bundled file's portal lines and title, kept at the top
QUERIES = ("养老", "社区", "街道", "黨建", "党建引领", "高质量发展", "营商环境", "的")


def made_content(folder: Path, count: int) -> None:
    sources = sorted((REPO / "content").glob("*.txt"))
    for i in range(count):
        source = sources[i % len(sources)]
        lines = source.read_text(encoding="utf-8").splitlines()
        body = lines[HEADER_LINES:]
        random.Random(i).shuffle(body)
        name = f"b{i:05d}-{source.stem}"
        (folder / f"{name}.txt").write_text("\n".join(lines[:HEADER_LINES] + body) + "\n", encoding="utf-8")
        sidecar = source.with_suffix(".meta.toml")
        if sidecar.exists():
            shutil.copy(sidecar, folder / f"{name}.meta.toml")


def gzipped(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), 6))


def fetched_for(index: Path, query: str) -> list[Path]:
    """The files static-search.js fetches for `query` (already clean): its gram's shards,
    and the first reports holding all its pairs (a few more than hold the phrase itself)."""
    meta = json.loads((index / "meta.json").read_text())
    wanted = fold(query)
    files = [index / "meta.json", index / "fold.json"]
    grams = [wanted] if len(wanted) == 1 else sorted({wanted[k : k + 2] for k in range(len(wanted) - 1)})
    reports: list[int] = []
    for gram in grams:
        shard = index / str(len(gram)) / f"{shard_of(gram, meta['shards'][len(gram) - 1])}.json"
        files.append(shard)
        runs = json.loads(shard.read_text()).get(gram, [])
        held = [-step - 1 for step in runs if step < 0]
        reports = held if not reports and gram == grams[0] else [r for r in reports if r in set(held)]
    return files + [index / "r" / f"{r}.json" for r in reports[: meta["limit"]]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument("--keep", type=Path, help="build here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        content = work / "content"
        content.mkdir()
        made_content(content, args.reports)
        out = args.keep or work / "out"
        start = time.monotonic()
        subprocess.run(
            [str(Path(sys.executable).with_name("reader")), "build", str(out), "--base-path", "/yidu/",
             "--no-audio", "--content", str(content)],
            cwd=work, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        seconds = time.monotonic() - start
        files = [path for path in out.rglob("*") if path.is_file()]
        pages = [path for path in files if path.name == "index.html"]
        index = out / "search"
        index_files = [path for path in index.rglob("*.json")]
        whole = sum(gzipped(path) for path in index_files)
        print(f"{args.reports} reports: build {seconds:.0f} s, {len(pages)} pages, "
              f"OUT/ {sum(p.stat().st_size for p in files) / 1e6:.1f} MB")
        for kind in ("1", "2", "r"):
            sizes = sorted(path.stat().st_size for path in (index / kind).glob("*.json"))
            print(f"  index {kind}/: {len(sizes)} files, {sum(sizes) / 1e6:.2f} MB, "
                  f"median {sizes[len(sizes) // 2] / 1e3:.0f} KB, largest {sizes[-1] / 1e3:.0f} KB")
        print(f"  whole index gzipped: {whole / 1e6:.2f} MB")
        for query in QUERIES:
            fetched = fetched_for(index, query)
            size = sum(gzipped(path) for path in fetched)
            print(f"  {query}: {len(fetched)} files, {size / 1e3:.0f} KB gzipped "
                  f"({size / whole:.1%} of the index)")


if __name__ == "__main__":
    main()
