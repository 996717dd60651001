"""docs/safety.md names, for every line of the safety contract, the tests that pin it: each named
test must exist, so the list cannot drift from the suite (a renamed or deleted test fails here)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "safety.md"
REFERENCE = re.compile(r"(tests/[\w/]+\.py)::(\w+)")


def functions_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}


def test_every_test_the_safety_contract_names_exists() -> None:
    named = REFERENCE.findall(DOC.read_text(encoding="utf-8"))
    assert len(named) > 50
    missing = [
        f"{f}::{t}" for f, t in sorted(set(named)) if not (ROOT / f).is_file() or t not in functions_in(ROOT / f)
    ]
    assert missing == []


def test_every_case_of_issue_7_has_its_tests() -> None:
    section = (
        DOC.read_text(encoding="utf-8").split("## The nine cases of issue 7, as named tests\n")[1].split("\n## ")[0]
    )
    cases = re.split(r"\n(?=\d\. )", section.strip())
    assert [c.split(".", 1)[0] for c in cases] == [str(i) for i in range(1, 10)]
    assert all(REFERENCE.search(c) for c in cases)
