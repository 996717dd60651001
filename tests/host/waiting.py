"""Waiting for the host to reach a state, for the host tests (a bound on waiting, never a speed check)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def until(predicate: Callable[[], Any], what: str, timeout: float = 60.0) -> Any:
    """Return the predicate's first truthy value; fail naming `what` if none comes in `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")
