"""One request's hold on a voice worker, and the sound of its utterance as the worker
makes it, piece after piece of its text.

A `Lease` is taken from the synthesiser's pool and talks to its worker within the
request's deadline. An `Utterance` is what `Synthesiser.speak` returns: it holds its
lease until the last piece is said or it is closed, and asks for each further piece of a
long text (reader.speech.pieces) only when the one before is over.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from reader.speech.clauses import Word
from reader.speech.errors import SynthesisError, SynthesisTimeout, WorkerCrashed
from reader.speech.worker import End, Failed, Pcm, Say

if TYPE_CHECKING:
    from reader.speech.synthesiser import _Slot, _Worker


class Lease:
    """One request's hold on a slot, from taking it from the pool to giving it back.

    It talks to the slot's worker, with the request's deadline, and replaces a worker
    that hangs or dies; `release` gives the slot back to the pool once, however often
    it is called.
    """

    def __init__(
        self, slot: _Slot, timeout: float, give_back: Callable[[_Slot, bool], None]
    ) -> None:
        self._slot: _Slot | None = slot
        self._timeout = timeout
        self._give_back = give_back
        self._deadline = 0.0

    def ready(self) -> _Worker:
        """The slot's worker, started and listening (startup failures raise here)."""
        return self._slot.ready()

    def send(self, request: Say) -> None:
        """Ask the worker for `request`; the whole utterance is due within the timeout.

        WorkerCrashed (the worker replaced) if it is gone.
        """
        self._deadline = time.monotonic() + self._timeout
        try:
            self._slot.worker.connection.send(request)
        except (EOFError, OSError):
            self._slot.replace()
            raise WorkerCrashed("the voice worker died while speaking") from None

    def receive(self) -> Pcm | End | Failed:
        """The worker's next message. SynthesisTimeout after the deadline and WorkerCrashed
        if it dies, the worker replaced either way."""
        connection = self._slot.worker.connection
        try:
            if connection.poll(max(0.0, self._deadline - time.monotonic())):
                return connection.recv()
        except (EOFError, OSError):
            self._slot.replace()
            raise WorkerCrashed("the voice worker died while speaking") from None
        self._slot.replace()
        raise SynthesisTimeout(
            f"no speech within {self._timeout:g} s; the voice worker was replaced"
        )

    @property
    def held(self) -> bool:
        return self._slot is not None

    def release(self, spoke: bool = False) -> None:
        """Give the slot back to the pool; `spoke`: a whole utterance was made."""
        slot, self._slot = self._slot, None
        if slot is not None:
            self._give_back(slot, spoke)


class Utterance:
    """16-bit PCM buffers of one utterance as its worker makes them (see Synthesiser.speak).

    `sample_rate` and `channels` describe every buffer. Iterating to the end, or
    closing, gives the worker back; closing early lets the worker finish the piece it is
    saying and asks for no more. `words` grows as it is read: where each word the engine
    told of starts, in samples of this utterance and characters of its whole text.
    """

    def __init__(
        self, lease: Lease, text: str, first: Pcm, offset: int, pending: list[tuple[int, Say]]
    ) -> None:
        self.text = text  # what the engine is given, pieces joined: words' offsets are in it
        self.sample_rate = first.sample_rate
        self.channels = first.channels
        self.words: list[Word] = []
        self._lease = lease
        self._first: Pcm | None = first
        self._pending = pending  # the pieces of a long text still to be said, with offsets
        self._offset = offset  # where the piece being said starts in the text
        self._piece_start = 0  # the sample it starts at
        self._samples = 0  # samples read so far

    def _take(self, pcm: Pcm) -> bytes:
        self.words.extend(
            Word(self._piece_start + w.sample, self._offset + w.start, w.length) for w in pcm.words
        )
        self._samples += len(pcm.data) // (2 * self.channels)
        return pcm.data

    def __iter__(self) -> Utterance:
        return self

    def __next__(self) -> bytes:
        if self._first is not None:
            first, self._first = self._first, None
            return self._take(first)
        while self._lease.held:
            try:
                reply = self._lease.receive()
                if isinstance(reply, End) and self._pending:
                    self._offset, say = self._pending.pop(0)
                    self._piece_start = self._samples
                    self._lease.send(say)
                    continue
            except SynthesisError:
                self._lease.release()
                raise
            if isinstance(reply, Pcm):
                return self._take(reply)
            if isinstance(reply, End):
                self._lease.release(spoke=True)
                raise StopIteration
            self._lease.release()
            raise SynthesisError(reply.message)
        raise StopIteration

    def close(self) -> None:
        """Let the worker finish the piece it is saying (unread buffers are dropped), ask
        for no more, and give it back."""
        self._first = None
        self._pending = []
        with contextlib.suppress(SynthesisError):
            for _ in self:
                pass

    def __enter__(self) -> Utterance:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()
