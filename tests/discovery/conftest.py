"""An emulator per test, seeded from a plan, with the app's settings pointed at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from regionshift.plan import Plan
from regionshift_emulator.harness import app_on_emulator
from regionshift_emulator.server import Emulator


@pytest.fixture
def estate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Emulator]]:
    """`estate(plan, scenario=None)`: start an emulator seeded from `plan` for this test."""
    with ExitStack() as stack:

        def start(plan: Plan, scenario: dict[str, Any] | None = None) -> Emulator:
            return stack.enter_context(app_on_emulator(plan, scenario, tmp_path, monkeypatch))

        yield start
