"""The host's clock: the only source of time for replay timestamps, timers and retry delays.

Orchestrators see time only through the OrchestratorStarted timestamps the host writes, and
timers fire when this clock reaches their FireAt. `SystemClock` is real time; `ScaledClock`
runs `speed` times faster than real time so tests and benchmarks can wait out long timers
(a 30-minute grace period at speed 3600 takes half a second).
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, an aware UTC datetime."""
        ...

    def wait_until(self, deadline: datetime | None, wake: threading.Event) -> None:
        """Block until this clock reaches `deadline` (forever when None) or `wake` is set."""
        ...


class SystemClock:
    """Real UTC time."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def wait_until(self, deadline: datetime | None, wake: threading.Event) -> None:
        if deadline is None:
            wake.wait()
            return
        seconds = (deadline - self.now()).total_seconds()
        if seconds > 0:
            wake.wait(seconds)


class ScaledClock:
    """Time that runs `speed` times faster than real time, starting at `start` (default: now)."""

    def __init__(self, speed: float, start: datetime | None = None) -> None:
        if speed <= 0:
            raise ValueError(f"ScaledClock speed must be positive, got {speed}")
        if start is not None and start.tzinfo is None:
            raise ValueError("ScaledClock start must be an aware datetime")
        self.speed = speed
        self._start = start or datetime.now(UTC)
        self._t0 = time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=(time.monotonic() - self._t0) * self.speed)

    def wait_until(self, deadline: datetime | None, wake: threading.Event) -> None:
        if deadline is None:
            wake.wait()
            return
        seconds = (deadline - self.now()).total_seconds() / self.speed
        if seconds > 0:
            wake.wait(seconds)
