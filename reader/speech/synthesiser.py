"""Speech from the machine's own voices, made reliable in spite of pyttsx3.

The `Synthesiser` keeps a pool of voice workers (reader.speech.worker), each a pyttsx3
engine alone in its own process. It hands one request at a time to each worker, kills
and replaces a worker that hangs past the timeout or dies, and refuses work at once when
its queue is full. A request holds its worker through a `_Lease` from the moment it is
taken until the utterance is over, and gives it back exactly once.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
import queue
import threading
import time
import wave
from collections.abc import Callable

from reader.speech.errors import (
    NoVoice,
    QueueFull,
    SynthesisError,
    SynthesisTimeout,
    WorkerCrashed,
)
from reader.speech.voices import RATES, VOICES
from reader.speech.worker import End, Failed, Hello, InstalledVoice, Pcm, Say, Stop, serve

DEFAULT_WORKERS = 1  # voice worker processes
DEFAULT_TIMEOUT = 15.0  # seconds for one utterance, far above the ~0.1 s it takes
DEFAULT_QUEUE_SIZE = 32
STARTUP_TIMEOUT = 20.0  # seconds for a new worker to import pyttsx3 and list its voices


class _Worker:
    """A worker process and the parent's end of its pipe."""

    def __init__(self, context) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(
            target=serve, args=(child,), name="reader-voice", daemon=True
        )
        self.process.start()
        child.close()
        self.voices: dict[str, InstalledVoice] | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def wait_ready(self, timeout: float) -> dict[str, InstalledVoice]:
        if self.voices is None:
            if not self.connection.poll(timeout):
                raise SynthesisTimeout(f"voice worker did not start within {timeout:g} s")
            try:
                hello: Hello = self.connection.recv()
            except (EOFError, OSError):
                raise WorkerCrashed("voice worker died while starting") from None
            self.voices = hello.voices
        return self.voices

    def kill(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.process.kill()
        self.process.join(5)
        self.connection.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.connection.send(Stop())
        self.process.join(2)
        if self.process.is_alive():
            self.kill()
        else:
            self.connection.close()


class _Slot:
    """A place for one worker; a worker that hangs or dies is replaced in its slot."""

    def __init__(self, context) -> None:
        self.context = context
        self.worker = _Worker(context)

    def ready(self) -> _Worker:
        """The slot's worker, started and listening; a dead one is replaced first."""
        if not self.worker.process.is_alive():
            self.replace()
        try:
            self.worker.wait_ready(STARTUP_TIMEOUT)
        except SynthesisError:
            self.replace()
            raise
        return self.worker

    def replace(self) -> None:
        self.worker.kill()
        self.worker = _Worker(self.context)


class _Lease:
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


class Synthesiser:
    """Text to WAV bytes through `workers` pyttsx3 worker processes.

    Safe to share between threads. Workers start on first use (and again in a forked
    child, which must not share its parent's pipes). A request waits for a free worker
    while at most `queue_size` others wait; beyond that it fails at once with QueueFull.
    """

    def __init__(
        self,
        workers: int = DEFAULT_WORKERS,
        timeout: float = DEFAULT_TIMEOUT,
        queue_size: int = DEFAULT_QUEUE_SIZE,
    ) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.workers = workers
        self.timeout = timeout
        self.queue_size = queue_size
        self.utterances = 0  # how many utterances have been synthesised
        self._context = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._idle: queue.Queue[_Slot] = queue.Queue()
        self._slots: list[_Slot] = []
        self._busy = 0  # requests holding or waiting for a worker
        self._owner_pid: int | None = None
        self._voices: dict[str, InstalledVoice] | None = None
        self._closed = False

    def __enter__(self) -> Synthesiser:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _start(self) -> None:
        """Start the workers if this process has none yet."""
        with self._lock:
            if self._closed:
                raise SynthesisError("the synthesiser is closed")
            if self._owner_pid == os.getpid():
                return
            self._idle = queue.Queue()
            self._slots = [_Slot(self._context) for _ in range(self.workers)]
            for slot in self._slots:
                self._idle.put(slot)
            self._owner_pid = os.getpid()
            self._busy = 0
            self._voices = None

    def voices(self) -> dict[str, InstalledVoice]:
        """The voice chosen for each language this machine can speak."""
        if self._voices is None or self._owner_pid != os.getpid():
            lease = self._take()
            try:
                self._voices = lease.ready().voices
            finally:
                lease.release()
        return self._voices

    def voice(self, language: str) -> InstalledVoice:
        """The voice for `language`, or NoVoice."""
        if language not in VOICES:
            raise NoVoice(f"unknown language {language!r}; expected one of {', '.join(VOICES)}")
        try:
            return self.voices()[language]
        except KeyError:
            raise NoVoice(f"no {language} voice is installed on this machine") from None

    def engine_version(self, language: str) -> str:
        """Library, engine and voice behind `language`, e.g. pyttsx3-2.99/espeak-ng-1.51/sit/yue."""
        return self.voice(language).engine

    def worker_pids(self) -> list[int]:
        """Process ids of the current workers (starting them if need be)."""
        self._start()
        with self._lock:
            return [slot.worker.pid for slot in self._slots]

    def synthesise(self, text: str, voice: str, rate: str) -> bytes:
        """WAV bytes of `text` spoken in language `voice` ("cmn"/"yue") at `rate` (a RATES name).

        Errors as for `speak`.
        """
        with self.speak(text, voice, rate) as utterance:
            pcm = b"".join(utterance)
        out = io.BytesIO()
        with wave.open(out, "wb") as wav:
            wav.setnchannels(utterance.channels)
            wav.setsampwidth(2)
            wav.setframerate(utterance.sample_rate)
            wav.writeframes(pcm)
        return out.getvalue()

    def speak(self, text: str, voice: str, rate: str) -> Utterance:
        """`text` spoken in language `voice` ("cmn"/"yue") at `rate` (a RATES name), as an
        iterator of 16-bit PCM buffers that come as the worker makes them.

        Returns once the first buffer is here, so a request that fails before any sound
        (no voice, queue full, timeout) raises here. A worker that dies before any sound
        is replaced and the text tried once more; one that dies later is replaced and
        WorkerCrashed raised by the iteration. One that takes longer than the timeout
        for the whole utterance is killed and replaced, and SynthesisTimeout raised.
        Close the utterance (or use it in a `with`) to give its worker back.
        """
        if rate not in RATES:
            raise ValueError(f"unknown rate {rate!r}; expected one of {', '.join(RATES)}")
        if not text.strip():
            raise ValueError("nothing to say")
        request = Say(text, self.voice(voice).id, RATES[rate])
        lease = self._take()
        try:
            for attempt in (1, 2):
                lease.ready()
                try:
                    lease.send(request)
                    reply = lease.receive()
                except WorkerCrashed:
                    if attempt == 2:
                        raise WorkerCrashed("the voice worker died twice on this text") from None
                    continue
                if isinstance(reply, Pcm):
                    return Utterance(lease, reply)
                raise SynthesisError(
                    reply.message if isinstance(reply, Failed) else "no speech came"
                )
            raise AssertionError("unreachable")
        except BaseException:
            lease.release()
            raise

    def _take(self) -> _Lease:
        """A lease on the next free slot, waiting while the queue has room."""
        self._start()
        with self._lock:
            if self._busy >= self.workers + self.queue_size:
                raise QueueFull(
                    f"speech queue full: {self.workers} speaking, {self.queue_size} waiting"
                )
            self._busy += 1
        try:
            slot = self._idle.get(timeout=(self.queue_size + 2) * (self.timeout + STARTUP_TIMEOUT))
        except queue.Empty:
            with self._lock:
                self._busy -= 1
            raise SynthesisTimeout("no voice worker became free") from None
        return _Lease(slot, self.timeout, self._give_back)

    def _give_back(self, slot: _Slot, spoke: bool) -> None:
        with self._lock:
            self._busy -= 1
            if spoke:
                self.utterances += 1
            if self._owner_pid == os.getpid() and not self._closed:
                self._idle.put(slot)

    def close(self) -> None:
        """Stop every worker. Safe to call twice."""
        with self._lock:
            self._closed = True
            slots, self._slots = self._slots, []
            owner = self._owner_pid == os.getpid()
        if owner:
            for slot in slots:
                slot.worker.stop()


class Utterance:
    """16-bit PCM buffers of one utterance as its worker makes them (see Synthesiser.speak).

    `sample_rate` and `channels` describe every buffer. Iterating to the end, or
    closing, gives the worker back; closing early lets the worker finish first.
    """

    def __init__(self, lease: _Lease, first: Pcm) -> None:
        self.sample_rate = first.sample_rate
        self.channels = first.channels
        self._lease = lease
        self._first: bytes | None = first.data

    def __iter__(self) -> Utterance:
        return self

    def __next__(self) -> bytes:
        if self._first is not None:
            first, self._first = self._first, None
            return first
        if not self._lease.held:
            raise StopIteration
        try:
            reply = self._lease.receive()
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

    def close(self) -> None:
        """Let the worker finish this utterance (unread buffers are dropped), give it back."""
        self._first = None
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


def wav_duration(wav_bytes: bytes) -> float:
    """Seconds of audio in WAV bytes."""
    with wave.open(io.BytesIO(wav_bytes), "rb") as wav:
        return wav.getnframes() / wav.getframerate()
