"""A voice worker: one pyttsx3 engine alone in its own process, and the messages it takes.

pyttsx3 speaks with espeak-ng on Linux, SAPI5 on Windows and NSSpeechSynthesizer on
macOS. Used naively it is fragile: `save_to_file` + `runAndWait` can return before the
WAV is written, and a second engine in one process can crash it. So each engine lives
alone in a worker process (started by reader.speech.synthesiser, spawn context) that
waits for the `finished-utterance` event and checks the WAV is complete before answering.

With espeak-ng the worker does not go through pyttsx3's run loop at all: that loop
polls every 10 ms and only writes a WAV once the whole utterance is made. It takes
espeak's audio from pyttsx3's own espeak binding as it is synthesised and sends each
buffer (about a second of speech, the first within a millisecond or two) up the pipe,
so the synthesiser can hand out sound long before the sentence is finished.

The conversation over the pipe: the worker says `Hello` once it is ready, or `Failed` and
ends when there is no engine to start (one line for the log rather than a traceback); then
for each `Say` it answers `Pcm` one or more times and then `End`, or `Failed` at any point,
after which it is ready for the next `Say`. `Stop` (or the pipe closing) ends it.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import platform
import queue
import signal
import sys
import tempfile
import threading
import time
import wave
from dataclasses import dataclass

from reader.speech.clauses import ClauseShaper, Word
from reader.speech.errors import SynthesisError
from reader.speech.voices import VOICES, choose_voice

ESPEAK_SAMPLE_RATE = 22050  # what pyttsx3's espeak driver assumes for every voice, as we do
NICENESS = 10  # voice workers yield the CPU to the processes serving pages


@dataclass(frozen=True)
class InstalledVoice:
    """The machine's voice for one language, as a worker found it."""

    language: str  # a Voice code: "cmn", "yue"
    id: str  # the engine's own id for it
    name: str
    engine: str  # library, engine and voice, e.g. "pyttsx3-2.99/espeak-ng-1.51/sit/cmn-latn-pinyin"


# --- to the worker ---------------------------------------------------------------------


@dataclass(frozen=True)
class Say:
    text: str
    voice_id: str  # an InstalledVoice id
    words_per_minute: int
    volume: float = 1.0  # pyttsx3's scale, 0 to 1
    clause_seconds: float = 0.25  # the pause after ，、；：
    sentence_seconds: float = 0.45  # the pause after 。！？


@dataclass(frozen=True)
class Stop:
    pass


# --- from the worker -------------------------------------------------------------------


@dataclass(frozen=True)
class Hello:
    pid: int
    voices: dict[str, InstalledVoice]  # by language, for each language the machine speaks


@dataclass(frozen=True)
class Pcm:
    """The next piece of an utterance: 16-bit PCM, and the words whose sound starts in it
    (samples from the start of the `Say`'s sound, offsets in its text), where the engine
    tells them."""

    sample_rate: int
    channels: int
    data: bytes
    words: tuple[Word, ...] = ()


@dataclass(frozen=True)
class End:
    """The utterance is complete."""


@dataclass(frozen=True)
class Failed:
    message: str


def serve(connection) -> None:
    """One pyttsx3 engine, one `Say` at a time, until told to `Stop` or orphaned.

    Stop signals are its parent's to act on: systemd and a terminal's Ctrl-C signal the
    whole process group, and a worker that died then would cut the audio being sent while
    the server finishes its responses. The parent stops it, or its pipe closes.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    # the espeak driver prints "Audio saved to …" for every file
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the worker

    import importlib.metadata

    try:
        import pyttsx3

        engine = pyttsx3.init()
    except Exception as exc:  # no speech library or engine on this machine
        connection.send(Failed(f"{exc.__class__.__name__}: {exc}"))
        return
    finished = threading.Event()
    engine.connect("finished-utterance", lambda name, completed: finished.set())
    version = (
        f"pyttsx3-{importlib.metadata.version('pyttsx3')}/{_driver_version(engine.driver_name)}"
    )
    voices = {}
    for language in VOICES:
        voice = choose_voice(engine.getProperty("voices"), language, engine.driver_name)
        if voice is not None:
            voices[language] = InstalledVoice(
                language, voice.id, voice.name, f"{version}/{voice.id}"
            )

    workdir = tempfile.mkdtemp(prefix="reader-voice-")
    path = os.path.join(workdir, "utterance.wav")
    # the first runAndWait leaves the driver idle, so that later settings apply at once
    _say_to_file(engine, finished, "。", path)
    espeak = _EspeakStream() if engine.driver_name == "espeak" else None
    connection.send(Hello(os.getpid(), voices))
    # Started at full speed (a failed start is known at once); from now on pages come
    # first: a reader waits for a page, the player can wait for a sentence.
    if hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(NICENESS)

    current_voice = None
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError):
            break
        if isinstance(request, Stop):
            break
        try:
            if request.voice_id != current_voice:  # loading a voice costs more than the rest
                engine.setProperty("voice", request.voice_id)
                current_voice = request.voice_id
            engine.setProperty("rate", request.words_per_minute)
            engine.setProperty("volume", request.volume)
            if espeak is not None:
                for buffer, words in espeak.speak(request):
                    connection.send(Pcm(ESPEAK_SAMPLE_RATE, 1, buffer, tuple(words)))
            else:
                _settle(engine)
                _say_to_file(engine, finished, request.text, path)
                with wave.open(path, "rb") as wav:
                    frames = wav.readframes(wav.getnframes())
                    connection.send(Pcm(wav.getframerate(), wav.getnchannels(), frames))
            connection.send(End())
        except Exception as exc:  # reported to the parent, which raises it there
            current_voice = None
            connection.send(Failed(f"{exc.__class__.__name__}: {exc}"))
    with contextlib.suppress(OSError):
        os.remove(path)
        os.rmdir(workdir)


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
    setting up, and wakes the caller for each buffer instead of polling. The events that
    come with each buffer (where each word starts, where each clause ends) go with it to a
    `ClauseShaper`, which sets the pauses and hands out whole clauses.
    """

    def __init__(self) -> None:
        from pyttsx3.drivers import _espeak

        self._espeak = _espeak
        self._buffers: queue.SimpleQueue[tuple | None] = queue.SimpleQueue()
        _espeak.SetSynthCallback(self._on_synth)

    def _on_synth(self, wav, samples: int, events) -> int:
        words, ends, over = [], [], False
        n = 0
        while (event := events[n]).type != self._espeak.EVENT_LIST_TERMINATED:
            # espeak counts characters from 1
            if event.type == self._espeak.EVENT_WORD:
                words.append((event.sample, event.text_position - 1, event.length))
            elif event.type == self._espeak.EVENT_END:
                ends.append((event.sample, event.text_position - 1))
            elif event.type == self._espeak.EVENT_MSG_TERMINATED:
                over = True
            n += 1
        pcm = ctypes.string_at(wav, samples * 2) if samples > 0 else b""
        if pcm or words or ends:
            self._buffers.put((pcm, words, ends))
        if over:
            self._buffers.put(None)
        return 0

    def speak(self, request: Say):
        """(16-bit mono PCM, words) of `request.text`, a clause at a time, in the current
        voice and rate with the request's pauses."""
        shaper = ClauseShaper(
            request.text, ESPEAK_SAMPLE_RATE, request.clause_seconds, request.sentence_seconds
        )
        flags = self._espeak.ENDPAUSE | self._espeak.CHARS_UTF8
        status = self._espeak.Synth(request.text.encode("utf-8"), flags=flags)
        if status != self._espeak.EE_OK:
            raise SynthesisError(f"espeak-ng refused the text (error {status})")
        while (made := self._buffers.get()) is not None:
            yield from shaper.add(*made)
        yield from shaper.finish()
        self._espeak.Synchronize()  # nothing of this utterance left in espeak's queue
