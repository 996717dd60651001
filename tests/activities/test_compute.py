"""Scale set and resource group activities: create, scale, quiesce, delete; never what is not ours."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient

from activities.compute import scale_set_assess, scale_set_begin
from activities.operations import operation_status
from activities.resources import begin_delete_resource_group, ensure_resource_group
from orchestrators.steps import activity_input
from regionshift_emulator.harness import app_on_emulator, clear_log, example_plan, writes
from regionshift_emulator.testing import sdk_client

SUB = "00000000-0000-0000-0000-000000000000"


def finish(begun: dict[str, Any]) -> None:
    assert begun["outcome"] in ("started", "done"), begun
    if begun["handle"]:
        for _ in range(200):
            if operation_status(begun["handle"])["status"] == "Succeeded":
                return
            time.sleep(0.02)
        raise AssertionError("the operation did not succeed")


def test_resource_group_is_created_once_with_the_plans_tag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = example_plan()
    with app_on_emulator(plan, None, tmp_path, monkeypatch) as emu:
        created = ensure_resource_group(activity_input(plan, resource_group="contoso-dr"))
        assert created["status"] == "succeeded", created
        group = sdk_client(emu, ResourceManagementClient, SUB).resource_groups.get("contoso-dr")
        assert group.tags["regionshift-plan"] == "contoso-web"
        clear_log(emu)
        assert ensure_resource_group(activity_input(plan, resource_group="contoso-dr"))["status"] == "already_done"
        assert writes(emu) == []


def test_a_group_regionshift_did_not_create_is_neither_used_nor_deleted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = example_plan()
    with app_on_emulator(plan, None, tmp_path, monkeypatch) as emu:
        sdk_client(emu, ResourceManagementClient, SUB).resource_groups.create_or_update(
            "contoso-dr", {"location": "centralus", "tags": {"owner": "payments"}}
        )
        clear_log(emu)
        refused = ensure_resource_group(activity_input(plan, resource_group="contoso-dr"))
        assert refused["status"] == "failed" and "not created by regionshift" in refused["detail"]
        deleted = begin_delete_resource_group(activity_input(plan, resource_group="contoso-dr"))
        assert deleted["outcome"] == "refused" and deleted["data"]["retry"] is False
        assert writes(emu) == []


def test_a_group_holding_a_foreign_resource_is_not_deleted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = example_plan()
    web = plan.scale_sets[0]
    with app_on_emulator(plan, None, tmp_path, monkeypatch) as emu:
        ensure_resource_group(activity_input(plan, resource_group="contoso-dr"))
        finish(scale_set_begin(activity_input(plan, web, resource_group="contoso-dr")))
        # Someone else puts a production resource in regionshift's group.
        compute = sdk_client(emu, ComputeManagementClient, SUB)
        body = compute.virtual_machine_scale_sets.get("contoso-dr", "web").as_dict()
        body["tags"] = {"owner": "payments"}
        compute.virtual_machine_scale_sets.begin_create_or_update("contoso-dr", "payments", body).result()
        clear_log(emu)
        refused = begin_delete_resource_group(activity_input(plan, resource_group="contoso-dr"))
        assert refused["outcome"] == "refused" and "payments" in refused["detail"], refused
        assert writes(emu) == []


def test_create_mode_builds_the_scale_set_from_the_replicated_image(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = example_plan()
    web = plan.scale_sets[0]
    with app_on_emulator(plan, None, tmp_path, monkeypatch) as emu:
        ensure_resource_group(activity_input(plan, resource_group="contoso-dr"))
        begun = scale_set_begin(activity_input(plan, web, resource_group="contoso-dr"))
        assert begun["outcome"] == "started", begun
        finish(begun)
        state = scale_set_assess(activity_input(plan, web, resource_group="contoso-dr"))
        assert state["done"] is True and state["running"] == 4
        clear_log(emu)
        assert scale_set_begin(activity_input(plan, web, resource_group="contoso-dr"))["outcome"] == "done"
        assert writes(emu) == []


def test_scale_mode_scales_the_preprovisioned_set_up_and_back_to_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = example_plan()
    worker = plan.scale_sets[1]
    with app_on_emulator(plan, None, tmp_path, monkeypatch):
        finish(scale_set_begin(activity_input(plan, worker)))
        assert scale_set_assess(activity_input(plan, worker))["running"] == 2
        finish(scale_set_begin(activity_input(plan, worker, capacity=0)))
        down = scale_set_assess(activity_input(plan, worker, capacity=0))
        assert down["done"] is True and down["capacity"] == 0


def test_create_is_refused_with_azures_reason_when_the_secondary_is_down(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = example_plan()
    with app_on_emulator(plan, {"outage": ["centralus"]}, tmp_path, monkeypatch):
        state = scale_set_assess(activity_input(plan, plan.scale_sets[0], resource_group="contoso-dr"))
        begun = scale_set_begin(activity_input(plan, plan.scale_sets[0], resource_group="contoso-dr"))
        assert state["error"] or begun["outcome"] == "refused"
        assert begun["outcome"] == "refused" and begun["detail"]


def test_the_groups_deletion_is_started_and_verified(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = example_plan()
    with app_on_emulator(plan, None, tmp_path, monkeypatch) as emu:
        ensure_resource_group(activity_input(plan, resource_group="contoso-dr"))
        finish(begin_delete_resource_group(activity_input(plan, resource_group="contoso-dr")))
        assert begin_delete_resource_group(activity_input(plan, resource_group="contoso-dr"))["outcome"] == "done"
        assert not sdk_client(emu, ResourceManagementClient, SUB).resource_groups.check_existence("contoso-dr")
