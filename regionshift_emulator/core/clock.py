"""The emulator clock: emulated seconds since start, running `speed` times faster than real time.

Everything time-based (long-running operations, timed outages, token buckets, service-managed
failover) reads this clock, so a benchmark can compress Azure-like latencies by raising the speed,
and a test can jump ahead with `advance` instead of sleeping.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta


class Clock:
    def __init__(self, speed: float = 1.0, epoch: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._speed = speed
        self._base_real = time.monotonic()
        self._base_emulated = 0.0
        self.epoch = epoch or datetime.now(UTC).replace(microsecond=0)

    @property
    def speed(self) -> float:
        return self._speed

    def set_speed(self, speed: float) -> None:
        """Change speed from now on; emulated time already passed stays passed."""
        with self._lock:
            self._rebase()
            self._speed = speed

    def now(self) -> float:
        """Emulated seconds since the emulator started."""
        with self._lock:
            return self._base_emulated + (time.monotonic() - self._base_real) * self._speed

    def advance(self, seconds: float) -> None:
        """Jump ahead (tests, admin): as if `seconds` of emulated time had passed."""
        with self._lock:
            self._rebase()
            self._base_emulated += seconds

    def utcnow(self) -> datetime:
        return self.epoch + timedelta(seconds=self.now())

    def iso(self, at: float | None = None) -> str:
        """ISO 8601 UTC time of emulated second `at` (default now), as ARM writes timestamps."""
        moment = self.epoch + timedelta(seconds=self.now() if at is None else at)
        return moment.isoformat().replace("+00:00", "Z")

    def _rebase(self) -> None:
        real = time.monotonic()
        self._base_emulated += (real - self._base_real) * self._speed
        self._base_real = real
