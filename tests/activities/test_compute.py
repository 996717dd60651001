"""Scale set and resource group activities: create, scale, quiesce, delete; reruns do not write."""

from __future__ import annotations

from pathlib import Path

import pytest

from activities.compute import provision_scale_set
from activities.resources import delete_resource_group, ensure_resource_group
from orchestrators.steps import activity_input
from regionshift_emulator.harness import app_on_emulator, clear_log, example_plan, writes


def test_resource_group_is_created_once_and_deleted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = example_plan()
    with app_on_emulator(plan, None, tmp_path, monkeypatch) as emu:
        created = ensure_resource_group(activity_input(plan, resource_group="contoso-dr"))
        assert created["status"] == "succeeded", created
        clear_log(emu)
        assert ensure_resource_group(activity_input(plan, resource_group="contoso-dr"))["status"] == "already_done"
        assert writes(emu) == []
        assert delete_resource_group(activity_input(plan, resource_group="contoso-dr"))["status"] == "succeeded"
        assert delete_resource_group(activity_input(plan, resource_group="contoso-dr"))["status"] == "already_done"


def test_create_mode_builds_the_scale_set_from_the_replicated_image(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = example_plan()
    web = plan.scale_sets[0]
    with app_on_emulator(plan, None, tmp_path, monkeypatch) as emu:
        ensure_resource_group(activity_input(plan, resource_group="contoso-dr"))
        outcome = provision_scale_set(activity_input(plan, web, resource_group="contoso-dr"))
        assert outcome["status"] == "succeeded", outcome
        assert outcome["action"] == "create"
        assert outcome["data"]["capacity"] == 4
        clear_log(emu)
        again = provision_scale_set(activity_input(plan, web, resource_group="contoso-dr"))
        assert again["status"] == "already_done"
        assert writes(emu) == []


def test_scale_mode_scales_the_preprovisioned_set_up_and_back_to_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = example_plan()
    worker = plan.scale_sets[1]
    with app_on_emulator(plan, None, tmp_path, monkeypatch):
        up = provision_scale_set(activity_input(plan, worker))
        assert up["status"] == "succeeded", up
        assert up["action"] == "scale"
        assert up["data"]["capacity"] == 2
        down = provision_scale_set(activity_input(plan, worker, capacity=0))
        assert down["status"] == "succeeded", down
        assert down["data"]["capacity"] == 0


def test_create_fails_with_azures_reason_when_the_secondary_is_down(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = example_plan()
    with app_on_emulator(plan, {"outage": ["centralus"]}, tmp_path, monkeypatch):
        outcome = provision_scale_set(activity_input(plan, plan.scale_sets[0], resource_group="contoso-dr"))
        assert outcome["status"] == "failed"
        assert outcome["detail"]
