"""The static export's search index: files that static/js/static-search.js queries with the
results of reader.search.search(), fetching only the parts one query needs.

Plain code, no Flask. A hit is a sentence whose folded text (reader.folding) contains the
folded query, so the index holds, for each character (1-gram) and each pair of characters
(2-gram) of the folded sentences, the sentences that contain it and how many times
(counted as str.count counts, without overlaps, as reader.search.match_spans does).
A query of one or two characters is answered by its own gram's postings: places and
reports are counted from them, and only the reports of the first SEARCH_LIMIT pages are
fetched for their text. A longer query takes the sentences holding every one of its
2-grams and checks each against its text.

Files, under `search/`:
- `meta.json`: the number of shards of each kind, the limits, the report count;
- `1/<k>.json`, `2/<k>.json`: shard k of the 1-gram and 2-gram postings, a gram's shard
  being `shard_of(gram, shards)`; each maps a gram to a flat list in which -(r + 1) starts
  report r's run and each number after it is a sentence's index in that report, as the
  step from the one before; `"#"` maps a gram to [r, i, count] for the sentences holding
  it more than once;
- `r/<r>.json`: report r (in slug order): slug, title, and its pages as
  [n, heading path, [sentence text, ...]], the sentences in page order;
- `fold.json`: reader.folding's table, only for characters that fold to one the library holds.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from reader.folding import _table, fold
from reader.search import QUERY_MAX_CHARS, SEARCH_LIMIT, SNIPPET_CONTEXT

SHARD_BYTES = 64_000  # about how large a shard of postings is, before compression
FOLDER = "search"


@dataclass(frozen=True)
class IndexedPage:
    n: int
    heading_path: tuple[str, ...]
    sentences: tuple[str, ...]  # in page order: a sentence's seq is its place here


@dataclass(frozen=True)
class IndexedReport:
    slug: str
    title: str
    pages: tuple[IndexedPage, ...]


def shard_of(gram: str, shards: int) -> int:
    """Which shard holds `gram`: the same sum in static-search.js, code point by code point."""
    h = 0
    for character in gram:
        h = (h * 31 + ord(character)) % shards
    return h


def index_files(reports: Iterable[IndexedReport]) -> dict[str, bytes]:
    """Every file of the index, by its path under `search/`. Reports are taken in slug
    order, as the server lists its hits."""
    reports = sorted(reports, key=lambda report: report.slug)
    postings: tuple[dict, dict] = (defaultdict(list), defaultdict(list))
    characters: set[str] = set()
    files: dict[str, bytes] = {}
    for r, report in enumerate(reports):
        i = 0
        for page in report.pages:
            for text in page.sentences:
                folded = fold(text)
                characters.update(folded)
                for size, grams in enumerate((_grams(folded, 1), _grams(folded, 2))):
                    for gram, count in grams.items():
                        postings[size][gram].append((r, i, count))
                i += 1
        files[f"r/{r}.json"] = _json({
            "slug": report.slug, "title": report.title,
            "pages": [[page.n, list(page.heading_path), list(page.sentences)] for page in report.pages],
        })  # fmt: skip
    shards = []
    for size, grams in enumerate(postings, start=1):
        encoded = {gram: _encoded(entries) for gram, entries in grams.items()}
        total = sum(len(_json(value)) + len(gram) * 3 + 4 for gram, value in encoded.items())
        count = max(1, math.ceil(total / SHARD_BYTES))
        shards.append(count)
        split: list[dict] = [{} for _ in range(count)]
        for gram, (runs, repeats) in encoded.items():
            shard = split[shard_of(gram, count)]
            shard[gram] = runs
            if repeats:
                shard.setdefault("#", {})[gram] = repeats
        for k, shard in enumerate(split):
            files[f"{size}/{k}.json"] = _json(shard)
    files["fold.json"] = _json(
        {chr(code): target for code, target in _table().items() if target in characters}
    )
    files["meta.json"] = _json({
        "reports": len(reports), "shards": shards, "limit": SEARCH_LIMIT,
        "snippet": SNIPPET_CONTEXT, "max_chars": QUERY_MAX_CHARS,
    })  # fmt: skip
    return files


def _grams(folded: str, size: int) -> Counter[str]:
    """Each gram of `size` characters in `folded`, with how many times it is found there
    without overlaps (str.count, as a search counts its places)."""
    grams = {folded[k : k + size] for k in range(len(folded) - size + 1)}
    return Counter({gram: folded.count(gram) for gram in grams})


def _encoded(entries: list[tuple[int, int, int]]) -> tuple[list[int], list[list[int]]]:
    runs: list[int] = []
    repeats: list[list[int]] = []
    report = previous = -1
    for r, i, count in entries:
        if r != report:
            runs.append(-(r + 1))
            report, previous = r, 0
        runs.append(i - previous)
        previous = i
        if count > 1:
            repeats.append([r, i, count])
    return runs, repeats


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
