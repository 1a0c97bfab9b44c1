"""An in-process, fixed-window storage for flask-limiter (`memory://` in our config).

The `limits` library's own memory storage starts a timer thread every 10 ms while requests
arrive, to expire old keys; under ingest load that thread churn cost more CPU than the rest
of the rate limiting. This one expires keys lazily and sweeps the table in passing.
"""

import threading
import time
from typing import ClassVar

from limits.storage import Storage

SCHEME = "faultline-memory"
SWEEP_EVERY = 10_000  # increments between sweeps of expired keys (bounds memory)


class LocalStorage(Storage):
    """Counters with an expiry time, in a dict guarded by one lock."""

    STORAGE_SCHEME: ClassVar[list[str]] = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._counters: dict[str, list] = {}  # key -> [count, expires_at]
        self._lock = threading.Lock()
        self._until_sweep = SWEEP_EVERY

    @property
    def base_exceptions(self) -> type[Exception]:
        """Nothing here raises storage errors of its own."""
        return ValueError

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        """Add to a counter, starting a new window when the old one has expired."""
        now = time.time()
        with self._lock:
            self._until_sweep -= 1
            if self._until_sweep <= 0:
                self._sweep(now)
            counter = self._counters.get(key)
            if counter is None or counter[1] <= now:
                counter = self._counters[key] = [0, now + expiry]
            counter[0] += amount
            return counter[0]

    def get(self, key: str) -> int:
        """The counter's value in its current window (0 when expired)."""
        counter = self._counters.get(key)
        return counter[0] if counter is not None and counter[1] > time.time() else 0

    def get_expiry(self, key: str) -> float:
        """When the key's window ends (now, for an unknown key)."""
        counter = self._counters.get(key)
        return counter[1] if counter is not None else time.time()

    def check(self) -> bool:
        """Always healthy: it lives in this process."""
        return True

    def reset(self) -> int | None:
        """Forget every counter."""
        with self._lock:
            count = len(self._counters)
            self._counters.clear()
        return count

    def clear(self, key: str) -> None:
        """Forget one counter."""
        with self._lock:
            self._counters.pop(key, None)

    def _sweep(self, now: float) -> None:
        self._until_sweep = SWEEP_EVERY
        for key in [key for key, (_, expires) in self._counters.items() if expires <= now]:
            del self._counters[key]
