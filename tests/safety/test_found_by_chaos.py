"""Safety bugs the chaos suite (reliability/) found, each pinned where it was found: on the embedded
host against the emulator, checked through the emulator's request log and state."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_runs import run_app

from regionshift.names import Orchestrators
from regionshift_emulator.harness import app_on_emulator, clear_log, example_plan, writes


def test_a_failover_stops_before_any_write_when_the_secondarys_cosmos_region_does_not_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only Cosmos DB is down in the secondary. ARM still answers for the account, so its metadata
    looked ready, and the failover moved SQL and built compute before the Cosmos branch found its
    target silent: data split between the regions. The readiness check now asks the target region
    itself, so nothing is written."""
    plan = example_plan(data_loss="allow")
    outage = [{"region": "centralus", "services": ["cosmos"]}]
    with app_on_emulator(plan, {"outage": outage}, tmp_path, monkeypatch) as emu:
        report = run_app(plan, tmp_path)
        assert report.status == "failed"
        assert "stopped before any write" in report.reason and "cosmos-orders" in report.reason
        assert writes(emu) == []
        (cosmos,) = [c for c in report.readiness if c.action == "cosmos_regions"]
        assert cosmos.status == "skipped" and cosmos.data["answered"] is False


def test_a_failback_whose_quiesce_fails_brings_back_what_it_had_quiesced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One scale set's quiesce keeps hitting dropped connections, the other's goes through. The
    failback stopped there, DNS stayed on the secondary, and the quiesced scale set stayed at zero:
    DNS pointing at a secondary that does not serve (case 6). The compute now comes back, as it does
    when the data step fails."""
    plan = example_plan()
    with app_on_emulator(plan, None, tmp_path, monkeypatch) as emu:
        assert run_app(plan, tmp_path, Orchestrators.FAILOVER, instance_id="failover-1").status == "succeeded"
        clear_log(emu)
        reset = {"path": "*/virtualMachineScaleSets/worker-cus", "method": "PATCH", "reset": True}
        emu.set_scenario({"latencies": {"default": 0}, "faults": [reset]})
        report = run_app(plan, tmp_path, Orchestrators.FAILBACK)
        assert report.status == "failed"
        resources = emu.state.snapshot()["resources"].values()
        capacities = {
            r["name"]: r["sku"]["capacity"]
            for r in resources
            if r["type"].endswith("ScaleSets") and r["location"] == plan.regions.secondary
        }
        assert capacities == {"web": 4, "worker-cus": 2}
        assert [w["path"].rsplit("/", 1)[-1] for w in writes(emu, "Microsoft.Sql")] == []  # data stays
        assert {s.status for s in report.steps if s.kind == "dns"} == {"skipped"}
        restored = [s for s in report.steps if s.action.startswith("restore_")]
        assert restored and all(s.ok for s in restored), restored


def test_a_dropped_connection_on_a_scale_set_write_is_tried_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A PATCH is not retried by the SDK (it is not idempotent to it), so one dropped connection on
    the scale-up failed the compute branch and the whole failover. The branch reads the scale set
    again and tries again, as it does for a resource group's deletion."""
    plan = example_plan()
    reset = {"path": "*/virtualMachineScaleSets/worker-cus", "method": "PATCH", "reset": True, "times": 1}
    with app_on_emulator(plan, {"faults": [reset]}, tmp_path, monkeypatch) as emu:
        report = run_app(plan, tmp_path)
        assert report.status == "succeeded", report.reason
        patches = [w for w in writes(emu, "/worker-cus") if w["method"] == "PATCH"]
        assert [p.get("dropped") for p in patches] == ["reset", None]
        resources = emu.state.snapshot()["resources"].values()
        assert {r["name"]: r["sku"]["capacity"] for r in resources if r["name"] == "worker-cus"} == {"worker-cus": 2}
