"""`regionshift validate` and `schema` as a user runs them: exit codes and what they print."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def regionshift(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "regionshift", *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_valid_plan_exits_0() -> None:
    result = regionshift("validate", "plans/example.yaml")
    assert result.returncode == 0, result.stderr
    assert "valid plan 'contoso-web'" in result.stdout


def test_invalid_plan_exits_2_with_one_line_per_problem_and_no_traceback() -> None:
    result = regionshift("validate", "tests/fixtures/plans/invalid/bad-resource-id.yaml")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) >= 2
    assert all(line.startswith("tests/fixtures/plans/invalid/bad-resource-id.yaml: scale_sets[0].") for line in lines)
    assert "Traceback" not in result.stderr


def test_committed_schema_matches_the_models() -> None:
    result = regionshift("schema")
    assert result.returncode == 0
    committed = json.loads((ROOT / "plan.schema.json").read_text())
    assert json.loads(result.stdout) == committed, "run `regionshift schema > plan.schema.json`"
    assert "sql_failover_groups" in committed["properties"]
