"""What a report is once read: its facts, its blocks of text and its pages.

Plain frozen dataclasses shared by every stage of the pipeline; nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

HEADING = "heading"
ITEM = "item"
PARAGRAPH = "paragraph"


class ReportError(Exception):
    """A file that is not a readable report. The message is one line naming the file."""


@dataclass(frozen=True, slots=True)  # slots: a million short lines are a million Blocks
class Block:
    """A heading, a list item (一是…, 第一，…) or a paragraph of a report.

    `sentences` split the visible text, label included, so that what is shown and
    what is spoken are the same characters: "".join(sentences) == label + text.
    """

    type: str
    text: str
    level: int = 0
    label: str = ""
    sentences: tuple[str, ...] = ()

    @property
    def display(self) -> str:
        return self.label + self.text

    @property
    def chars(self) -> int:
        return len(self.display)

    def as_json(self) -> dict:
        if self.type == HEADING:
            return {"type": HEADING, "level": self.level, "label": self.label, "text": self.text}
        if self.type == ITEM:
            return {"type": ITEM, "label": self.label, "text": self.text}
        return {"type": PARAGRAPH, "text": self.text}


@dataclass(frozen=True, slots=True)
class Page:
    """One short page of a report.

    `blocks` are whole blocks or, where a long paragraph is split between pages, a
    part of one holding some of its sentences (`continues` on the part before the cut,
    `continued` on the part after it). `heading_path` is the chain of headings in force
    where the page starts; `resumes_section` is true when the page starts inside a
    section rather than with its heading (shown as "› 续").
    """

    n: int
    blocks: tuple[Block, ...]
    heading_path: tuple[str, ...] = ()
    resumes_section: bool = False
    continued: bool = False  # the first block began on the previous page
    continues: bool = False  # the last block goes on on the next page

    @property
    def sentences(self) -> tuple[str, ...]:
        """The page's sentences in reading order: the units of speech and highlighting."""
        return tuple(s for block in self.blocks for s in block.sentences)

    @property
    def chars(self) -> int:
        return sum(map(len, self.sentences))

    def begins_heading(self, index: int) -> bool:
        """Whether block `index` is a heading that starts on this page, not the rest of one
        carried over: the headings of the 目录 and the chapters of a report's audio."""
        return self.blocks[index].type == HEADING and not (index == 0 and self.continued)

    def as_json(self) -> dict:
        return {"n": self.n, "heading_path": list(self.heading_path), "chars": self.chars}


@dataclass(frozen=True)
class Report:
    """A report as the reader serves it.

    Read from its file, a report holds its blocks and pages. Listed from the library, it
    holds its facts and counts only (`blocks` and `pages` empty); the library gives its
    pages one by one.
    """

    slug: str
    title: str
    date: str | None  # ISO YYYY-MM-DD, the page's publish date
    source: str
    district: str
    city: str
    kind: str
    page_count: int
    chars: int
    blocks: tuple[Block, ...] = ()
    pages: tuple[Page, ...] = ()
    warnings: tuple[str, ...] = ()
    title_from: str = "file"  # "file", "meta" (sidecar .meta.toml), "text" or "name" (file name)
    origin: str = ""  # the published page's URL, when known

    @property
    def origin_url(self) -> str:
        """The published page's address, when it is one a browser may open."""
        return self.origin if self.origin.startswith(("https://", "http://")) else ""

    @classmethod
    def of_blocks(cls, blocks: tuple[Block, ...], pages: tuple[Page, ...], **facts) -> Report:
        """A report read from its file, its counts taken from its blocks and pages."""
        chars = sum(block.chars for block in blocks)
        return cls(blocks=blocks, pages=pages, page_count=len(pages), chars=chars, **facts)

    def as_json(self) -> dict:
        return {
            "title": self.title,
            "date": self.date,
            "source": self.source,
            "district": self.district,
            "city": self.city,
            "kind": self.kind,
            "blocks": [b.as_json() for b in self.blocks],
            "pages": [p.as_json() for p in self.pages],
            "warnings": list(self.warnings),
        }
