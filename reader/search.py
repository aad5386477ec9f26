"""Full-text search of the library, and the places a query matches in a text.

Both the index and the query are folded (reader.folding): a query in 繁體 finds 简体 text
and the other way round, full-width letters find half-width, case does not matter. The
index is FTS5 with the trigram tokenizer, which needs no word segmentation for Chinese;
queries shorter than three characters fall back to a LIKE scan.

A reader types Chinese with spaces in it now and then ("养 老"); a space between two
Chinese characters, or between a Chinese character and anything else, is dropped, while a
space between two Latin words stays one space.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from dataclasses import dataclass

from reader.folding import fold

SEARCH_LIMIT = 50  # pages listed; places and reports are counted over every match
SNIPPET_CONTEXT = 24  # characters shown either side of the first match
QUERY_MAX_CHARS = 50
CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"  # ideographs, CJK punctuation, full width
SPACE_BESIDE_CJK = re.compile(rf"\s+(?=[{CJK}])|(?<=[{CJK}])\s+")


@dataclass(frozen=True)
class Query:
    text: str  # as the reader typed it, cleaned, at most QUERY_MAX_CHARS
    shortened: bool  # the reader typed more than QUERY_MAX_CHARS characters

    @property
    def folded(self) -> str:
        return fold(self.text)


@dataclass(frozen=True)
class SearchHit:
    slug: str
    title: str
    n: int
    seq: int  # the first matching sentence's place on the page
    heading_path: tuple[str, ...]
    # The sentence cut into (text, is_match) parts, so a template can mark the matches.
    parts: tuple[tuple[str, bool], ...]


@dataclass(frozen=True)
class SearchResults:
    hits: tuple[SearchHit, ...]  # the first matching sentence of each page, up to a limit
    places: int  # matches in every matching sentence of every report
    reports: int  # reports with a match


NO_RESULTS = SearchResults((), 0, 0)


def query_of(asked: str) -> Query:
    """What to search for: control and format characters (NUL among them: the index cannot
    take one) become spaces, runs of space one space, spaces beside Chinese none, and no
    more than QUERY_MAX_CHARS characters."""
    printable = "".join(character if character.isprintable() else " " for character in asked)
    text = SPACE_BESIDE_CJK.sub("", " ".join(printable.split()))
    return Query(text[:QUERY_MAX_CHARS], len(text) > QUERY_MAX_CHARS)


def search(conn: sqlite3.Connection, query: Query, limit: int = SEARCH_LIMIT) -> SearchResults:
    """Sentences that contain the query: the first of each page, in report and page order,
    and how many places in how many reports match."""
    wanted = query.folded
    if not wanted:
        return NO_RESULTS
    if len(wanted) >= 3:  # the trigram index needs three characters
        matching = "sentence_fts f JOIN sentence s ON s.id = f.rowid WHERE sentence_fts MATCH ?"
        argument = '"' + wanted.replace('"', '""') + '"'
    else:
        matching = "sentence s WHERE coalesce(s.folded, s.text) LIKE ? ESCAPE '\\'"
        argument = "%" + wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = conn.execute(
        "SELECT s.slug, s.n, s.seq, s.text, r.title, p.heading_path "
        "FROM page p JOIN report r ON r.slug = p.slug JOIN "
        f"(SELECT s.slug, s.n, s.seq, s.text FROM {matching}) s ON s.slug = p.slug AND s.n = p.n "
        "ORDER BY s.slug, s.n, s.seq",
        (argument,),
    ).fetchall()
    hits: dict[tuple[str, int], SearchHit] = {}
    places: Counter[str] = Counter()
    for row in rows:
        spans = match_spans(row["text"], wanted)
        places[row["slug"]] += len(spans)
        if not spans or (row["slug"], row["n"]) in hits or len(hits) >= limit:
            continue
        hits[row["slug"], row["n"]] = SearchHit(
            slug=row["slug"], title=row["title"], n=row["n"], seq=row["seq"],
            heading_path=tuple(json.loads(row["heading_path"])),
            parts=_snippet(row["text"], spans),
        )
    return SearchResults(tuple(hits.values()), places.total(), sum(1 for c in places.values() if c))


def match_spans(text: str, folded_query: str) -> list[tuple[int, int]]:
    """Where the (already folded) query matches `text`: (start, end) pairs, not overlapping."""
    if not folded_query:
        return []
    folded, spans, position = fold(text), [], 0
    while (found := folded.find(folded_query, position)) != -1:
        spans.append((found, found + len(folded_query)))
        position = found + len(folded_query)
    return spans


def count_places(texts, query: Query) -> int:
    """How many places in `texts` the query matches."""
    return sum(len(match_spans(text, query.folded)) for text in texts)


def _snippet(text: str, spans: list[tuple[int, int]]) -> tuple[tuple[str, bool], ...]:
    """The sentence around its first match, cut into (text, is_match) parts."""
    start = max(0, spans[0][0] - SNIPPET_CONTEXT)
    end = min(len(text), spans[0][1] + SNIPPET_CONTEXT)
    parts: list[tuple[str, bool]] = [("…", False)] if start else []
    position = start
    for found, found_end in spans:
        if found < position or found_end > end:
            continue
        if found > position:
            parts.append((text[position:found], False))
        parts.append((text[found:found_end], True))
        position = found_end
    if position < end:
        parts.append((text[position:end], False))
    if end < len(text):
        parts.append(("…", False))
    return tuple(parts)


def index_text(text: str) -> str | None:
    """What the index holds for a sentence: its folded form, or None when that is the text
    itself (most 简体 sentences), so that it is stored once."""
    folded = fold(text)
    return None if folded == text else folded
