"""Fixtures for the host tests: the sample app and a started host on a fresh database."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import host_sample_app
import pytest
from azure.durable_functions.models.utils import http_utils

from regionshift.host import DurableHost, ScaledClock

# Timers and retry intervals in the sample app are minutes to hours; at this speed an hour of
# host time passes in about 0.1 s of real time.
SPEED = 36_000.0
T = TypeVar("T")


@pytest.fixture(scope="session")
def sample_app():
    return host_sample_app.make_app()  # get_functions() works once per app: build it once


@pytest.fixture
def host(sample_app, tmp_path: Path) -> Iterator[DurableHost]:
    host_sample_app.GATE.clear()
    with DurableHost(sample_app, tmp_path / "host.db", max_workers=8, clock=ScaledClock(SPEED)) as running:
        yield running
    host_sample_app.GATE.set()  # release any activity still blocked


@pytest.fixture(scope="module")
def run() -> Iterator[Callable[[Coroutine[Any, Any, T]], T]]:
    """One event loop for a module's scenarios, as in the Functions worker: the SDK keeps one
    aiohttp session per process, bound to the loop that first used it; it is closed with that
    loop at the end of the module, so later tests (and `regionshift serve`'s loop) get a fresh one."""
    loop = asyncio.new_event_loop()
    yield loop.run_until_complete
    # Close the SDK's session with the loop it belongs to, so later users get a fresh one.
    loop.run_until_complete(http_utils._close_session())
    loop.close()
