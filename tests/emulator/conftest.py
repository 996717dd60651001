"""Fixtures for tests that talk to the emulator through the real Azure SDK clients.

The emulator's tests seed from plans/example.yaml, laid out as DR needs it: the primary SQL server in
`rg-data-eus2`, homed in the primary; every permanent secondary resource in `rg-dr-cus`, homed in
the secondary (`tests/emulator/shared_layout.yaml` is the layout DR must not use). `emulator` is
started once per test module with instant long-running operations, and its env vars are set while
the module runs; tests that change state (failovers, deletes, scenarios) use `fresh_emulator`, one
per test, whose env replaces the module's for that test. Build clients with
`regionshift_emulator.testing.sdk_client(emulator, ClientClass, SUBSCRIPTION)`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from regionshift.plan import Plan, load_plan
from regionshift_emulator.server import Emulator

EXAMPLE_PLAN = Path(__file__).resolve().parents[2] / "plans" / "example.yaml"
# Long-running operations finish at once unless a test asks otherwise.
FAST: dict[str, Any] = {"latencies": {"default": 0}}


@pytest.fixture(scope="session")
def example_plan() -> Plan:
    return load_plan(EXAMPLE_PLAN)


@pytest.fixture(scope="module")
def emulator(example_plan: Plan, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    workdir = tmp_path_factory.mktemp("emulator")
    with Emulator(example_plan, FAST, workdir=workdir) as emu, pytest.MonkeyPatch.context() as mp:
        for key, value in emu.env.items():
            mp.setenv(key, value)
        yield emu


@pytest.fixture
def fresh_emulator(example_plan: Plan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    with Emulator(example_plan, FAST, workdir=tmp_path) as emu:
        for key, value in emu.env.items():
            monkeypatch.setenv(key, value)
        yield emu
