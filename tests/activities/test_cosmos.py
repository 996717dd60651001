"""Cosmos DB activities: regions read where clients read them; a write-region move started once."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from azure.mgmt.cosmosdb import CosmosDBManagementClient

from activities.cosmos import cosmos_assess, cosmos_begin_failover
from activities.operations import operation_status
from orchestrators.steps import activity_input
from regionshift.plan import Plan
from regionshift_emulator.harness import app_on_emulator, clear_log, example_plan, writes
from regionshift_emulator.server import Emulator
from regionshift_emulator.testing import sdk_client

SUB = "00000000-0000-0000-0000-000000000000"


def assess(plan: Plan, direction: str = "to_secondary") -> dict[str, Any]:
    return cosmos_assess(activity_input(plan, plan.cosmos_accounts[0], direction=direction))  # type: ignore[arg-type]


def begin(plan: Plan, *, forced: bool = False) -> dict[str, Any]:
    return cosmos_begin_failover({**activity_input(plan, plan.cosmos_accounts[0]), "forced": forced})


def write_region(emu: Emulator) -> str:
    account = sdk_client(emu, CosmosDBManagementClient, SUB).database_accounts.get("rg-dr-cus", "cosmos-orders")
    return str(account.write_locations[0].location_name)


def succeeded(handle: dict[str, Any]) -> bool:
    for _ in range(200):
        status = operation_status(handle)["status"]
        if status != "InProgress":
            return status == "Succeeded"
        time.sleep(0.02)
    return False


def test_both_regions_answer_at_their_own_endpoints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = example_plan()
    with app_on_emulator(plan, None, tmp_path, monkeypatch) as emu:
        found = assess(plan)
        assert (found["source"]["answered"], found["source"]["role"]) == (True, "write")
        assert (found["target"]["answered"], found["target"]["role"]) == (True, "read")
        assert writes(emu) == []


@pytest.mark.parametrize(("down", "side"), [("eastus2", "source"), ("centralus", "target")])
def test_a_region_in_outage_does_not_answer_and_the_other_still_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, down: str, side: str
) -> None:
    plan = example_plan()
    with app_on_emulator(plan, {"outage": [down]}, tmp_path, monkeypatch):
        found = assess(plan)
        other = "target" if side == "source" else "source"
        assert found[side]["answered"] is False
        assert found[other]["answered"] is True


def test_a_planned_move_is_a_priority_change_started_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = example_plan()
    with app_on_emulator(plan, None, tmp_path, monkeypatch) as emu:
        begun = begin(plan)
        assert begun["outcome"] == "started", begun
        assert succeeded(begun["handle"])
        assert write_region(emu) == "Central US"
        assert [w["path"].rsplit("/", 1)[-1] for w in writes(emu)] == ["failoverPriorityChange"]
        clear_log(emu)
        assert begin(plan)["outcome"] == "done"
        assert writes(emu) == []


def test_a_forced_move_takes_the_failed_region_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = example_plan(data_loss="allow")
    with app_on_emulator(plan, {"outage": ["eastus2"]}, tmp_path, monkeypatch) as emu:
        begun = begin(plan, forced=True)
        assert begun["outcome"] == "started", begun
        assert succeeded(begun["handle"])
        assert write_region(emu) == "Central US"
        assert [w["path"].rsplit("/", 1)[-1] for w in writes(emu)] == ["offlineRegion"]
        assert assess(plan)["done"] is True
