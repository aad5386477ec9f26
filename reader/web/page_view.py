"""A page as readers see and hear it: each sentence with its id, each heading with its anchor.

Made once here, so that the page's HTML (templates/_blocks.html), its 目录 entries and its
speech manifest name every sentence and heading alike: the player finds the sentence the
manifest speaks by its id. Plain code, no Flask.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from reader.report import HEADING, Block, Page


@dataclass(frozen=True)
class SentenceView:
    id: str  # the span's id in the page and the manifest's, e.g. "s3-12"
    seq: int  # its place on the page, from 0
    text: str


@dataclass(frozen=True)
class BlockView:
    block: Block
    anchor: str  # a heading's id in the page, e.g. "h3-0"; "" for other blocks
    sentences: tuple[SentenceView, ...]

    @property
    def type(self) -> str:
        return self.block.type

    @property
    def level(self) -> int:
        return self.block.level


@dataclass(frozen=True)
class PageView:
    page: Page
    blocks: tuple[BlockView, ...]

    @property
    def n(self) -> int:
        return self.page.n

    @property
    def resumes_section(self) -> bool:
        return self.page.resumes_section

    @property
    def sentences(self) -> tuple[SentenceView, ...]:
        return tuple(s for block in self.blocks for s in block.sentences)

    def headings_begun(self) -> list[BlockView]:
        """Headings that start on this page (not the part of one carried over)."""
        return [view for index, view in enumerate(self.blocks) if self.page.begins_heading(index)]

    def path_above(self) -> tuple[str, ...]:
        """The headings above the page's text, leaving out those the page itself starts with."""
        path = list(self.page.heading_path)
        for index, view in enumerate(self.blocks):
            if view.type != HEADING or (index == 0 and self.page.continued):
                break
            if view.block.display in path:
                path.remove(view.block.display)
        return tuple(path)


@dataclass(frozen=True)
class ContentsEntry:
    level: int
    text: str
    n: int
    anchor: str


def sentence_id(n: int, seq: int) -> str:
    """A sentence's id on page `n`: the span's in the HTML, the manifest's, a link's #."""
    return f"s{n}-{seq}"


def match_id(sentence: str, k: int) -> str:
    """The id of the `k`th search match marked in a sentence: a search result's link goes
    to the first (a sentence can be taller than a phone's screen)."""
    return f"{sentence}-m{k}"


def view_of(page: Page) -> PageView:
    blocks, seq = [], 0
    for index, block in enumerate(page.blocks):
        sentences = tuple(
            SentenceView(sentence_id(page.n, seq + i), seq + i, text)
            for i, text in enumerate(block.sentences)
        )
        seq += len(sentences)
        anchor = f"h{page.n}-{index}" if block.type == HEADING else ""
        blocks.append(BlockView(block, anchor, sentences))
    return PageView(page, tuple(blocks))


def contents_of(views: Iterable[PageView]) -> list[ContentsEntry]:
    """The report's headings, each with the page it starts on, for the 目录."""
    return [
        ContentsEntry(heading.level, heading.block.display, view.n, heading.anchor)
        for view in views
        for heading in view.headings_begun()
    ]
