"""Turn a report's body paragraphs into headings, list items and paragraphs.

Government reports number their sections in a small set of styles (一、 (一) 1. …) and
lead list items with 一是/一要/第一，. A heading's level is not fixed by its style but by
the rank of its style among the styles the report actually uses, so a plan whose
top sections are (一)–(四) gets them at level 1.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from functools import lru_cache

import cn2an

from reader.report import HEADING, ITEM, PARAGRAPH, Block
from reader.sentences import split_sentences

CN_NUMERAL = "[一二三四五六七八九十百零〇]+"
DIGITS = "[0-9０-９]{1,2}"
NOT_A_DIGIT = "(?![0-9０-９])"

# Heading styles, highest rank first. Each pattern matches the label at the line start.
HEADING_STYLES = (
    ("chapter", re.compile(rf"第(?:{CN_NUMERAL}|{DIGITS})章")),
    ("section", re.compile(rf"第(?:{CN_NUMERAL}|{DIGITS})节")),
    ("article", re.compile(rf"第(?:{CN_NUMERAL}|{DIGITS})条")),
    ("cn-comma", re.compile(rf"{CN_NUMERAL}、")),
    ("cn-paren", re.compile(rf"[（(]{CN_NUMERAL}[）)]")),
    ("arabic", re.compile(rf"{DIGITS}[.、．]{NOT_A_DIGIT}")),
    ("arabic-paren", re.compile(rf"[（(]{DIGITS}[）)]")),
)
# The styles as one pattern, tried once per line: the first style (in rank order) that
# matches at the line's start wins, as it would trying each in turn.
HEADING_STYLE = re.compile(
    "|".join(f"(?P<rank{rank}>{pattern.pattern})" for rank, (_, pattern) in enumerate(HEADING_STYLES))
)
MAX_HEADING_LEVEL = 4
# A numbered line of one sentence is a heading when its text (label and a final 。 left
# out) is this short. A line of more sentences is a run-in heading when its first
# sentence ends in 。 and is this short: the heading holds that sentence alone and the
# rest of the line is a paragraph.
HEADING_MAX_CHARS = 50
HEADING_END = "。"

# List leads: 一是… 二要… and 第一，/第一, (the comma is part of the label).
ITEM_LEAD = re.compile(rf"({CN_NUMERAL})([是要])")
ORDINAL_LEAD = re.compile(rf"第{CN_NUMERAL}[，,]")

# A scrape that lost an item's numeral leaves a line starting with the bare lead word;
# these common words start ordinary sentences instead.
FALSE_STARTS_WITH_SHI = ("是否", "是的", "是非", "是由", "是在")
FALSE_STARTS_WITH_YAO = ("要求", "要是", "要么", "要不", "要点", "要素", "要闻", "要害")
LOST_NUMERAL_FALSE_STARTS = FALSE_STARTS_WITH_SHI + FALSE_STARTS_WITH_YAO
WARNING_EXCERPT_CHARS = 12

MAX_LIST_NUMBER = 99  # a lost numeral is inferred after an item numbered up to 九十八


@lru_cache(maxsize=1024)  # a report repeats the same few numerals, and cn2an is slow
def _numeral_value(numeral: str) -> int | None:
    try:
        return cn2an.cn2an(numeral, "strict")
    except ValueError:
        return None


def _heading_style(line: str) -> tuple[int, str] | None:
    """(rank, label) of the heading style the line starts with, or None."""
    match = HEADING_STYLE.match(line)
    if match is None:
        return None
    return int(match.lastgroup.removeprefix("rank")), sys.intern(match.group())


def _heading_text(text: str) -> str | None:
    """`text` as a heading (final 。 dropped) if it is short enough, else None."""
    text = text.strip()
    if text.endswith(HEADING_END):
        text = text[: -len(HEADING_END)].rstrip()
    return text if text and len(text) <= HEADING_MAX_CHARS else None


def _block(kind: str, label: str, text: str, level: int = 0, line: str = "") -> Block:
    """The block; `line` is the paragraph it came from, whose sentences are the block's
    when it is label and text whole (no second copy of a million short lines)."""
    whole = line if len(line) == len(label) + len(text) else label + text
    return Block(kind, text, level, label, split_sentences(whole))


def _excerpt(text: str) -> str:
    first = split_sentences(text)[0].strip().rstrip(HEADING_END)
    return first[:WARNING_EXCERPT_CHARS]


def _lost_numeral_label(line: str, previous: tuple[str, str] | None) -> str | None:
    """The label a line lost, when it reads as the next item of the list before it.

    `previous` is the (type, label) of the block before the line.
    """
    if previous is None or previous[0] != ITEM:
        return None
    lead = ITEM_LEAD.fullmatch(previous[1])
    if not lead or not line.startswith(lead.group(2)):
        return None
    if line.startswith(LOST_NUMERAL_FALSE_STARTS):
        return None
    number = _numeral_value(lead.group(1))
    if number is None or not 1 <= number < MAX_LIST_NUMBER:
        return None
    if len(split_sentences(line)[0].strip()) > HEADING_MAX_CHARS:
        return None
    return cn2an.an2cn(number + 1) + lead.group(2)


def structure(paragraphs: Sequence[str]) -> tuple[tuple[Block, ...], tuple[str, ...]]:
    """The blocks of a report body and warnings about its numbering.

    Each input paragraph gives one block, except a numbered line of several sentences
    whose first sentence is short: that is a run-in heading and gives a heading and a
    paragraph. A numbered line that is neither a short sentence nor a run-in heading is
    an item with its label.
    Warnings name the paragraph by its 1-based position in `paragraphs`.
    """
    # First pass: each line's blocks, headings at the rank of their style; levels come
    # later, once the styles the report uses are known. Blocks are made here, not kept
    # as tuples first: a million short lines would be a million of each.
    blocks: list[Block] = []
    heading_ranks: list[tuple[int, int]] = []  # (index in blocks, rank)
    warnings: list[str] = []
    for number, raw in enumerate(paragraphs, start=1):
        line = raw.strip()
        if not line:
            continue
        previous = blocks[-1] if blocks else None
        heading = _heading_style(line)
        if heading:
            rank, label = heading
            rest = line[len(label) :].lstrip()
            sentences = split_sentences(rest)
            short = _heading_text(rest) if len(sentences) == 1 else None
            first = sentences[0] if sentences else ""
            run_in = (
                _heading_text(first)
                if len(sentences) > 1 and first.strip().endswith(HEADING_END)
                else None
            )
            if short is not None or run_in is not None:
                heading_ranks.append((len(blocks), rank))
                blocks.append(_block(HEADING, label, short if short is not None else run_in, line=line))
                if short is None:
                    blocks.append(_block(PARAGRAPH, "", rest[len(first) :].strip(), line=line))
            else:
                blocks.append(_block(ITEM, label, rest, line=line))
        elif lead := ITEM_LEAD.match(line) or ORDINAL_LEAD.match(line):
            label = sys.intern(lead.group())
            blocks.append(_block(ITEM, label, line[lead.end() :].lstrip(), line=line))
        elif inferred := _lost_numeral_label(line, previous and (previous.type, previous.label)):
            warnings.append(
                f'paragraph {number}: enumeration numeral lost before "{_excerpt(line)}…", '
                f"read as {inferred}"
            )
            blocks.append(_block(ITEM, inferred, line[1:]))
        else:
            blocks.append(_block(PARAGRAPH, "", line, line=line))

    ranks = sorted({rank for _, rank in heading_ranks})
    for i, rank in heading_ranks:
        block = blocks[i]
        level = min(ranks.index(rank) + 1, MAX_HEADING_LEVEL)
        blocks[i] = Block(HEADING, block.text, level, block.label, block.sentences)
    return tuple(blocks), tuple(warnings)
