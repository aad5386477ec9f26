"""The engine's sound cut at its clause ends: each pause made the length the reader chose,
peaks kept under the ceiling, and the engine's word positions carried through.

espeak-ng ends a clause at ，、；：。！？ and tells where (its END event, with the sample and
the mark's place in the text); its own pause there runs from 0.09 to 0.55 s by voice and
rate. A `ClauseShaper` hands sound on as soon as it comes, holding back only a silence at
its end, which may turn out to be a clause's pause: once the end is known, the silence at
the clause's edges is replaced by the pause for its mark. Inserting silence into the
sound, rather than asking the engine for longer breaks (SSML or its word gap), gives the
same pause in every voice and at every rate, and leaves the text the engine reads as it
was, so word positions stay positions in that text.

Plain code over 16-bit mono PCM: the voice worker runs it, the tests measure its output.
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass

CLAUSE_MARKS = frozenset("，、；：,;:")
SENTENCE_MARKS = frozenset("。！？!?")
SILENT_AMPLITUDE = 300  # |sample| under this (-40.8 dBFS) for a whole frame is silence
SILENT_FRAME_SECONDS = 0.005
# Peaks stay under -1.5 dBFS in the PCM, so that the MP3, whose decoded peaks overshoot
# the input's by a few tenths of a dB, stays under -1 dBFS. Louder samples are bent over
# a soft knee from -4.5 dBFS rather than cut flat.
CEILING = 32767 * 10 ** (-1.5 / 20)
KNEE = 32767 * 10 ** (-4.5 / 20)
BEND_STRETCH = 1024  # samples checked together for a peak over the knee


@dataclass(frozen=True)
class Word:
    """A word the engine said: where it starts in the output, and where it is in the text."""

    sample: int  # in the shaped sound, from the start of the utterance
    start: int  # character offsets in the text the engine was given
    length: int


class ClauseShaper:
    """Sound and events of one utterance in, clauses with their pauses set out.

    Feed it with `add` as the engine makes sound, then `finish`; each returns the
    (pcm, words) of the clauses that are complete. Event positions are 0-based character
    offsets in `text` and samples from the start of the engine's sound.
    """

    def __init__(self, text: str, sample_rate: int, clause_seconds: float, sentence_seconds: float):
        self._text = text
        self._frame = max(1, round(SILENT_FRAME_SECONDS * sample_rate))
        self._pause = {
            "clause": round(clause_seconds * sample_rate),
            "sentence": round(sentence_seconds * sample_rate),
        }
        self._pending = array("h")  # the engine's sound not yet handed on
        self._pending_start = 0  # its first sample's index in the engine's sound
        self._words: list[tuple[int, int, int]] = []  # (engine sample, start, length)
        self._ends: list[tuple[int, int]] = []  # (engine sample, mark offset)
        self._made = 0  # samples handed on so far
        self._after_pause = False  # the clause before ended in a pause we set

    def add(
        self, pcm: bytes, words: list[tuple[int, int, int]], ends: list[tuple[int, int]]
    ) -> list[tuple[bytes, list[Word]]]:
        """Take the next `pcm` with the events that came with it: `words` as (sample,
        start, length), clause `ends` as (sample, offset of the mark). Returns the sound
        that is settled: all of it but a silence at its end, which may yet be a pause."""
        self._pending.frombytes(pcm)
        self._words.extend(words)
        self._ends.extend(ends)
        self._ends.sort()
        made = []
        while self._ends and self._ends[0][0] <= self._pending_start + len(self._pending):
            sample, mark = self._ends.pop(0)
            made.append(self._advance(sample - self._pending_start, self._kind(mark)))
        made.append(self._advance(len(self._pending), None, hold_silence=True))
        return [piece for piece in made if piece[0] or piece[1]]

    def finish(self) -> list[tuple[bytes, list[Word]]]:
        """The rest: the end of a clause the engine did not end, said as it was."""
        piece = self._advance(len(self._pending), None)
        return [piece] if piece[0] or piece[1] else []

    def _kind(self, offset: int) -> str | None:
        """The clause end's kind from its mark; the engine may name the space beside a
        mark that stands apart ("wu3 ， qi2", as romanised text is sent)."""
        near = [offset, offset - 1, offset + 1, offset - 2, offset + 2]
        marks = [self._text[i] for i in near if 0 <= i < len(self._text)]
        mark = next((m for m in marks if m in SENTENCE_MARKS or m in CLAUSE_MARKS), "")
        if mark in SENTENCE_MARKS:
            return "sentence"
        return "clause" if mark in CLAUSE_MARKS else None

    def _advance(
        self, length: int, kind: str | None, hold_silence: bool = False
    ) -> tuple[bytes, list[Word]]:
        """Settle the first `length` pending samples: a clause end of `kind` (its silence
        replaced by the pause), or with `hold_silence` all but the silence they end in."""
        length = max(0, min(length, len(self._pending)))
        sound = self._pending[:length]
        lead = _silent_run(sound, self._frame, from_end=False) if self._after_pause else 0
        trail = _silent_run(sound, self._frame, from_end=True) if kind or hold_silence else 0
        if lead >= len(sound):  # nothing but silence after a pause: all of it goes
            lead, trail = len(sound), 0
        elif lead + trail > len(sound):
            trail = len(sound) - lead
        body = sound[lead : len(sound) - trail]
        settled = length - trail if hold_silence else length  # the held silence stays pending
        start = self._pending_start
        mine = [w for w in self._words if w[0] < start + settled and w[2] > 0]
        self._words = [w for w in self._words if w[0] >= start + settled]
        words = [
            Word(self._made + min(max(0, sample - start - lead), len(body)), offset, size)
            for sample, offset, size in mine
        ]
        self._pending = self._pending[settled:]
        self._pending_start += settled
        _bend_peaks(body)
        out = body.tobytes() + (bytes(2 * self._pause[kind]) if kind else b"")
        self._made += len(out) // 2
        if kind:
            self._after_pause = True
        elif body:
            self._after_pause = False
        return out, words


def _silent_run(sound: array, frame: int, from_end: bool) -> int:
    """How many samples at the start (or end) of `sound` are silent, in whole frames."""
    run = 0
    while run < len(sound):
        if from_end:
            part = sound[max(0, len(sound) - run - frame) : len(sound) - run]
        else:
            part = sound[run : run + frame]
        if max(part) >= SILENT_AMPLITUDE or -min(part) >= SILENT_AMPLITUDE:
            break
        run += len(part)
    return run


def _bend_peaks(sound: array) -> None:
    """Bring every sample over KNEE smoothly under CEILING, in place.

    Only the stretches with such a sample are walked in Python (a clause is otherwise
    checked at C speed by max and min): a 500-character piece takes milliseconds.
    """
    room = CEILING - KNEE
    for start in range(0, len(sound), BEND_STRETCH):
        stretch = sound[start : start + BEND_STRETCH]
        if max(stretch) <= KNEE and -min(stretch) <= KNEE:
            continue
        for i, x in enumerate(stretch, start):
            if x > KNEE or -x > KNEE:
                bent = int(KNEE + room * math.tanh((abs(x) - KNEE) / room))
                sound[i] = bent if x > 0 else -bent
