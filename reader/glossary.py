"""The 术语 glossary: `content/glossary.toml`, the official words it explains, and where
report text uses them.

Staff edit the file; `load` checks it and names the file and the term of the first bad
entry in one line (`GlossaryError`). `find_terms` is the one matching rule, used by the
reading page and the /glossary page alike:

- every form of every term (the term and its `also` forms) is looked for, the longest
  form at a place first, so 粤港澳大湾区 is one term and not 大湾区 inside it;
- a match is dropped where it lies inside one of the term's `not_in` words (工改 in
  加工改造), which is how staff say "this longer word is something else";
- a term made of digits (1310, 1+1+9) only matches a whole number: 13100 and 1+1+9+N
  are other numbers.

`missing_terms` is what `reader check` lists: quoted words and number-coded words (双X,
X化) the reports use that the glossary does not explain. Plain code, no Flask.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

GLOSSARY_NAME = "glossary.toml"
GLOSSARY_MAX_BYTES = 512 * 1024
FIELDS = ("term", "pinyin", "jyutping", "full", "also", "not_in", "explain")
REQUIRED = ("term", "pinyin", "explain")
MAX_EXPLAIN_CHARS = 120  # one or two short sentences
# A term of digits must not run into more of a number on either side.
NUMBER_EDGE = re.compile(r"[0-9０-９.+＋%]")
# What `reader check` asks about: a short quoted word (“1310”, “双统筹”, “网格化”), and
# unquoted number codes (2+10+N) and 双X words ending at a mark.
QUOTED = re.compile(r"[“\"「]([^”\"」\s，。、；：！？,.;:]{2,8})[”\"」]")
COINED = re.compile(r"\d+(?:[+＋][\dN]+)+|双[\u4e00-\u9fff]{1,3}(?=[，。、；：”,;:])")
NUMBER_CODED = re.compile(r"[0-9]")


class GlossaryError(ValueError):
    """A glossary file that cannot be used, in one line naming the file and the term."""


@dataclass(frozen=True)
class Term:
    term: str
    pinyin: str
    explain: str
    jyutping: str = ""
    full: str = ""
    also: tuple[str, ...] = ()
    not_in: tuple[str, ...] = ()

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.term, *self.also)

    @property
    def anchor(self) -> str:
        """Its id on /glossary: the term itself, readable in a URL and stable across edits."""
        return "term-" + self.term

    @property
    def sort_key(self) -> tuple:
        """Alphabetical by pinyin: letters first, then tones (ā before á), then the term."""
        letters = unicodedata.normalize("NFD", self.pinyin.lower())
        bare = "".join(c for c in letters if not unicodedata.combining(c))
        return (bare, letters, self.term)

    @property
    def spoken(self) -> str:
        """What 朗读 says: the term, in quotation marks as reports write it (so “1310” is
        said digit by digit, as a code), then its explanation."""
        return f"“{self.term}”。{self.explain}"


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    term: Term


@dataclass(frozen=True)
class Glossary:
    terms: tuple[Term, ...]

    def __post_init__(self) -> None:
        forms = {form: term for term in self.terms for form in term.forms}
        object.__setattr__(self, "_by_form", forms)
        object.__setattr__(self, "_lengths", sorted({len(f) for f in forms}, reverse=True))

    def by_anchor(self, anchor: str) -> Term | None:
        return next((t for t in self.terms if t.anchor == anchor), None)

    def sorted_terms(self) -> list[Term]:
        return sorted(self.terms, key=lambda t: t.sort_key)

    def find_terms(self, text: str) -> list[Found]:
        """Every term in `text`, left to right, the longest form at each place (see module)."""
        found, i = [], 0
        while i < len(text):
            match = self._match_at(text, i)
            if match:
                found.append(match)
                i = match.end
            else:
                i += 1
        return found

    def _match_at(self, text: str, i: int) -> Found | None:
        for length in self._lengths:
            if i + length > len(text):
                continue
            term = self._by_form.get(text[i : i + length])
            if term and _stands_alone(text, i, i + length, term):
                return Found(i, i + length, term)
        return None

    def first_uses(self, sentences: Iterable[tuple[str, str]]) -> dict[str, list[Found]]:
        """For (id, text) sentences of one page: the first use of each term on the page,
        by sentence id."""
        seen, firsts = set(), {}
        for sentence_id, text in sentences:
            for found in self.find_terms(text):
                if found.term.term not in seen:
                    seen.add(found.term.term)
                    firsts.setdefault(sentence_id, []).append(found)
        return firsts

    def missing_terms(self, texts: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
        """Quoted and coined words that no term explains, in (where, text) pairs: each
        word with where it was seen (once a use), most used first."""
        seen: dict[str, list[str]] = {}
        for where, text in texts:
            quoted = [m.group(1) for m in QUOTED.finditer(text)]
            for word in quoted + [m.group(0) for m in COINED.finditer(text)]:
                if word not in quoted and any(word in q for q in quoted):
                    continue  # the quoted word is asked about already
                if _is_candidate(word) and not self.find_terms(word):
                    seen.setdefault(word, []).append(where)
        return dict(sorted(seen.items(), key=lambda item: (-len(item[1]), item[0])))


def _stands_alone(text: str, start: int, end: int, term: Term) -> bool:
    for word in term.not_in:
        for offset in _offsets(word, text[start:end]):
            if start >= offset and text[start - offset : start - offset + len(word)] == word:
                return False
    if text[start].isdigit() and start and NUMBER_EDGE.match(text[start - 1]):
        return False
    return not (text[end - 1].isdigit() and end < len(text) and NUMBER_EDGE.match(text[end]))


def _offsets(word: str, form: str) -> list[int]:
    return [i for i in range(len(word)) if word.startswith(form, i)]


def _is_candidate(word: str) -> bool:
    """A word worth explaining: short, or number-coded; not a bare number under 100."""
    if word.isdigit() and len(word) < 3:
        return False
    return bool(NUMBER_CODED.search(word) or len(word) <= 6)


def glossary_path(content_dir: Path) -> Path:
    return Path(content_dir) / GLOSSARY_NAME


def load(path: Path) -> Glossary:
    """The glossary at `path`; an empty one when there is no file. A file that is not
    TOML, or an entry with a missing, unknown or wrongly typed field, or a term given
    twice, is a GlossaryError naming the file and the term."""
    path = Path(path)
    if not path.exists():
        return Glossary(())
    data = path.read_bytes()
    if len(data) > GLOSSARY_MAX_BYTES:
        raise GlossaryError(f"{path}: over {GLOSSARY_MAX_BYTES} bytes")
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise GlossaryError(f"{path}: not valid TOML: {exc}") from None
    unknown = sorted(set(raw) - {"term"})
    if unknown or not isinstance(raw.get("term", []), list):
        raise GlossaryError(f"{path}: give each term as a [[term]] table, not {(unknown or ['term'])[0]!r}")
    terms, seen = [], {}
    for index, entry in enumerate(raw.get("term", []), start=1):
        term = _term(path, index, entry)
        for form in term.forms:
            if form in seen:
                raise GlossaryError(f"{path}: term {term.term!r}: {form!r} is already a form of {seen[form]!r}")
            seen[form] = term.term
        terms.append(term)
    return Glossary(tuple(terms))


def _term(path: Path, index: int, entry: dict) -> Term:
    name = entry.get("term") if isinstance(entry.get("term"), str) else f"#{index}"
    where = f"{path}: term {name!r}"
    unknown = sorted(set(entry) - set(FIELDS))
    if unknown:
        raise GlossaryError(f"{where}: unknown field {unknown[0]!r}")
    for field in REQUIRED:
        value = entry.get(field)
        if not isinstance(value, str) or not value.strip():
            raise GlossaryError(f"{where}: {field} must be text, and is missing or empty")
    for field in ("jyutping", "full"):
        if not isinstance(entry.get(field, ""), str):
            raise GlossaryError(f"{where}: {field} must be text")
    for field in ("also", "not_in"):
        value = entry.get(field, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise GlossaryError(f"{where}: {field} must be a list of words")
    if len(entry["explain"]) > MAX_EXPLAIN_CHARS:
        raise GlossaryError(f"{where}: explain is over {MAX_EXPLAIN_CHARS} characters; keep it short")
    return Term(
        term=entry["term"].strip(),
        pinyin=entry["pinyin"].strip(),
        explain=entry["explain"].strip(),
        jyutping=entry.get("jyutping", "").strip(),
        full=entry.get("full", "").strip(),
        also=tuple(entry.get("also", [])),
        not_in=tuple(entry.get("not_in", [])),
    )
