"""Sentence MP3s put end to end with silence between them: the one place that joins them.

Page and outline audio (reader.speech.audio, and so the static export's), and a whole
report's MP3 (reader.speech.report_audio) are all their sentences' own cached MP3s said
one after another. MP3 frames of one format play as one stream when put end to end, so
joining decodes nothing: each sentence's bytes, then a silence encoded in the same
format. Parts come as files or as pieces still being encoded, and go out as they come, a
sentence at a time: a listener hears the first sentence while the next is being made, and
no more than one sentence is ever held.

The pause between the sentences of page audio is the reader's own sentence pause (`pauses`
at the rate, reader.speech.voices.pause_seconds), never doubled: the voice already ends a
sentence that ends in 。！？ with it (reader.speech.clauses), one that ends in ，；： with
the clause pause, and one with no mark at all (a heading) with espeak-ng's own short end
pause, measured at about a normal clause pause (0.3 s). So nothing is added after the
first kind, and the difference between the two pauses after the others.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from pathlib import Path

from reader.speech.clauses import SENTENCE_MARKS
from reader.speech.mp3 import encode_pcm, mp3_duration, mp3_format
from reader.speech.voices import pause_seconds

Part = tuple[float, Path | Iterable[bytes]]  # (seconds of silence before it, its MP3)
CLOSING = "”’\"'」』）)》〉】 \t\r\n"  # may follow a sentence's last mark


class MixedFormats(ValueError):
    """MP3s of different sample rates or channels, which do not play as one stream."""


def joined_mp3(parts: Iterable[Part]) -> Iterator[bytes]:
    """The MP3 of `parts` one after another, each after its silence (none before the
    first), as pieces as soon as each is to hand. A part's pieces may still be being
    made: they are taken one at a time, and a part is asked for only when the one before
    it is over. Raises MixedFormats for a part whose format is not the first one's."""
    first_format = None
    for n, (gap, mp3) in enumerate(parts):
        pieces = [mp3.read_bytes()] if isinstance(mp3, Path) else mp3
        try:
            head = b""  # the part's first bytes, until a frame header is in them
            for piece in pieces:
                if head is not None:
                    head += piece
                    if (found := mp3_format(head)) is None:
                        if len(head) < 4:
                            continue  # too short to say: wait for more
                        raise MixedFormats(f"part {n + 1} of the audio is not MP3")
                    first_format = first_format or found
                    if found != first_format:
                        raise MixedFormats(f"part {n + 1} is {found}, the first {first_format}")
                    if n and gap > 0:
                        yield silence(gap, *first_format)
                    piece, head = head, None
                if piece:
                    yield piece
            if head:
                raise MixedFormats(f"part {n + 1} of the audio is not MP3")
        finally:
            if (close := getattr(pieces, "close", None)) is not None:
                close()


def timeline(parts: Iterable[tuple[float, Path]]) -> tuple[list[float], float]:
    """Where each part of `joined_mp3(parts)` starts, in seconds, and how long it all is,
    counted frame by frame (the files are read one at a time, not kept)."""
    starts, at, first_format = [], 0.0, None
    for n, (gap, path) in enumerate(parts):
        mp3 = path.read_bytes()
        found = mp3_format(mp3)
        first_format = first_format or found
        if found is None or found != first_format:
            raise MixedFormats(f"{path.name} is {found}, the first part {first_format}")
        if n and gap > 0:
            at += mp3_duration(silence(gap, *first_format))
        starts.append(at)
        at += mp3_duration(mp3)
    return starts, at


def pauses_between(spoken: list[str], pauses: str, rate: str) -> list[float]:
    """Seconds of silence before each of `spoken`'s sentences in page audio, so that the
    pause after each is the sentence pause of `pauses` at `rate` (see the module)."""
    clause, sentence = pause_seconds(pauses, rate)
    return [0.0] + [0.0 if ends_sentence(said) else sentence - clause for said in spoken[:-1]]


def ends_sentence(said: str) -> bool:
    """Whether `said` ends in 。！？ (closing quotes and brackets aside), so that the voice
    ends its audio with the sentence pause."""
    stripped = said.rstrip(CLOSING)
    return bool(stripped) and stripped[-1] in SENTENCE_MARKS


@functools.lru_cache(maxsize=16)
def silence(seconds: float, sample_rate: int, channels: int) -> bytes:
    """`seconds` of silence as MP3 in the given format."""
    return encode_pcm(bytes(2 * channels * round(seconds * sample_rate)), sample_rate, channels)
