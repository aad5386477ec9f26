"""Whole-report MP3s asked for before their sentences were all spoken: made in the background.

A download must not hold a request while a voice says a whole report (a long report is
half an hour of speech), so the web app answers "being prepared" at once and hands the
report to this preparer. It has one thread, started when there is work and gone when there
is none, which makes the missing sentences one at a time through the same Synthesiser as
everything else: it holds at most one voice worker, so readers listening meanwhile keep the
rest of the pool, and a full queue makes it wait and try again rather than fail. When the
last sentence is made it assembles the file, so the next request for it is served at once.

At most `max_waiting` reports wait; more are refused (the app says the voices are busy),
and a client pays for each report it has queued from its speech limit
(reader.speech.limits), so no one client can keep the preparer for itself. Another process
sharing the audio folder may prepare the same report: the cache's locks make each
sentence once, and the first file written wins.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict

from reader.speech.audio import AudioCache
from reader.speech.errors import QueueFull, SynthesisError
from reader.speech.report_audio import ReportAudio, ReportAudioStore

DEFAULT_MAX_WAITING = 4  # reports queued at once
BUSY_PAUSE = 1.0  # seconds to wait when the voices' queue is full

logger = logging.getLogger(__name__)


class ReportPreparer:
    """Makes the missing sentence audio of whole-report MP3s, then the MP3s, one at a time."""

    def __init__(
        self, cache: AudioCache, store: ReportAudioStore, max_waiting: int = DEFAULT_MAX_WAITING
    ) -> None:
        self.cache = cache
        self.store = store
        self.max_waiting = max_waiting
        self._waiting: OrderedDict[str, ReportAudio] = OrderedDict()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def is_preparing(self, audio: ReportAudio) -> bool:
        with self._lock:
            return audio.key in self._waiting

    def prepare(self, audio: ReportAudio) -> bool:
        """Queue `audio` to be made (a no-op if it is queued already); False if too many wait."""
        with self._lock:
            if audio.key in self._waiting:
                return True
            if len(self._waiting) >= self.max_waiting:
                return False
            self._waiting[audio.key] = audio
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="report-audio-preparer", daemon=True
                )
                self._thread.start()
        return True

    def join(self, timeout: float | None = None) -> None:
        """Wait until nothing is queued (for `reader synthesise` and tests)."""
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._waiting:
                    self._thread = None
                    return
                audio = next(iter(self._waiting.values()))
            try:
                self._make(audio)
            except Exception:  # logged; asked for again, it is queued again
                logger.exception("report %s (%s, %s): audio not made", audio.slug, audio.voice, audio.rate)
            with self._lock:
                self._waiting.pop(audio.key, None)

    def _make(self, audio: ReportAudio) -> None:
        started = time.monotonic()
        missing = self.store.missing(audio, self.cache)
        for key in missing:
            while True:
                try:
                    self.cache.make(key)
                    break
                except QueueFull:
                    time.sleep(BUSY_PAUSE)
                except SynthesisError as exc:  # one sentence the voice cannot say: give up
                    raise RuntimeError(f"sentence {key}: {exc}") from exc
        stored = self.store.make(audio, self.cache)
        logger.info(
            "report %s (%s, %s): %d sentences made, %.0f s of audio, in %.1f s",
            audio.slug, audio.voice, audio.rate, len(missing), stored.seconds,
            time.monotonic() - started,
        )
