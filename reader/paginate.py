"""Cut a report's blocks into short pages, breaking at headings, paragraphs, sentences.

A page never breaks inside a sentence, and never ends with a heading unless the report
does. Pages depend only on the blocks and the budget, so URLs, bookmarks and cached
audio stay valid for as long as the text does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from reader.report import HEADING, Block, Page

DEFAULT_PAGE_CHARS = 600
# A page at least this full ends before a heading, and before a block that does not
# fit, rather than splitting that block.
BREAK_FILL = 0.5


@dataclass(slots=True)
class _Part:
    """Some consecutive sentences of a block split between pages, waiting to be placed.

    A block that goes whole is placed as itself: a page holds Blocks and _Parts, so a
    report of a million short lines makes no million objects more (nor the collector's
    passes over them).
    """

    block: Block
    sentences: list[str]
    first: bool  # holds the block's first sentence
    last: bool = True  # holds the block's last sentence
    chars: int = 0  # of the sentences, kept as they are added

    def add(self, sentence: str) -> None:
        self.sentences.append(sentence)
        self.chars += len(sentence)

    def as_block(self) -> Block:
        if self.first and self.last:
            return self.block
        joined = "".join(self.sentences)
        label = self.block.label if self.first else ""
        if label and joined.startswith(label):
            text = joined[len(label) :]
        else:
            label, text = "", joined
        return replace(self.block, label=label, text=text, sentences=tuple(self.sentences))


_Placed = Block | _Part  # what a page being filled holds


def _block_of(placed: _Placed) -> Block:
    return placed.block if type(placed) is _Part else placed


def _chars_of(placed: _Placed) -> int:
    return placed.chars if type(placed) is _Part else sum(map(len, placed.sentences))


@dataclass
class _Layout:
    """Pages being filled, the last one open.

    The open page's characters are counted as blocks, parts and sentences are placed
    (`place`, `add`, `unplace`), not summed at each look: a page of many short sentences
    would make that quadratic.
    """

    budget: int
    pages: list[list[_Placed]] = field(default_factory=lambda: [[]])
    chars: int = 0  # of the open page

    @property
    def page(self) -> list[_Placed]:
        return self.pages[-1]

    def place(self, placed: _Placed, chars: int) -> None:
        """Put a block or part of `chars` characters at the end of the open page."""
        self.page.append(placed)
        self.chars += chars

    def add(self, part: _Part, sentence: str) -> None:
        """Add a sentence to `part`, the open page's last."""
        part.add(sentence)
        self.chars += len(sentence)

    def unplace(self) -> _Placed:
        placed = self.page.pop()
        self.chars -= _chars_of(placed)
        return placed

    def full_enough(self) -> bool:
        return self.chars >= self.budget * BREAK_FILL

    def ends_with_heading(self) -> bool:
        return bool(self.page) and _block_of(self.page[-1]).type == HEADING

    def only_headings(self) -> bool:
        return all(_block_of(placed).type == HEADING for placed in self.page)

    def fits(self, chars: int) -> bool:
        return self.chars + chars <= self.budget

    def new_page(self) -> None:
        """Close the open page; headings at its end move on with what follows them."""
        kept = len(self.page)
        while kept and _block_of(self.page[kept - 1]).type == HEADING:
            kept -= 1
        if kept:
            carried = self.page[kept:]
            del self.page[kept:]
            self.pages.append(carried)
            self.chars = sum(map(_chars_of, carried))


def _keep_with_next(blocks: Sequence[Block], i: int) -> int:
    """Characters of the headings from blocks[i] on plus the first sentence after them."""
    chars = 0
    while i < len(blocks) and blocks[i].type == HEADING:
        chars += sum(map(len, blocks[i].sentences))
        i += 1
    if i < len(blocks) and blocks[i].sentences:
        chars += len(blocks[i].sentences[0])
    return chars


def _place_heading(layout: _Layout, blocks: Sequence[Block], i: int) -> None:
    """Put blocks[i] on the open page, or on a new one if it would crowd that page.

    Headings in a run stay together; the fit test counts the whole run, so a run that
    ends the report cannot overfill a page that has text on it.
    """
    starts_page = layout.full_enough() or not layout.fits(_keep_with_next(blocks, i))
    if layout.page and not layout.ends_with_heading() and starts_page:
        layout.new_page()
    layout.place(blocks[i], _chars_of(blocks[i]))


def _place_text(layout: _Layout, block: Block) -> None:
    chars = sum(map(len, block.sentences))
    if not layout.fits(chars) and layout.full_enough() and not layout.ends_with_heading():
        layout.new_page()
    if layout.fits(chars):
        layout.place(block, chars)
        return
    part = _Part(block, [], first=True)
    layout.place(part, 0)
    for sentence in block.sentences:
        if part.sentences and not layout.fits(len(sentence)):
            part.last = False
            layout.new_page()
            part = _Part(block, [], first=False)
            layout.place(part, 0)
        elif not part.sentences and not layout.fits(len(sentence)) and not layout.only_headings():
            layout.unplace()
            layout.new_page()
            layout.place(part, 0)
        layout.add(part, sentence)


def _heading_paths(pages: list[list[_Placed]]) -> list[tuple[tuple[str, ...], bool]]:
    """(heading_path, resumes_section) for each page."""
    result = []
    trail: list[Block] = []

    def enter(heading: Block) -> None:
        while trail and trail[-1].level >= heading.level:
            trail.pop()
        trail.append(heading)

    for parts in pages:
        blocks = [_block_of(placed) for placed in parts]
        resumes = bool(trail) and blocks[0].type != HEADING
        leading = 0
        while leading < len(blocks) and blocks[leading].type == HEADING:
            enter(blocks[leading])
            leading += 1
        result.append((tuple(h.display for h in trail), resumes))
        for block in blocks[leading:]:
            if block.type == HEADING:
                enter(block)
    return result


def paginate(blocks: Sequence[Block], page_chars: int = DEFAULT_PAGE_CHARS) -> tuple[Page, ...]:
    """The pages of a report: about `page_chars` characters each, counted over sentences.

    Rules, in order of preference:

    - A heading starts a new page when the page is at least half full, or when the
      heading (with any headings right after it) and the first sentence after it do not
      fit. Headings are never split, and a heading is never the last thing on a page
      unless it is the last block of the report (keep with next).
    - A block that fits goes whole. One that does not fit goes to a new page when the
      page is at least half full, else it is split between sentences to fill the page.
    - A sentence longer than a page gets a page of its own, shared only with the
      headings kept with it.

    Guarantee: a page holds more than `page_chars` characters only when it holds
    nothing but a run of headings and at most one sentence — a unit that may not be
    broken. A block split across pages appears on each page as a part with the same
    type and level; parts after the first have no label. Page.heading_path is the chain
    of headings in force once the page's leading headings are read.
    """
    if page_chars < 1:
        raise ValueError(f"page_chars must be at least 1, not {page_chars}")
    layout = _Layout(page_chars)
    for i, block in enumerate(blocks):
        if block.type == HEADING:
            _place_heading(layout, blocks, i)
        else:
            _place_text(layout, block)
    pages = [parts for parts in layout.pages if parts]
    paths = _heading_paths(pages)
    return tuple(
        Page(
            n=n,
            blocks=tuple(p.as_block() if type(p) is _Part else p for p in parts),
            heading_path=path,
            resumes_section=resumes,
            continued=type(parts[0]) is _Part and not parts[0].first,
            continues=type(parts[-1]) is _Part and not parts[-1].last,
        )
        for n, (parts, (path, resumes)) in enumerate(zip(pages, paths, strict=True), start=1)
    )
