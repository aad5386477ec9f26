"""How many requests of one server process may be making new audio at once.

A request that makes audio holds its server thread for as long as the voice takes (a whole
page: tens of seconds). Left unbounded, a burst of read-aloud takes every thread and a
reader asking for a page waits behind it. `SpeechPool` is the bound: a request that
would make audio takes a place (`enter`), and past `capacity` is refused at once - the
view answers 503 with Retry-After and the player waits, tries again, then lets the
browser speak - so at least the server's other threads are always free for pages. Audio
already made takes no place: it is a file sent like any other.
"""

from __future__ import annotations

import threading

DEFAULT_SPEECH_REQUESTS = 4  # of waitress's 8 threads (or a gunicorn worker's), half for speech


class SpeechPool:
    """A count of places, taken and given back; safe across threads."""

    def __init__(self, capacity: int = DEFAULT_SPEECH_REQUESTS) -> None:
        if capacity < 1:
            raise ValueError("the speech pool needs at least one place")
        self.capacity = capacity
        self.in_use = 0
        self.refused = 0  # requests turned away because every place was taken
        self._lock = threading.Lock()

    def enter(self) -> bool:
        """Take a place; False (and counted as refused) when all are taken."""
        with self._lock:
            if self.in_use >= self.capacity:
                self.refused += 1
                return False
            self.in_use += 1
            return True

    def leave(self) -> None:
        with self._lock:
            self.in_use -= 1

    def health(self) -> dict:
        """{"capacity", "in_use", "refused"} for /healthz."""
        with self._lock:
            return {"capacity": self.capacity, "in_use": self.in_use, "refused": self.refused}
