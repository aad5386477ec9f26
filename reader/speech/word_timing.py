"""Where each spoken word is in the sentence as displayed, from the engine's word timing.

The timing gives places in the spoken form, which is not the text on the page:
numbers are written out (2023 → 二零二三), marks dropped or added, Cantonese converted to
Hong Kong characters (the pronunciation layer's pinyin and Jyutping are taken back to
the spoken form's characters before the timing is stored: reader.speech.audio). So the
two texts are aligned, and nothing is assumed about how one was made from the other:
characters that are the same on both sides (after folding full-width forms and
traditional characters) anchor the alignment; a stretch that differs maps character for
character when both sides are as long (二零二三 ↔ 2023, 們 ↔ 们), and otherwise as a
whole (百分之五 ↔ 5%), so a word inside it lights the whole stretch.

Plain code: the manifest and the timing view call `display_words`.
"""

from __future__ import annotations

import difflib
import unicodedata

from reader.folding import fold


def display_words(display: str, timing: dict | None) -> list[list[int]] | None:
    """[start_ms, char_start, char_end] of each word in `display`, in the order spoken.

    `timing` is what the audio cache stored ({"text": the engine's text, "words":
    [[ms, start, length], ...] in that text}); None (no timing) gives None. A word that
    maps to nothing on the page (a pause the engine was given, say) is left out, and so
    is one that lights the same characters as the word before it.
    """
    if not timing or not timing.get("words"):
        return None
    engine = timing["text"]
    spans = _engine_to_display(display, engine)
    starts = sorted({start for _, start, _ in timing["words"]})
    words: list[list[int]] = []
    for ms, start, length in sorted(timing["words"]):
        if not 0 <= start < len(engine):
            continue
        later = [s for s in starts if s > start]
        end = _word_end(engine, start, length, later[0] if later else len(engine))
        mapped = [spans[i] for i in range(start, end) if spans[i][0] < spans[i][1]]
        if not mapped:
            continue
        first, last = _trimmed(display, min(a for a, _ in mapped), max(b for _, b in mapped))
        if first >= last or (words and words[-1][1:] == [first, last]):
            continue
        words.append([ms, first, last])
    return words


def _word_end(engine: str, start: int, length: int, next_start: int) -> int:
    """Where a word that starts at `start` ends: at the next word, or at the first mark or
    space after the characters the engine named, whichever comes first."""
    end = start + max(length, 1)
    while end < next_start and _is_wordlike(engine[end]):
        end += 1
    return min(max(end, start + 1), len(engine))


def _is_wordlike(char: str) -> bool:
    return unicodedata.category(char)[0] in "LN"


def _trimmed(display: str, first: int, last: int) -> tuple[int, int]:
    """The span without marks or spaces at either end."""
    while first < last and not _is_wordlike(display[first]):
        first += 1
    while last > first and not _is_wordlike(display[last - 1]):
        last -= 1
    return first, last


def _engine_to_display(display: str, engine: str) -> list[tuple[int, int]]:
    """For each character of `engine`, the [start, end) of `display` it stands for
    (start == end: nothing on the page)."""
    spans: list[tuple[int, int]] = [(0, 0)] * len(engine)
    matcher = difflib.SequenceMatcher(None, _folded(display), _folded(engine), autojunk=False)
    for tag, d1, d2, e1, e2 in matcher.get_opcodes():
        if tag == "equal" or (tag == "replace" and d2 - d1 == e2 - e1):
            for k in range(e2 - e1):
                spans[e1 + k] = (d1 + k, d1 + k + 1)
        else:  # replaced by a stretch of another length, or only in the engine's text
            for k in range(e1, e2):
                spans[k] = (d1, d2)
    return spans


def _folded(text: str) -> str:
    """The text as compared: 繁體 and 简体, full and half width, cases alike (reader.folding)."""
    return fold(text)
