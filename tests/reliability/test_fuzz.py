"""Property-based inputs, bounded: a small budget across plans, scenarios, alerts, HTTP bodies and
approval tokens; and the properties themselves catch what they are for."""

from __future__ import annotations

from pathlib import Path

import pytest

from reliability import fuzz


def test_a_small_budget_of_fuzzed_inputs_breaks_nothing(tmp_path: Path) -> None:
    parts = fuzz.run_fuzz(150, seed=7, workdir=tmp_path)
    assert [p.name for p in parts] == ["plans", "scenarios", "alerts", "bodies", "tokens"]
    assert all(p.tried > 0 for p in parts), [(p.name, p.tried) for p in parts]
    assert [b for p in parts for b in p.broken] == []


def test_an_http_answer_is_broken_by_a_500_a_traceback_or_no_answer() -> None:
    assert fuzz.http_problem(500, b"oops").startswith("answered 500")
    assert fuzz.http_problem(400, b"Traceback (most recent call last)").startswith("a traceback")
    assert fuzz.http_problem("ConnectionResetError", b"") == "no answer: ConnectionResetError"
    assert fuzz.http_problem(409, b'{"error": "busy"}') == ""


def test_the_plan_property_catches_an_exception_that_is_not_a_plan_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    check = fuzz.plan_property(tmp_path)
    assert check("name: [") == ""  # malformed YAML is one clear error

    def broken(text: str) -> None:
        raise TypeError("unhashable type: 'list'")

    monkeypatch.setattr(fuzz, "parse_plan", broken)
    part = fuzz.FuzzPart("plans")
    fuzz.run_property(part, fuzz.plan_texts, check, examples=3, seed=1)
    assert part.tried == 3 and len(part.broken) == 3
    assert all(b.startswith("TypeError: unhashable type") for b in part.broken)
