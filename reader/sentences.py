"""Split text into sentences, the unit of speech and of highlighting.

The split is lossless: "".join(split_sentences(text)) == text, always.
"""

from __future__ import annotations

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


def _mark_length(text: str, i: int) -> int:
    """The length of the sentence mark starting at text[i], or 0 if there is none."""
    if text[i] in SENTENCE_MARKS:
        return 1
    if text[i] == ".":
        run = len(text) - i - len(text[i:].lstrip("."))
        return run if run >= DOT_ELLIPSIS_MIN else 0
    return 0


def _closes(text: str, start: int, i: int) -> bool:
    """Whether text[i] closes a quote or bracket of the sentence that began at `start`."""
    if text[i] == AMBIGUOUS_QUOTE:
        return text.count(AMBIGUOUS_QUOTE, start, i) % 2 == 1
    return text[i] in CLOSERS


def split_sentences(text: str) -> tuple[str, ...]:
    """The sentences of `text`, each with its closing marks, quotes and following spaces.

    A sentence ends at a run of sentence marks ("。", "！？", "……", "..."); the closing
    quotes and brackets right after the run, and then any whitespace, belong to it too.
    Leading whitespace belongs to the first sentence. Text after the last mark is a
    sentence of its own. No sentence is empty; text of whitespace only is one sentence.
    """
    sentences: list[str] = []
    start = 0
    i = 0
    n = len(text)
    while i < n:
        length = _mark_length(text, i)
        if not length:
            i += 1
            continue
        end = i + length
        while end < n:
            if more := _mark_length(text, end):
                end += more
            elif _closes(text, start, end):
                end += 1
            else:
                break
        while end < n and text[end].isspace():
            end += 1
        sentences.append(text[start:end])
        start = i = end
    if start < n:
        sentences.append(text[start:])
    return tuple(sentences)
