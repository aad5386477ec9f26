"""How much new speech one client may have made: a token bucket per client address.

Making audio costs the machine real work (about a tenth of a second of a voice worker and
an MP3 encoder per sentence), so one client asking for every sentence of the library
would keep the voices from everyone else. Each request that would make new audio takes
a token from its client's bucket; the bucket holds `burst` tokens and refills at
`per_minute`. A listener reading on (连读) asks for about one sentence every three seconds
and the next one early, far below the defaults; 1,000 sentences a minute are not.

Clients are told apart by the address the server sees. Behind a reverse proxy that is the
proxy's address for everyone, so all its clients share one bucket (or none is limited if
the proxy's address is exempt) unless the proxy's forwarded address is trusted in front
of the app. Exempt addresses (the kiosk's own browser on 127.0.0.1) are never limited.

Memory stays bounded: a bucket that would be full again is forgotten (it is the same as
no bucket), and beyond `max_clients` the least recently seen client is forgotten.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable

DEFAULT_BURST = 60  # new sentences a client may have made at once
DEFAULT_PER_MINUTE = 60.0  # new sentences a minute, sustained
DEFAULT_EXEMPT: tuple[str, ...] = ()  # none: behind a local proxy every client is 127.0.0.1
MAX_CLIENTS = 10_000  # buckets kept at most


class SpeechLimit:
    """A token bucket for each client address. Thread-safe.

    `exempt`: addresses or networks ("10.0.0.0/8") never limited. `per_minute` 0 turns
    the limit off.
    """

    def __init__(
        self,
        burst: int = DEFAULT_BURST,
        per_minute: float = DEFAULT_PER_MINUTE,
        exempt: Iterable[str] = DEFAULT_EXEMPT,
        max_clients: int = MAX_CLIENTS,
        clock=time.monotonic,
    ) -> None:
        self.burst = max(1, burst)
        self.per_second = per_minute / 60
        self.exempt = [ipaddress.ip_network(entry, strict=False) for entry in exempt]
        self.max_clients = max_clients
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # tokens, when
        self._lock = threading.Lock()

    def __len__(self) -> int:
        """How many clients are remembered."""
        return len(self._buckets)

    def take(self, client: str | None) -> float:
        """Take one token from `client`'s bucket: 0.0 if there was one, else the seconds
        until there will be (and nothing is taken)."""
        if not self.per_second or self.is_exempt(client):
            return 0.0
        client = client or ""
        now = self._clock()
        with self._lock:
            self._forget_idle(now)
            tokens, then = self._buckets.pop(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - then) * self.per_second)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / self.per_second
            self._buckets[client] = (tokens - 1 if not wait else tokens, now)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
            return wait

    def is_exempt(self, client: str | None) -> bool:
        try:
            address = ipaddress.ip_address(client or "")
        except ValueError:
            return False
        if getattr(address, "ipv4_mapped", None):
            address = address.ipv4_mapped
        return any(address in network for network in self.exempt)

    def _forget_idle(self, now: float) -> None:
        """Forget the buckets that have refilled: the oldest-touched come first."""
        refill = self.burst / self.per_second
        while self._buckets:
            _tokens, then = next(iter(self._buckets.values()))
            if now - then < refill:
                return
            self._buckets.popitem(last=False)
