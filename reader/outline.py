"""The 要点 outline of a report: its headings and the sentences that lead each section.

Chinese reports are written as leads: a heading, then a sentence that sums up what follows
(“一是强化理论导航，…”, “坚持以人民为中心的发展思想，…”). Reading those alone gives the
whole report in a couple of minutes. The rule, applied to the blocks of every page:

- a heading is in whole (all its sentences);
- a list item (一是…, 第一，…) gives its first sentence;
- a paragraph gives its first sentence when it is the first block after a heading or of
  the report ("the first sentence after each heading"), or when it introduces a list (the
  block after it is an item: “会议指出，…” before 一是…). Other paragraphs are detail
  and are left out;
- the part of a block carried over from the page before is not a new block, so it adds
  nothing (its lead was taken on the page where it began);
- a lead sentence longer than LEAD_MAX_CHARS is cut at the end of its first clauses
  that hold at least LEAD_MIN_HAN Chinese characters, when that is within LEAD_MAX_CHARS
  and outside quotation marks and brackets, and "……" says that it goes on
  (“打造岐江新城、总部经济区“发展动能核”……”): these reports open a section with
  sentences of up to 300 characters whose first clause says what the section is about,
  while a date (2024年2月4日上午) or 会议指出 alone says nothing. The link leads to the
  whole sentence. A heading is never cut.

Every entry keeps the page it is on and its sentence id there (reader.web.page_view), so
the outline links to the very sentence, and its speech manifest can use the ids the
reading page uses. Plain code, no Flask.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from reader.report import HEADING, ITEM, PARAGRAPH

if TYPE_CHECKING:  # imported for its type only: reader.web's package would bring Flask
    from reader.web.page_view import PageView, SentenceView

# Characters a listener hears in a minute at the normal rate: espeak-ng's Mandarin says
# about 3.9 syllables (characters) a second of speech (reader.speech.voices), and the
# pauses after clauses and sentences take back some of that. Used to tell the reader how
# long the outline takes to hear.
SPOKEN_CHARS_PER_MINUTE = 210
LEAD_MAX_CHARS = 40
LEAD_MIN_HAN = 8
CLAUSE_END = re.compile(r"[，,；;：:]")
HAN = re.compile(r"[\u4e00-\u9fff]")
PAIRED_MARKS = ("“”", "‘’", "《》", "（）", "()", "【】", "〔〕")
GOES_ON = "……"


@dataclass(frozen=True)
class OutlineEntry:
    """One line of the outline: a heading, or the lead sentence of an item or paragraph."""

    type: str  # HEADING, ITEM or PARAGRAPH: what the sentence leads
    level: int  # a heading's depth, 0 for the others
    n: int  # the page it is on
    sentences: tuple[SentenceView, ...]  # as on that page, each with its id ("s3-12")

    @property
    def sentence_id(self) -> str:
        """The first sentence's id: where a link to this entry lands."""
        return self.sentences[0].id

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.sentences)


def outline_of(pages: Iterable[PageView]) -> list[OutlineEntry]:
    """The outline of a report from its page views, in reading order."""
    blocks = [  # (page n, block view), each block once: not the part carried over
        (page.n, view)
        for page in pages
        for index, view in enumerate(page.blocks)
        if view.sentences and not (index == 0 and page.page.continued)
    ]
    entries = []
    for at, (n, view) in enumerate(blocks):
        if view.type == HEADING:
            sentences = view.sentences
        elif view.type == ITEM or (view.type == PARAGRAPH and _leads(blocks, at)):
            sentences = (_lead(view.sentences[0]),)
        else:
            continue
        entries.append(OutlineEntry(view.type, view.level, n, sentences))
    return entries


def _lead(sentence: SentenceView) -> SentenceView:
    """The sentence, or its first clause that says enough when it is long (see the module)."""
    if len(sentence.text) <= LEAD_MAX_CHARS:
        return sentence
    for end in CLAUSE_END.finditer(sentence.text):
        head = sentence.text[: end.start()]
        if end.start() > LEAD_MAX_CHARS:
            break
        balanced = all(head.count(open_) == head.count(close) for open_, close in PAIRED_MARKS)
        if balanced and len(HAN.findall(head)) >= LEAD_MIN_HAN:
            return replace(sentence, text=head + GOES_ON)
    return sentence


def _leads(blocks: list, at: int) -> bool:
    """Whether the paragraph at `at` leads: it opens the report or follows a heading, or
    it introduces a list (the next block is an item)."""
    before = blocks[at - 1][1].type if at > 0 else HEADING
    after = blocks[at + 1][1].type if at + 1 < len(blocks) else None
    return before == HEADING or after == ITEM


def outline_sentences(entries: Iterable[OutlineEntry]) -> list[SentenceView]:
    """Every sentence of the outline in reading order: what 朗读要点 says."""
    return [sentence for entry in entries for sentence in entry.sentences]


def outline_chars(entries: Iterable[OutlineEntry]) -> int:
    return sum(len(entry.text) for entry in entries)


def listening_minutes(chars: int) -> int:
    """About how many whole minutes (at least 1) `chars` characters take to hear at the
    normal rate."""
    return max(1, round(chars / SPOKEN_CHARS_PER_MINUTE))
