"""The static export's search index: files that static/js/static-search.js queries with the
results of reader.search.search(), fetching only the parts one query needs.

Plain code, no Flask. A hit is a sentence whose folded text (reader.folding) contains the
folded query, so the index holds, for each character (1-gram) of the folded sentences, the
sentences that contain it and how many times, and for each pair of characters (2-gram)
the sentences and the places in them where it starts. Places are counted without
overlaps, as reader.search.match_spans counts them.
A query of one or two characters is answered by its own gram's postings, a longer one by
the places of each of its 2-grams; places and reports are counted from them, and only the
reports of the first SEARCH_LIMIT pages are fetched, for their text. As the server does,
only the first `count_limit` sentences holding the query are counted, read among at most
CANDIDATES_PER_COUNTED times as many candidates (those holding each run of letters and
digits of the query, found the same way), in library order: reports are numbered in
reader.library.reading_order.

Files, under `search/`:
- `meta.json`: the number of shards of each kind, the limits (`count_limit` the server's
  SEARCH_COUNT_LIMIT, `candidates_per_counted`), the report count;
- `1/<k>.json`: shard k of the 1-gram postings, a gram's shard being `shard_of(gram,
  shards)`; each maps a character to a flat list in which -(r + 1) starts report r's run
  and each number after it is a sentence's index in that report, as the step from the one
  before; `"#"` maps a character to [r, i, count] for the sentences holding it more than once;
- `2/<k>.json`: shard k of the 2-gram postings, with places: after -(r + 1), each sentence
  is its index's step, how many places the pair starts at, and each place's step. A query
  of three characters or more matches where each of its pairs starts one place after the
  one before, so its places are counted from its pairs' shards alone, never from the text;
- `r/<r>.json`: report r (the r-th in library order): slug, title, and its pages as
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
from reader.search import (
    CANDIDATES_PER_COUNTED,
    COUNT_LIMIT,
    QUERY_MAX_CHARS,
    SEARCH_LIMIT,
    SNIPPET_CONTEXT,
)

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


def index_files(
    reports: Iterable[IndexedReport], count_limit: int = COUNT_LIMIT
) -> dict[str, bytes]:
    """Every file of the index, by its path under `search/`. `reports` come in library
    order (reader.library.reading_order), the order the server lists its hits in, and
    are numbered in it; `count_limit` is the server's SEARCH_COUNT_LIMIT."""
    reports = list(reports)
    postings: tuple[dict, dict] = (defaultdict(list), defaultdict(list))
    characters: set[str] = set()
    files: dict[str, bytes] = {}
    for r, report in enumerate(reports):
        i = 0
        for page in report.pages:
            for text in page.sentences:
                folded = fold(text)
                characters.update(folded)
                for character, count in _grams(folded, 1).items():
                    postings[0][character].append((r, i, count))
                for pair, places in _pairs(folded).items():
                    postings[1][pair].append((r, i, places))
                i += 1
        files[f"r/{r}.json"] = _json({
            "slug": report.slug, "title": report.title,
            "pages": [[page.n, list(page.heading_path), list(page.sentences)] for page in report.pages],
        })  # fmt: skip
    shards = []
    for size, grams in enumerate(postings, start=1):
        encode = _encoded if size == 1 else _encoded_places
        encoded = {gram: encode(entries) for gram, entries in grams.items()}
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
        "reports": len(reports), "shards": shards, "limit": SEARCH_LIMIT, "count_limit": count_limit,
        "candidates_per_counted": CANDIDATES_PER_COUNTED,
        "snippet": SNIPPET_CONTEXT, "max_chars": QUERY_MAX_CHARS,
    })  # fmt: skip
    return files


def _grams(folded: str, size: int) -> Counter[str]:
    """Each gram of `size` characters in `folded`, with how many times it is found there
    without overlaps (str.count, as a search counts its places)."""
    grams = {folded[k : k + size] for k in range(len(folded) - size + 1)}
    return Counter({gram: folded.count(gram) for gram in grams})


def _pairs(folded: str) -> dict[str, list[int]]:
    """Each 2-gram of `folded` with every place it starts at (overlapping ones too: a
    longer query's matches are found from them)."""
    places: dict[str, list[int]] = defaultdict(list)
    for k in range(len(folded) - 1):
        places[folded[k : k + 2]].append(k)
    return places


def _encoded_places(entries: list[tuple[int, int, list[int]]]) -> tuple[list[int], list]:
    """A 2-gram's postings: -(r + 1) starts report r's run; then for each sentence its
    index's step from the one before, how many places, and each place's step from the one
    before (the first from 0)."""
    runs: list[int] = []
    report = previous = -1
    for r, i, places in entries:
        if r != report:
            runs.append(-(r + 1))
            report, previous = r, 0
        runs += [i - previous, len(places)]
        previous = i
        runs += [b - a for a, b in zip([0, *places], places, strict=False)]
    return runs, []


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
