"""Long text cut into pieces the voice engine can say without dying.

espeak-ng, through pyttsx3's binding, kills its process on one utterance of about 22,000
bytes of UTF-8: some 7,600 Chinese characters, sometimes fewer (measured with espeak-ng
1.51 on report text). The synthesiser therefore sends text longer than `MAX_PIECE_CHARS`
as several utterances, cut where a reader would pause anyway.
"""

from __future__ import annotations

import re

MAX_PIECE_CHARS = 500  # per utterance: a fifteenth of what crashes espeak-ng

# where a piece may end: after a clause mark, else after a space, else anywhere
_AFTER_CLAUSE = re.compile(r".*[。！？；，、!?;,]", re.DOTALL)
_AFTER_SPACE = re.compile(r".*\s", re.DOTALL)


def pieces_of(text: str, limit: int = MAX_PIECE_CHARS) -> list[str]:
    """`text` cut into pieces of at most `limit` characters, each as long as it can be while
    ending after a clause mark (。！？；，、), or failing that a space. Joined they give
    back `text`."""
    pieces = []
    while len(text) > limit:
        window = text[:limit]
        cut = _AFTER_CLAUSE.match(window) or _AFTER_SPACE.match(window)
        end = cut.end() if cut else limit
        pieces.append(text[:end])
        text = text[end:]
    return [*pieces, text] if text else pieces
