"""Not starting a voice engine again and again when it cannot start.

Without a voice engine (no espeak-ng data, no library) every request would start a
worker, wait for it to fail and log its failure. `StartBackoff` remembers a failed start
so that for a while requests are refused at once, the wait doubling with each failure in
a row up to a ceiling, and one start is tried again when it is over.
"""

from __future__ import annotations

import threading
import time

from reader.speech.errors import NoVoice


class StartBackoff:
    """Failed starts in a row, and how long to wait before the next try. Thread-safe."""

    def __init__(self, first: float, longest: float) -> None:
        self.first = first  # seconds after the first failure
        self.longest = longest  # seconds at most, however many failures
        self.failures = 0
        self.reason = ""  # why the last start failed
        self._retry_at = 0.0  # time.monotonic()
        self._lock = threading.Lock()

    def failed(self, reason: str) -> float:
        """Note a failed start; the seconds until the next may be tried."""
        with self._lock:
            self.failures += 1
            self.reason = reason
            wait = min(self.first * 2 ** (self.failures - 1), self.longest)
            self._retry_at = time.monotonic() + wait
            return wait

    def started(self) -> int:
        """Note a start that worked; how many failures it ends (0 when there were none)."""
        with self._lock:
            ended, self.failures, self._retry_at = self.failures, 0, 0.0
            return ended

    def retry_in(self) -> float | None:
        """Seconds until a start may be tried (0.0 now), or None when none has failed."""
        with self._lock:
            if not self.failures:
                return None
            return max(0.0, self._retry_at - time.monotonic())

    def check(self) -> None:
        """NoVoice, saying why and for how long, while a start may not be tried."""
        wait = self.retry_in()
        if wait:
            raise NoVoice(f"{self.reason}; next try in {wait:.1f} s")
