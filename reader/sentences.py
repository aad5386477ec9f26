"""Split text into sentences, the unit of speech and of highlighting.

The split is lossless: "".join(split_sentences(text)) == text, always.
"""

from __future__ import annotations

import re

# Marks that end a sentence. Scraped pages mix full- and half-width punctuation.
SENTENCE_MARKS = "。！？；…!?;"
# A run of three or more half-width full stops is an ellipsis, which ends a sentence;
# a single "." never does (it is a decimal point, a label "1." or an abbreviation).
DOT_ELLIPSIS_MIN = 3
# Closing quotes and brackets that stay with the sentence they close.
CLOSERS = "”’」』）)】》〉］]"
# The half-width double quote opens and closes alike: it closes when the sentence so far
# holds an odd number of them.
AMBIGUOUS_QUOTE = '"'


def _char_class(chars: str) -> str:
    return "[" + "".join(re.escape(c) for c in chars) + "]"


MARK = rf"(?:{_char_class(SENTENCE_MARKS)}|\.{{{DOT_ELLIPSIS_MIN},}})"
# Group 1: a run of sentence marks, then the marks and closers after it (the ambiguous
# quote aside, which needs counting); then the whitespace after the sentence.
SENTENCE_END = re.compile(rf"({MARK}(?:{MARK}|{_char_class(CLOSERS)})*)\s*")
# What may follow a closing ambiguous quote: more marks and closers, then whitespace.
AFTER_QUOTE = re.compile(rf"((?:{MARK}|{_char_class(CLOSERS)})*)\s*")


def split_sentences(text: str) -> tuple[str, ...]:
    """The sentences of `text`, each with its closing marks, quotes and following spaces.

    A sentence ends at a run of sentence marks ("。", "！？", "……", "..."); the closing
    quotes and brackets right after the run, and then any whitespace, belong to it too.
    Leading whitespace belongs to the first sentence. Text after the last mark is a
    sentence of its own. No sentence is empty; text of whitespace only is one sentence.
    """
    sentences: list[str] = []
    start = 0
    n = len(text)
    search = SENTENCE_END.search
    while match := search(text, start):
        end = match.end()
        closed = match.end(1)
        # A half-width quote right after the marks closes the sentence's quote when the
        # sentence so far holds an odd number of them; a second one after it cannot.
        if (
            end == closed
            and end < n
            and text[end] == AMBIGUOUS_QUOTE
            and text.count(AMBIGUOUS_QUOTE, start, end) % 2 == 1
        ):
            end = AFTER_QUOTE.match(text, end + 1).end()
        sentences.append(text[start:end])
        start = end
    if start < n:
        sentences.append(text[start:])
    return tuple(sentences)
