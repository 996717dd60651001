"""Fixtures for the Azure CLI interop tests: `az` installed once per session, logged in to an emulator.

`az_installed` installs azure-cli into its own virtual environment (reused across runs) and skips
with the reason only when pip cannot reach the package index; any other install failure fails the
tests, so a broken set-up never passes silently. `az_shared` is one emulator and one logged-in
`az` per module for tests that only read; `az_fresh` gives each test that changes state its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from azcli import AzCli, ensure_azure_cli

from regionshift.plan import Plan, load_plan
from regionshift_emulator.server import Emulator
from regionshift_emulator.tool_venv import ToolUnavailable

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_PLAN = REPO / "plans" / "example.yaml"
# Long-running operations finish at once; the emulator's own tests cover their timing.
FAST: dict[str, Any] = {"latencies": {"default": 0}}


@pytest.fixture(scope="session")
def az_installed() -> Path:
    try:
        return ensure_azure_cli()
    except ToolUnavailable as exc:
        pytest.skip(f"the Azure CLI cannot be installed (no network): {exc}")


@pytest.fixture(scope="session")
def interop_plan() -> Plan:
    return load_plan(EXAMPLE_PLAN)


def _logged_in(az: Path, plan: Plan, workdir: Path) -> Iterator[AzCli]:
    with Emulator(plan, FAST, workdir=workdir / "emulator") as emulator:
        cli = AzCli(az, workdir / "azure-config", emulator)
        cli.connect()
        yield cli


@pytest.fixture(scope="module")
def az_shared(az_installed: Path, interop_plan: Plan, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AzCli]:
    yield from _logged_in(az_installed, interop_plan, tmp_path_factory.mktemp("az-shared"))


@pytest.fixture
def az_fresh(az_installed: Path, interop_plan: Plan, tmp_path: Path) -> Iterator[AzCli]:
    yield from _logged_in(az_installed, interop_plan, tmp_path)
