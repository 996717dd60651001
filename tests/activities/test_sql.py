"""SQL failover-group activities: read both sides; start a failover; poll it; nothing twice."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from activities.operations import operation_status
from activities.sql import sql_assess, sql_begin_failover
from orchestrators.steps import activity_input
from regionshift.plan import Plan
from regionshift_emulator.harness import app_on_emulator, clear_log, example_plan, writes
from regionshift_emulator.server import Emulator


def assess(plan: Plan, direction: str = "to_secondary") -> dict[str, Any]:
    return sql_assess(activity_input(plan, plan.sql_failover_groups[0], direction=direction))  # type: ignore[arg-type]


def begin(plan: Plan, *, forced: bool = False, direction: str = "to_secondary") -> dict[str, Any]:
    payload = activity_input(plan, plan.sql_failover_groups[0], direction=direction)  # type: ignore[arg-type]
    return sql_begin_failover({**payload, "forced": forced})


def wait(handle: dict[str, Any], emu: Emulator) -> dict[str, Any]:
    for _ in range(200):
        status = operation_status(handle)
        if status["status"] in ("Succeeded", "Failed", "Canceled"):
            return status
        time.sleep(0.02)
    raise AssertionError(f"operation never ended: {status}")


def test_assess_reads_both_sides_without_writing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = example_plan()
    with app_on_emulator(plan, None, tmp_path, monkeypatch) as emu:
        found = assess(plan)
        assert found["target"] == {**found["target"], "answered": True, "role": "Secondary"}
        assert found["source"] == {**found["source"], "answered": True, "role": "Primary"}
        assert found["done"] is False and found["error"] == ""
        assert writes(emu) == []


def test_planned_failover_starts_once_and_its_status_is_polled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = example_plan(data_loss="forbid")
    with app_on_emulator(plan, {"latencies": {"sql.failover": 1}}, tmp_path, monkeypatch) as emu:
        begun = begin(plan)
        assert begun["outcome"] == "started", begun
        # Started, not finished: the activity returned at once with ARM's status URL.
        assert operation_status(begun["handle"])["status"] == "InProgress"
        assert wait(begun["handle"], emu)["status"] == "Succeeded"
        assert [w["path"].rsplit("/", 1)[-1] for w in writes(emu)] == ["failover"]
        assert assess(plan)["done"] is True
        clear_log(emu)
        assert begin(plan)["outcome"] == "done"  # read first: nothing is written twice
        assert writes(emu) == []


def test_during_a_primary_outage_the_source_does_not_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = example_plan()
    with app_on_emulator(plan, {"outage": ["eastus2"]}, tmp_path, monkeypatch) as emu:
        found = assess(plan)
        assert found["source"]["answered"] is False
        assert found["target"]["answered"] is True and found["target"]["role"] == "Secondary"
        assert writes(emu) == []


def test_a_forced_failover_is_started_only_when_the_branch_asks_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = example_plan(data_loss="allow")
    with app_on_emulator(plan, {"outage": ["eastus2"]}, tmp_path, monkeypatch) as emu:
        begun = begin(plan, forced=True)
        assert begun["outcome"] == "started", begun
        assert wait(begun["handle"], emu)["status"] == "Succeeded"
        assert [w["path"].rsplit("/", 1)[-1] for w in writes(emu)] == ["forceFailoverAllowDataLoss"]
        assert assess(plan)["done"] is True


def test_a_planned_failover_while_the_primary_is_down_fails_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = example_plan(data_loss="allow")
    with app_on_emulator(plan, {"outage": ["eastus2"]}, tmp_path, monkeypatch) as emu:
        begun = begin(plan)
        if begun["outcome"] == "started":
            assert wait(begun["handle"], emu)["status"] == "Failed"
        else:
            assert begun["outcome"] == "refused"
        assert assess(plan)["done"] is False


def test_without_partner_server_the_partner_is_found_without_the_primary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = example_plan().model_dump(mode="json")
    data["sql_failover_groups"][0].pop("partner_server")
    plan = Plan.model_validate(data)
    with app_on_emulator(example_plan(), {"outage": ["eastus2"]}, tmp_path, monkeypatch):
        found = assess(plan)
        assert found["error"] == ""
        assert found["facts"]["target_server"] == "sql-cus"
        assert found["target"]["answered"] is True
