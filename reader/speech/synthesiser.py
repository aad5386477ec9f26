"""Speech from the machine's own voices, made reliable in spite of pyttsx3.

The `Synthesiser` keeps a pool of voice workers (reader.speech.worker), each a pyttsx3
engine alone in its own process. It hands one request at a time to each worker, kills
and replaces a worker that hangs past the timeout or dies, and refuses work at once when
its queue is full. A request holds its worker through a `Lease` (reader.speech.utterance)
from the moment it is taken until the utterance is over, and gives it back exactly once.

Two things the engine cannot be trusted with are kept from it: a long text is said in
pieces (reader.speech.pieces), one after another into one utterance, each within the
timeout; and after a failed start no worker is started again until a back-off period is
over (reader.speech.backoff), the failure logged once and shown by `health()`.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import logging
import multiprocessing
import os
import queue
import threading
import wave

from reader.speech.backoff import StartBackoff
from reader.speech.errors import (
    NoVoice,
    QueueFull,
    SynthesisError,
    SynthesisTimeout,
    WorkerCrashed,
)
from reader.speech.pieces import pieces_of
from reader.speech.pronunciation import engine_text
from reader.speech.utterance import Lease, Utterance
from reader.speech.voices import DEFAULT_PAUSES, PAUSES, RATES, VOICE_BY_CODE, VOICES, pause_seconds
from reader.speech.worker import Failed, Hello, InstalledVoice, Pcm, Say, Stop, serve

log = logging.getLogger(__name__)

DEFAULT_WORKERS = 1  # voice worker processes
DEFAULT_TIMEOUT = 15.0  # seconds for one utterance, far above the ~0.1 s it takes
DEFAULT_QUEUE_SIZE = 32
STARTUP_TIMEOUT = 20.0  # seconds for a new worker to import pyttsx3 and list its voices
DEFAULT_BACKOFF = 5.0  # seconds without trying after a failed start; doubled each time
DEFAULT_MAX_BACKOFF = 300.0  # seconds: the longest wait between two tries


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
                hello: Hello | Failed = self.connection.recv()
            except (EOFError, OSError):
                raise WorkerCrashed("voice worker died while starting") from None
            if isinstance(hello, Failed):
                raise NoVoice(f"the voice engine did not start: {hello.message}")
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
        """The slot's worker, started and listening; a dead one is replaced first.

        A worker that fails to start is killed, not replaced: the next `ready` starts
        one, once the synthesiser's back-off allows it.
        """
        if not self.worker.process.is_alive():
            self.replace()
        try:
            self.worker.wait_ready(STARTUP_TIMEOUT)
        except SynthesisError:
            self.worker.kill()
            raise
        return self.worker

    def replace(self) -> None:
        self.worker.kill()
        self.worker = _Worker(self.context)


class Synthesiser:
    """Text to WAV bytes through `workers` pyttsx3 worker processes.

    Safe to share between threads. Workers start on first use (and again in a forked
    child, which must not share its parent's pipes). A request waits for a free worker
    while at most `queue_size` others wait; beyond that it fails at once with QueueFull.
    After a worker fails to start, requests fail at once with NoVoice for `backoff`
    seconds, doubled after each further failure up to `max_backoff`.
    """

    def __init__(
        self,
        workers: int = DEFAULT_WORKERS,
        timeout: float = DEFAULT_TIMEOUT,
        queue_size: int = DEFAULT_QUEUE_SIZE,
        backoff: float = DEFAULT_BACKOFF,
        max_backoff: float = DEFAULT_MAX_BACKOFF,
    ) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.workers = workers
        self.timeout = timeout
        self.queue_size = queue_size
        self.utterances = 0  # how many utterances have been synthesised
        self._backoff = StartBackoff(backoff, max_backoff)
        self._started = False  # a worker of this process has started
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
            self._started = False
        # Workers ignore SIGTERM, so multiprocessing's exit hook (registered when the first
        # worker started), which sends them SIGTERM and waits, would wait forever: exit
        # hooks run last-registered first, so this one stops them before it.
        atexit.register(self.close)

    def voices(self) -> dict[str, InstalledVoice]:
        """The voice chosen for each language this machine can speak."""
        if self._voices is None or self._owner_pid != os.getpid():
            lease = self._take()
            try:
                self._voices = self._ready(lease).voices
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

    def synthesise(self, text: str, voice: str, rate: str, pauses: str = DEFAULT_PAUSES) -> bytes:
        """WAV bytes of `text` spoken in language `voice` ("cmn"/"yue") at `rate` (a RATES name)
        with `pauses` (a PAUSES name).

        Errors as for `speak`.
        """
        with self.speak(text, voice, rate, pauses) as utterance:
            pcm = b"".join(utterance)
        out = io.BytesIO()
        with wave.open(out, "wb") as wav:
            wav.setnchannels(utterance.channels)
            wav.setsampwidth(2)
            wav.setframerate(utterance.sample_rate)
            wav.writeframes(pcm)
        return out.getvalue()

    def speak(self, text: str, voice: str, rate: str, pauses: str = DEFAULT_PAUSES) -> Utterance:
        """`text` spoken in language `voice` ("cmn"/"yue") at `rate` (a RATES name) with
        `pauses` (a PAUSES name), as an iterator of 16-bit PCM buffers that come as the
        worker makes them; once read, the utterance's `words` say where each word starts
        in its `text`. `text` is the spoken form; the engine is given `engine_text` of it,
        the same text its audio key is made from, and that is the utterance's `text`.

        Returns once the first buffer is here, so a request that fails before any sound
        (no voice, queue full, timeout) raises here. A worker that dies before any sound
        is replaced and the text tried once more; one that dies later is replaced and
        WorkerCrashed raised by the iteration. One that takes longer than the timeout
        for the utterance (for each piece of a long text: see `pieces_of`) is killed and
        replaced, and SynthesisTimeout raised. Close the utterance (or use it in a `with`)
        to give its worker back.
        """
        if rate not in RATES:
            raise ValueError(f"unknown rate {rate!r}; expected one of {', '.join(RATES)}")
        if pauses not in PAUSES:
            raise ValueError(f"unknown pauses {pauses!r}; expected one of {', '.join(PAUSES)}")
        if not text.strip():
            raise ValueError("nothing to say")
        installed = self.voice(voice)
        told = engine_text(text, voice, installed.engine)
        clause, sentence = pause_seconds(pauses, rate)
        asked = dict(
            voice_id=installed.id,
            words_per_minute=RATES[rate][voice],
            volume=VOICE_BY_CODE[voice].volume,
            clause_seconds=clause,
            sentence_seconds=sentence,
        )
        pending, offset = [], 0  # each piece with where it starts in `told`
        for piece in pieces_of(told):
            if piece.strip():
                pending.append((offset, Say(piece, **asked)))
            offset += len(piece)
        lease = self._take()
        try:
            crashes = 0
            while pending:
                self._ready(lease)
                try:
                    lease.send(pending[0][1])
                    reply = lease.receive()
                except WorkerCrashed:
                    crashes += 1
                    if crashes == 2:
                        raise WorkerCrashed("the voice worker died twice on this text") from None
                    continue
                offset = pending.pop(0)[0]
                if isinstance(reply, Pcm):
                    return Utterance(lease, told, reply, offset, pending)
                if isinstance(reply, Failed):
                    raise SynthesisError(reply.message)
                # End before any sound: that piece had nothing to say
            raise SynthesisError("no speech came")
        except BaseException:
            lease.release()
            raise

    def health(self) -> dict:
        """How speech is doing, for a health check; never starts a worker.

        {"state": "ok" | "degraded" | "not started", "detail": a sentence for a person,
        "workers", "utterances", "failed_starts" (in a row), "retry_in" (seconds until
        the next start is tried, or None)}.
        """
        retry_in = self._backoff.retry_in()
        facts = {
            "workers": self.workers,
            "utterances": self.utterances,
            "failed_starts": self._backoff.failures,
            "retry_in": retry_in,
        }
        if self._closed:
            state, detail = "degraded", "the synthesiser is closed"
        elif retry_in is not None:
            state = "degraded"
            detail = f"{self._backoff.reason}; the browser speaks; next try in {retry_in:.1f} s"
        elif not self._started or self._owner_pid != os.getpid():
            state, detail = "not started", "no voice worker yet: the first speech starts one"
        else:
            state = "ok"
            detail = f"{self.workers} voice worker(s) started, {self.utterances} utterances made"
        return {"state": state, "detail": detail, **facts}

    def _ready(self, lease: Lease) -> _Worker:
        """The lease's worker, started: a failed start begins or lengthens the back-off."""
        try:
            worker = lease.ready()
        except SynthesisError as exc:
            wait = self._backoff.failed(str(exc))
            log.warning("%s; speech from the browser, next try in %g s", exc, wait)
            raise
        self._started = True
        if self._backoff.failures and (failures := self._backoff.started()):
            log.warning("voice engine started after %d failed starts", failures)
        return worker

    def _take(self) -> Lease:
        """A lease on the next free slot, waiting while the queue has room."""
        self._start()
        self._backoff.check()
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
        lease = Lease(slot, self.timeout, self._give_back)
        try:
            self._backoff.check()  # a start failed while this request waited
        except NoVoice:
            lease.release()
            raise
        return lease

    def _give_back(self, slot: _Slot, spoke: bool) -> None:
        with self._lock:
            self._busy -= 1
            if spoke:
                self.utterances += 1
            if self._owner_pid == os.getpid() and not self._closed:
                self._idle.put(slot)

    def close(self) -> None:
        """Stop every worker. Safe to call twice."""
        atexit.unregister(self.close)
        with self._lock:
            self._closed = True
            slots, self._slots = self._slots, []
            owner = self._owner_pid == os.getpid()
        if owner:
            for slot in slots:
                slot.worker.stop()


def wav_duration(wav_bytes: bytes) -> float:
    """Seconds of audio in WAV bytes."""
    with wave.open(io.BytesIO(wav_bytes), "rb") as wav:
        return wav.getnframes() / wav.getframerate()
