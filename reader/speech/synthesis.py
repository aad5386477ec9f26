"""Speech from the machine's own voices, made reliable in spite of pyttsx3.

pyttsx3 speaks with espeak-ng on Linux, SAPI5 on Windows and NSSpeechSynthesizer on
macOS. Used naively it is fragile: `save_to_file` + `runAndWait` can return before the
WAV is written, and a second engine in one process can crash it. So each engine lives
alone in a worker process (spawn context) that waits for the `finished-utterance`
event and checks the WAV is complete before answering. The `Synthesiser` hands one
request at a time to each worker, kills and replaces a worker that hangs past the
timeout or dies, and refuses work at once when its queue is full.

With espeak-ng the worker does not go through pyttsx3's run loop at all: that loop
polls every 10 ms and only writes a WAV once the whole utterance is made. It takes
espeak's audio from pyttsx3's own espeak binding as it is synthesised and sends each
buffer (about a second of speech, the first within a millisecond or two) up the pipe,
so `Synthesiser.speak` can hand out sound long before the sentence is finished.

Voices are chosen by language, never by a fixed id: `VOICE_PREFERENCES` lists, per
pyttsx3 driver, the ids, names or language tags to look for, best first.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import multiprocessing
import os
import platform
import queue
import sys
import tempfile
import threading
import time
import wave
from dataclasses import dataclass

VOICES = ("cmn", "yue")

# Words a minute as espeak-ng counts them; for Chinese a "word" is about one syllable, so
# these come to about 2.5, 3.3 and 4.2 characters a second (news readers speak 4 to 5).
# "slow" is for elderly listeners; SAPI5 and macOS map words a minute onto their own scales.
RATES = {"slow": 140, "normal": 175, "fast": 220}

DEFAULT_TIMEOUT = 15.0  # seconds for one utterance, far above the ~0.1 s it takes
DEFAULT_QUEUE_SIZE = 32
STARTUP_TIMEOUT = 20.0  # seconds for a new worker to import pyttsx3 and list its voices
ESPEAK_SAMPLE_RATE = 22050  # what pyttsx3's espeak driver assumes for every voice, as we do

# Per driver and language: what to look for in a voice, best first. A token matches a
# voice whose id ends with it, whose name contains it (ignoring case, spaces and
# hyphens) or whose language tag equals it (ignoring case, "_" or "-").
VOICE_PREFERENCES = {
    "espeak": {
        # plain "cmn" reads many characters as English-spelled pinyin
        "cmn": ("cmn-latn-pinyin", "cmn", "zh"),
        "yue": ("yue", "zh-yue", "yue-latn-jyutping"),
    },
    "sapi5": {
        "cmn": ("huihui", "yaoyao", "kangkang", "zh-cn"),
        "yue": ("tracy", "danny", "zh-hk"),
    },
    "nsss": {
        "cmn": ("tingting", "lili", "yushu", "zh-cn"),
        "yue": ("sinji", "zh-hk"),
    },
    "avspeech": {
        "cmn": ("tingting", "lili", "yushu", "zh-cn"),
        "yue": ("sinji", "zh-hk"),
    },
}


class SynthesisError(Exception):
    """Speech could not be made for a request."""


class NoVoice(SynthesisError):
    """The machine has no voice for the language; the browser's own speech is the fallback."""


class QueueFull(SynthesisError):
    """Every worker is busy and the queue of waiting requests is full."""


class SynthesisTimeout(SynthesisError):
    """A worker took longer than the timeout; it was killed and replaced."""


class WorkerCrashed(SynthesisError):
    """A worker died while speaking (twice in a row before any sound); it was replaced."""


@dataclass(frozen=True)
class VoiceInfo:
    """What a worker reports about one language it can speak."""

    language: str
    id: str
    name: str
    engine: str  # e.g. "pyttsx3-2.99/espeak-ng-1.51/sit/cmn-latn-pinyin"


def _squash(value: str) -> str:
    return "".join(ch for ch in value.lower() if ch not in " -_")


def choose_voice(voices, language: str, driver: str):
    """The best of pyttsx3 `voices` for `language` ("cmn" or "yue") under `driver`, or None."""
    tokens = VOICE_PREFERENCES.get(driver, VOICE_PREFERENCES["espeak"]).get(language, ())
    for token in tokens:
        for voice in voices:
            voice_id = str(voice.id).lower()
            tail = voice_id.replace("\\", "/").rsplit("/", 1)[-1]
            languages = [_squash(str(tag)) for tag in (voice.languages or [])]
            named = len(token) > 3 and _squash(token) in _squash(str(voice.name or ""))
            if tail == token or named or _squash(token) in languages:
                return voice
    return None


def _driver_version(driver: str) -> str:
    if driver == "espeak":
        from pyttsx3.drivers import _espeak

        return "espeak-ng-" + _espeak.Info(None).decode()
    if driver == "sapi5":
        return "sapi5-" + platform.version()
    return f"{driver}-{platform.mac_ver()[0] or platform.release()}"


def _wav_is_complete(path: str) -> bool:
    try:
        with wave.open(path, "rb") as wav:
            expected = wav.getnframes() * wav.getsampwidth() * wav.getnchannels()
            return expected > 0 and os.path.getsize(path) >= expected + 44
    except (OSError, EOFError, wave.Error):
        return False


def _settle(engine) -> None:
    """Return once the engine has nothing queued or playing.

    pyttsx3's espeak driver runs espeak-ng asynchronously: a property set just before
    `runAndWait` is still in espeak's queue when the driver cancels whatever is
    "playing", so the rate is lost and audio of two requests can mix. Waiting for
    espeak's queue to empty before and after each utterance keeps them apart.
    """
    if engine.driver_name == "espeak":
        from pyttsx3.drivers import _espeak

        _espeak.Synchronize()
    while engine.isBusy():
        time.sleep(0.001)


def _say_to_file(engine, finished: threading.Event, text: str, path: str) -> None:
    """Speak `text` into the WAV at `path` through pyttsx3's own run loop, and wait for it.

    The path for SAPI5 and macOS, whose pyttsx3 drivers hand out no audio until the file
    is written; espeak-ng streams instead (`_EspeakStream`) and comes here only for the
    worker's first utterance.
    """
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)
    finished.clear()
    engine.save_to_file(text, path)
    engine.runAndWait()
    # runAndWait may return before the WAV is written: the event and a whole file count
    finished.wait()
    _settle(engine)
    while not _wav_is_complete(path):
        time.sleep(0.002)


class _EspeakStream:
    """espeak-ng's audio for one utterance at a time, buffer by buffer as it is made.

    pyttsx3 started espeak-ng in its retrieval mode (audio handed to a callback on
    espeak's own thread); this takes that callback over once pyttsx3 has done its
    setting up, and wakes the caller for each buffer instead of polling.
    """

    def __init__(self) -> None:
        from pyttsx3.drivers import _espeak

        self._espeak = _espeak
        self._buffers: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        _espeak.SetSynthCallback(self._on_synth)

    def _on_synth(self, wav, samples: int, events) -> int:
        if samples > 0:
            self._buffers.put(ctypes.string_at(wav, samples * 2))
        n = 0
        while events[n].type != self._espeak.EVENT_LIST_TERMINATED:
            if events[n].type == self._espeak.EVENT_MSG_TERMINATED:
                self._buffers.put(None)
            n += 1
        return 0

    def speak(self, text: str):
        """16-bit mono PCM buffers of `text` in the current voice and rate."""
        flags = self._espeak.ENDPAUSE | self._espeak.CHARS_UTF8
        status = self._espeak.Synth(text.encode("utf-8"), flags=flags)
        if status != self._espeak.EE_OK:
            raise SynthesisError(f"espeak-ng refused the text (error {status})")
        while (buffer := self._buffers.get()) is not None:
            yield buffer
        self._espeak.Synchronize()  # nothing of this utterance left in espeak's queue


def _worker_main(connection) -> None:
    """One pyttsx3 engine, one request at a time, until told to stop or orphaned.

    For each request (text, voice id, words a minute) the worker sends
    ("pcm", sample rate, channels, bytes) one or more times, then ("end", None); or
    ("error", message) at any point, after which it is ready for the next request.
    """
    # the espeak driver prints "Audio saved to …" for every file
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the worker

    import importlib.metadata

    import pyttsx3

    engine = pyttsx3.init()
    finished = threading.Event()
    engine.connect("finished-utterance", lambda name, completed: finished.set())
    version = f"pyttsx3-{importlib.metadata.version('pyttsx3')}/{_driver_version(engine.driver_name)}"
    voices = {}
    for language in VOICES:
        voice = choose_voice(engine.getProperty("voices"), language, engine.driver_name)
        if voice is not None:
            voices[language] = VoiceInfo(language, voice.id, voice.name, f"{version}/{voice.id}")

    workdir = tempfile.mkdtemp(prefix="reader-voice-")
    path = os.path.join(workdir, "utterance.wav")
    # the first runAndWait leaves the driver idle, so that later settings apply at once
    _say_to_file(engine, finished, "。", path)
    espeak = _EspeakStream() if engine.driver_name == "espeak" else None
    connection.send(("hello", os.getpid(), voices))

    current_voice = None
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            break
        if message is None:
            break
        text, voice_id, rate = message
        try:
            if voice_id != current_voice:  # loading a voice costs more than the rest
                engine.setProperty("voice", voice_id)
                current_voice = voice_id
            engine.setProperty("rate", rate)
            if espeak is not None:
                for buffer in espeak.speak(text):
                    connection.send(("pcm", ESPEAK_SAMPLE_RATE, 1, buffer))
            else:
                _settle(engine)
                _say_to_file(engine, finished, text, path)
                with wave.open(path, "rb") as wav:
                    frames = wav.readframes(wav.getnframes())
                    connection.send(("pcm", wav.getframerate(), wav.getnchannels(), frames))
            connection.send(("end", None))
        except Exception as exc:  # reported to the parent, which raises it there
            current_voice = None
            connection.send(("error", f"{exc.__class__.__name__}: {exc}"))
    with contextlib.suppress(OSError):
        os.remove(path)
        os.rmdir(workdir)


class _Worker:
    """A worker process and the parent's end of its pipe."""

    def __init__(self, context) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(
            target=_worker_main, args=(child,), name="reader-voice", daemon=True
        )
        self.process.start()
        child.close()
        self.voices: dict[str, VoiceInfo] | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def wait_ready(self, timeout: float) -> dict[str, VoiceInfo]:
        if self.voices is None:
            if not self.connection.poll(timeout):
                raise SynthesisTimeout(f"voice worker did not start within {timeout:g} s")
            try:
                _, _, self.voices = self.connection.recv()
            except (EOFError, OSError):
                raise WorkerCrashed("voice worker died while starting") from None
        return self.voices

    def kill(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.process.kill()
        self.process.join(5)
        self.connection.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.connection.send(None)
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


class Synthesiser:
    """Text to WAV bytes through `workers` pyttsx3 worker processes.

    Safe to share between threads. Workers start on first use (and again in a forked
    child, which must not share its parent's pipes). A request waits for a free worker
    while at most `queue_size` others wait; beyond that it fails at once with QueueFull.
    """

    def __init__(
        self,
        workers: int = 1,
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
        self._voices: dict[str, VoiceInfo] | None = None
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

    def voices(self) -> dict[str, VoiceInfo]:
        """The voice chosen for each language this machine can speak."""
        if self._voices is None or self._owner_pid != os.getpid():
            slot = self._take()
            try:
                self._voices = slot.ready().voices
            finally:
                self._give_back(slot)
        return self._voices

    def voice(self, language: str) -> VoiceInfo:
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
        voice_id = self.voice(voice).id
        slot = self._take()
        try:
            for attempt in (1, 2):
                worker = slot.ready()
                deadline = time.monotonic() + self.timeout
                try:
                    worker.connection.send((text, voice_id, RATES[rate]))
                    message = self._receive(slot, worker, deadline)
                except (EOFError, OSError):
                    slot.replace()
                    if attempt == 2:
                        raise WorkerCrashed("the voice worker died twice on this text") from None
                    continue
                if message[0] != "pcm":
                    raise SynthesisError(message[1])
                _, sample_rate, channels, first = message
                return Utterance(self, slot, worker, deadline, sample_rate, channels, first)
            raise AssertionError("unreachable")
        except BaseException:
            self._give_back(slot)
            raise

    def _receive(self, slot: _Slot, worker: _Worker, deadline: float):
        """The worker's next message; SynthesisTimeout (worker replaced) after `deadline`."""
        if not worker.connection.poll(max(0.0, deadline - time.monotonic())):
            slot.replace()
            raise SynthesisTimeout(
                f"no speech within {self.timeout:g} s; the voice worker was replaced"
            )
        return worker.connection.recv()

    def _take(self) -> _Slot:
        self._start()
        with self._lock:
            if self._busy >= self.workers + self.queue_size:
                raise QueueFull(
                    f"speech queue full: {self.workers} speaking, {self.queue_size} waiting"
                )
            self._busy += 1
        try:
            return self._idle.get(timeout=(self.queue_size + 2) * (self.timeout + STARTUP_TIMEOUT))
        except queue.Empty:
            with self._lock:
                self._busy -= 1
            raise SynthesisTimeout("no voice worker became free") from None

    def _give_back(self, slot: _Slot) -> None:
        with self._lock:
            self._busy -= 1
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

    def __init__(
        self,
        synthesiser: Synthesiser,
        slot: _Slot,
        worker: _Worker,
        deadline: float,
        sample_rate: int,
        channels: int,
        first: bytes,
    ) -> None:
        self.sample_rate = sample_rate
        self.channels = channels
        self._synthesiser = synthesiser
        self._slot: _Slot | None = slot
        self._worker = worker
        self._deadline = deadline
        self._first: bytes | None = first

    def __iter__(self) -> Utterance:
        return self

    def __next__(self) -> bytes:
        if self._first is not None:
            first, self._first = self._first, None
            return first
        if self._slot is None:
            raise StopIteration
        message = self._next_message()
        if message[0] == "pcm":
            return message[3]
        self._done()
        if message[0] == "end":
            with self._synthesiser._lock:
                self._synthesiser.utterances += 1
            raise StopIteration
        raise SynthesisError(message[1])

    def _next_message(self):
        slot = self._slot
        try:
            return self._synthesiser._receive(slot, self._worker, self._deadline)
        except SynthesisTimeout:
            self._done()
            raise
        except (EOFError, OSError):
            slot.replace()
            self._done()
            raise WorkerCrashed("the voice worker died while speaking") from None

    def _done(self) -> None:
        slot, self._slot = self._slot, None
        if slot is not None:
            self._synthesiser._give_back(slot)

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
