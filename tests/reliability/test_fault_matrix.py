"""The fault matrix's bounded form (reliability.faults.CI_CASES): one case of each kind of fault, on
the example plan, each ending with every invariant kept. `make reliability` runs the whole matrix."""

from __future__ import annotations

from pathlib import Path

import pytest

from regionshift_emulator.harness import example_plan
from reliability.faults import CI_CASES, MATRIX, Case, run_case

CASES = [c for c in MATRIX if c.name in CI_CASES]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.name}-{c.operation}" for c in CASES])
def test_the_case_ends_as_expected_and_keeps_every_invariant(case: Case, tmp_path: Path) -> None:
    result = run_case(case, example_plan(), tmp_path)
    assert result.violations == [], f"{case.name} ({case.injected}): claimed {result.claimed}"
    assert result.requests > 0  # the run talked to the emulator: the checks had something to read


def test_every_case_named_for_ci_exists() -> None:
    assert sorted(CI_CASES) == sorted(c.name for c in CASES)
