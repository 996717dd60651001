"""Golden files: every invalid plan under tests/fixtures/plans/invalid/ is refused with exactly the
lines its `.expected` file holds (one problem per line), and every `.yaml` there has one.

A new refusal is a new pair of files. After a deliberate change of wording, rewrite the `.expected`
files with what `regionshift validate` prints after the file name.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from regionshift.errors import PlanError
from regionshift.plan import load_plan

INVALID = Path(__file__).resolve().parents[1] / "fixtures" / "plans" / "invalid"
PLANS = sorted(INVALID.glob("*.yaml"))


def test_every_invalid_plan_has_its_expected_problems() -> None:
    assert PLANS, "no golden plans found"
    assert [p.stem for p in PLANS] == sorted(p.stem for p in INVALID.glob("*.expected"))


@pytest.mark.parametrize("plan", PLANS, ids=[p.stem for p in PLANS])
def test_invalid_plan_is_refused_with_its_golden_problems(plan: Path) -> None:
    with pytest.raises(PlanError) as caught:
        load_plan(plan)
    expected = plan.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
    assert caught.value.problems == expected
