"""The SQL failover activity: planned while the primary answers, forced only when allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from activities.sql import sql_failover
from orchestrators.steps import activity_input
from regionshift.plan import Plan
from regionshift_emulator.harness import app_on_emulator, clear_log, example_plan, writes


def run(plan: Plan, direction: str = "to_secondary") -> dict:
    return sql_failover(activity_input(plan, plan.sql_failover_groups[0], direction=direction))  # type: ignore[arg-type]


def test_planned_failover_while_both_regions_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = example_plan(data_loss="forbid")
    with app_on_emulator(plan, None, tmp_path, monkeypatch) as emu:
        outcome = run(plan)
        assert outcome["status"] == "succeeded", outcome
        assert outcome["action"] == "planned_failover"
        assert outcome["data"]["forced"] is False
        assert [w["path"].rsplit("/", 1)[-1] for w in writes(emu)] == ["failover"]
        assert "sql-cus" in outcome["resource"]


def test_rerun_reads_state_and_makes_no_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = example_plan()
    with app_on_emulator(plan, None, tmp_path, monkeypatch) as emu:
        run(plan)
        clear_log(emu)
        again = run(plan)
        assert again["status"] == "already_done"
        assert writes(emu) == []


def test_primary_down_and_data_loss_forbidden_fails_without_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = example_plan(data_loss="forbid")
    with app_on_emulator(plan, {"outage": ["eastus2"]}, tmp_path, monkeypatch) as emu:
        outcome = run(plan)
        assert outcome["status"] == "failed"
        assert "policy.data_loss is 'forbid'" in outcome["detail"]
        assert writes(emu) == []


def test_primary_down_and_data_loss_allowed_forces_the_failover(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = example_plan(data_loss="allow")
    with app_on_emulator(plan, {"outage": ["eastus2"]}, tmp_path, monkeypatch) as emu:
        outcome = run(plan)
        assert outcome["status"] == "succeeded", outcome
        assert outcome["action"] == "forced_failover"
        assert outcome["data"]["forced"] is True
        assert outcome["data"]["rpo_seconds"] > 0
        assert [w["path"].rsplit("/", 1)[-1] for w in writes(emu)] == ["forceFailoverAllowDataLoss"]


def test_failback_is_planned_and_never_forced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = example_plan(data_loss="allow")
    with app_on_emulator(plan, None, tmp_path, monkeypatch) as emu:
        assert run(plan)["status"] == "succeeded"
        emu.set_scenario({"latencies": {"default": 0}, "outage": ["centralus"]})
        clear_log(emu)
        refused = run(plan, "to_primary")
        assert refused["status"] == "failed"
        assert "needs both sides" in refused["detail"]
        assert writes(emu) == []
        emu.set_scenario({"latencies": {"default": 0}})
        back = run(plan, "to_primary")
        assert back["status"] == "succeeded", back
        assert back["action"] == "planned_failover"


def test_without_partner_server_the_partner_is_read_from_the_primary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = example_plan().model_dump(mode="json")
    data["sql_failover_groups"][0].pop("partner_server")
    plan = Plan.model_validate(data)
    with app_on_emulator(example_plan(), None, tmp_path, monkeypatch):
        outcome = run(plan)
        assert outcome["status"] == "succeeded", outcome
        assert "sql-cus" in outcome["resource"]
