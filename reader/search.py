"""Full-text search of the library, and the places a query matches in a text.

Both the index and the query are folded (reader.folding): a query in 繁體 finds 简体 text
and the other way round, full-width letters find half-width, case does not matter.
A hit is a sentence whose folded text contains the folded query; nothing else (the static
export's JavaScript search implements the same). One FTS5 index finds the candidates
without word segmentation: each sentence's letters and digits in pairs (`bigrams`), so a
run of two or more letters or digits in the query is a phrase of pairs, and one alone the
start of a pair; a query of several runs ("PM 2.5") wants them all. A query with no letter
or digit at all (punctuation) falls back to a LIKE scan. Every candidate is checked
against the text. Counting stops after COUNT_LIMIT sentences that hold the query (the
config's SEARCH_COUNT_LIMIT), or CANDIDATES_PER_COUNTED times as many candidates read, so
the counts of a very common query are a lower bound ("至少"). A candidate holds every run
of the query, but need not hold the query ("PM 2.5": pm, 2 and 5 anywhere in it).

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

SEARCH_LIMIT = 50  # pages listed
# Sentences holding the query counted into places and reports (the default of the config's
# SEARCH_COUNT_LIMIT); past it the counts say 至少. At 10,000 reports 养老 is in some 100,000
# sentences; checking 1,000 takes a few ms.
COUNT_LIMIT = 1000
# Candidates read at most, for each sentence counted: a query of several runs ("PM 2.5",
# "社区、养老") finds every sentence holding all its runs, most of which may not hold the
# query itself; past this many, the counts are a lower bound too.
CANDIDATES_PER_COUNTED = 20
SNIPPET_CONTEXT = 24  # characters shown either side of the first match
QUERY_MAX_CHARS = 50
CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"  # ideographs, CJK punctuation, full width
LETTERS_AND_DIGITS = re.compile(r"[^\W_]+")  # runs of what str.isalnum() holds: \w less _
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
    complete: bool = True  # False: counting stopped (count_limit) before the last match


NO_RESULTS = SearchResults((), 0, 0)


def query_of(asked: str) -> Query:
    """What to search for: control and format characters (NUL among them: the index cannot
    take one) become spaces, runs of space one space, spaces beside Chinese none, and no
    more than QUERY_MAX_CHARS characters."""
    printable = "".join(character if character.isprintable() else " " for character in asked)
    text = SPACE_BESIDE_CJK.sub("", " ".join(printable.split()))
    return Query(text[:QUERY_MAX_CHARS], len(text) > QUERY_MAX_CHARS)


def search(
    conn: sqlite3.Connection, query: Query, limit: int = SEARCH_LIMIT, count_limit: int = COUNT_LIMIT
) -> SearchResults:
    """Sentences that contain the query: the first of each page, in library order (the
    order reports were read in, then page and sentence: reader.library.reading_order), and
    how many places in how many reports match - counted over the first `count_limit`
    sentences that hold the query (read among at most CANDIDATES_PER_COUNTED times as many
    candidates), so that a common two-character query at 10,000 reports costs no more
    than a rare one; past that the counts are a lower bound (`complete` is False) and the
    page says 至少.
    static/js/static-search.js gives the same results from the static export's index."""
    wanted = query.folded
    if not wanted:
        return NO_RESULTS
    candidate_limit = CANDIDATES_PER_COUNTED * int(count_limit)
    rows = conn.execute(
        f"SELECT r.slug, s.n, s.seq, s.text, coalesce(s.folded, s.text) "
        f"FROM sentence s JOIN report r ON r.id = s.report "
        f"WHERE s.id IN ({_candidates(wanted)} LIMIT {candidate_limit}) ORDER BY s.id",
        (_index_argument(wanted),),
    )  # read as it goes: a common query stops long before its last candidate
    hits: dict[tuple[str, int], SearchHit] = {}
    places: Counter[str] = Counter()
    matched = examined = 0
    for slug, n, seq, text, folded in rows:
        examined += 1
        found = folded.count(wanted)  # as match_spans counts: left to right, not overlapping
        if not found:  # a candidate only (the runs of a query of several are found apart)
            continue
        matched += 1
        if matched > count_limit:
            break
        places[slug] += found
        if (slug, n) in hits or len(hits) >= limit:
            continue
        title, heading_path = conn.execute(
            "SELECT r.title, p.heading_path FROM report r JOIN page p ON p.report = r.id "
            "WHERE r.slug = ? AND p.n = ?",
            (slug, n),
        ).fetchone()
        hits[slug, n] = SearchHit(
            slug=slug, title=title, n=n, seq=seq, heading_path=tuple(json.loads(heading_path)),
            parts=_snippet(text, match_spans(text, wanted)),
        )
    complete = matched <= count_limit and examined < candidate_limit
    return SearchResults(
        tuple(hits.values()), places.total(), sum(1 for c in places.values() if c), complete
    )


def _candidates(wanted: str) -> str:
    """The SELECT of the ids of sentences that may contain `wanted`, in id order: every one
    that does, and perhaps a few that do not (search checks each)."""
    if _runs(wanted):
        return "SELECT rowid FROM sentence_bigram WHERE sentence_bigram MATCH ? ORDER BY rowid"
    return (  # nothing but punctuation and spaces: a scan
        "SELECT id FROM sentence WHERE coalesce(folded, text) LIKE ? ESCAPE '\\' ORDER BY id"
    )


def _index_argument(wanted: str) -> str:
    """What `_candidates` matches: each run of letters and digits as the phrase of its
    pairs (a lone one as the start of a pair), all of them; or the LIKE pattern."""
    runs = _runs(wanted)
    if not runs:
        return "%" + wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    phrases = []
    for run in runs:
        pairs = " ".join(run[k : k + 2] for k in range(len(run) - 1))
        phrases.append(f'"{pairs}"' if len(run) > 1 else f'"{run}"*')
    return " AND ".join(phrases)


def _runs(wanted: str) -> list[str]:
    """The runs of letters and digits in `wanted`, in order."""
    return LETTERS_AND_DIGITS.findall(wanted)


def bigrams(folded: str) -> str:
    """What the index holds for a sentence's folded text: each letter or digit with the one
    after it, or alone when none follows, as space-separated words, in order. A run of
    letters and digits in a query is then a phrase of such words, and a lone one the start
    of a word; a pair stands only for two characters side by side, so a phrase of pairs
    matches only where the run itself is in the text."""
    return " ".join(run[k : k + 2] for run in LETTERS_AND_DIGITS.findall(folded) for k in range(len(run)))


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
