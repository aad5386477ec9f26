"""The sound of one utterance as a voice worker makes it, piece after piece of its text.

What `Synthesiser.speak` returns: it holds its worker (through the synthesiser's lease)
until the last piece is said or it is closed, and asks for each further piece of a long
text (reader.speech.pieces) only when the one before is over.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from reader.speech.errors import SynthesisError
from reader.speech.worker import End, Pcm, Say

if TYPE_CHECKING:
    from reader.speech.synthesiser import _Lease


class Utterance:
    """16-bit PCM buffers of one utterance as its worker makes them (see Synthesiser.speak).

    `sample_rate` and `channels` describe every buffer. Iterating to the end, or
    closing, gives the worker back; closing early lets the worker finish the piece it is
    saying and asks for no more.
    """

    def __init__(self, lease: _Lease, first: Pcm, pending: list[Say]) -> None:
        self.sample_rate = first.sample_rate
        self.channels = first.channels
        self._lease = lease
        self._first: bytes | None = first.data
        self._pending = pending  # the pieces of a long text still to be said

    def __iter__(self) -> Utterance:
        return self

    def __next__(self) -> bytes:
        if self._first is not None:
            first, self._first = self._first, None
            return first
        while self._lease.held:
            try:
                reply = self._lease.receive()
                if isinstance(reply, End) and self._pending:
                    self._lease.send(self._pending.pop(0))
                    continue
            except SynthesisError:
                self._lease.release()
                raise
            if isinstance(reply, Pcm):
                return reply.data
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
