"""Fixtures for the host tests: the sample app and a started host on a fresh database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import host_sample_app
import pytest

from regionshift.host import DurableHost, ScaledClock

# Timers and retry intervals in the sample app are minutes to hours; at this speed an hour of
# host time passes in about 0.1 s of real time.
SPEED = 36_000.0


@pytest.fixture(scope="session")
def sample_app():
    return host_sample_app.make_app()  # get_functions() works once per app: build it once


@pytest.fixture
def host(sample_app, tmp_path: Path) -> Iterator[DurableHost]:
    host_sample_app.GATE.clear()
    with DurableHost(sample_app, tmp_path / "host.db", max_workers=8, clock=ScaledClock(SPEED)) as running:
        yield running
    host_sample_app.GATE.set()  # release any activity still blocked
