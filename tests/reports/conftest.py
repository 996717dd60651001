"""Fixtures for the report tests: a realistic failover report, and Azurite for the upload tests.

Azurite is installed by the session itself (npm, into `.cache/azurite`) and stopped at the end;
only a missing npm or node skips the upload tests.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from report_azurite import Azurite, run_azurite
from report_samples import failover_report

from regionshift.contracts import RunReport


@pytest.fixture
def report() -> RunReport:
    return failover_report()


@pytest.fixture(scope="session")
def azurite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Azurite]:
    yield from run_azurite(tmp_path_factory.mktemp("azurite"))
