"""Fixtures for the run lease tests: a plan context, a private lease folder, and Azurite.

Azurite is the one the report upload tests use (`tests/reports/report_azurite.py`: installed from npm
into `.cache/azurite` on first use, started on a free port, stopped at the end of the session).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Appended, not prepended: the report tests' helpers must not shadow anything else.
sys.path.append(str(Path(__file__).resolve().parent.parent / "reports"))

from report_azurite import Azurite, run_azurite

from regionshift_emulator.harness import example_plan


@pytest.fixture(scope="session")
def azurite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Azurite]:
    yield from run_azurite(tmp_path_factory.mktemp("azurite-lease"))


@pytest.fixture
def plan_context() -> dict[str, Any]:
    return example_plan().context().model_dump(mode="json")


@pytest.fixture
def lease_env(tmp_path: Path) -> dict[str, str]:
    """An environment naming only a private lease folder: the local backend."""
    return {"REGIONSHIFT_LEASE_DIR": str(tmp_path / "leases")}
