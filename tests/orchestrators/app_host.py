"""The app's orchestrators on the embedded host (a compressed clock), against the emulator."""

from __future__ import annotations

from pathlib import Path

from regionshift.host import DurableHost
from regionshift.host.clock import ScaledClock

# Durable timers (evidence windows, polls, approval timeouts) run this many times faster than real
# time, as `--simulate` runs them; the emulator's operations take no time unless a test says so.
SPEED = 60.0


def app_host(state_dir: Path) -> DurableHost:
    import function_app

    return DurableHost(function_app.app, state_dir / "durable.sqlite", clock=ScaledClock(SPEED))
