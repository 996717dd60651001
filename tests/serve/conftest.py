"""Fixtures for the serve tests: a run a test can watch step by step (tests/serve/live_stack.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from live_stack import LiveStack


@pytest.fixture
def live(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveStack]:
    stack = LiveStack(tmp_path, monkeypatch)
    try:
        yield stack
    finally:
        stack.close()
