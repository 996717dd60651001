"""A cancelled failback lets the failover already started finish, moves no data more and brings the
secondary's compute back (DNS stays there); a cancelled
drill builds nothing more but still deletes its own resource group. Read from the emulator's
request log and the host's instances, not only from the report."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from app_runs import SPEED, app_host, run_app, wait_until

from regionshift.contracts import RunReport, RunRequest
from regionshift.control import ControlRequest, HostInstances, control
from regionshift.host import DurableHost
from regionshift.names import Orchestrators
from regionshift_emulator.harness import app_on_emulator, clear_log, example_plan, writes


def state_of(host: DurableHost, prefix: str, name: str, state: str) -> bool:
    return any(
        (s.custom_status or {}).get("state") == state for s in host.list_instances(prefix=prefix) if s.name == name
    )


def cancel(host: DurableHost, run: str) -> None:
    asyncio.run(control(HostInstances(host), ControlRequest(action="cancel", instance_id=run, by="test:bo")))


def test_a_failback_cancelled_while_sql_fails_back_waits_for_it_and_moves_nothing_more(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = example_plan()
    with app_on_emulator(plan, None, tmp_path, monkeypatch) as emu:
        assert run_app(plan, tmp_path, instance_id="failover-first").status == "succeeded"  # planned, both up
        # SQL's failback takes a while (600 emulated s; the emulator's clock runs as fast as the host's).
        emu.set_scenario({"speed": SPEED, "latencies": {"default": 0, "sql.failover": 600}})
        clear_log(emu)
        run = "failback-contoso-web"
        with app_host(tmp_path) as host:
            request = RunRequest.new(plan, started_by="test", approved=True)
            host.start_new(Orchestrators.FAILBACK, request.model_dump(mode="json"), instance_id=run)
            wait_until(lambda: state_of(host, f"{run}:", Orchestrators.SQL_BRANCH, "waiting"), "SQL to fail back")
            cancel(host, run)
            status = host.wait_for_completion(run, timeout=180)
        report = RunReport.model_validate(status.output)
        dns_writes = writes(emu, "/dnszones/")
        deletes = [w for w in writes(emu) if w["method"] == "DELETE"]
        capacities = {
            r["name"]: r["sku"]["capacity"]
            for r in emu.state.snapshot()["resources"].values()
            if r["type"].endswith("ScaleSets") and r["location"] == plan.regions.secondary
        }
    assert report.cancelled["phase"] == "data" and report.status == "failed"
    (sql,) = [s for s in report.steps if s.kind == "sql"]
    assert sql.status == "succeeded", sql.detail  # started before the cancel: waited for, not abandoned
    assert [s.status for s in report.steps if s.kind == "dns"] == ["skipped", "skipped"]
    assert dns_writes == [] and deletes == []  # DNS stays on the secondary; the failover group is kept
    # DNS stayed on the secondary, so its compute was brought back (a cancel never leaves clients sent
    # to a region with nothing running), read from the emulator.
    restored = [s for s in report.steps if s.action.startswith("restore_")]
    assert restored and all(s.ok for s in restored), restored
    assert capacities == {"web": 4, "worker-cus": 2}


def test_a_drill_cancelled_while_its_scale_set_is_built_waits_for_it_and_still_cleans_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = example_plan()
    group = "contoso-dr-drill-cancelled"
    group_id = f"/subscriptions/{plan.subscription_id}/resourceGroups/{group}"
    # Building the scale set takes a while (600 emulated seconds), so the cancel comes meanwhile.
    scenario = {"speed": SPEED, "latencies": {"default": 0, "compute.vmss.create": 600}}
    with app_on_emulator(plan, scenario, tmp_path, monkeypatch) as emu:
        run = "drill-contoso-web"
        with app_host(tmp_path) as host:
            request = RunRequest.new(plan, started_by="test", approved=True, resource_group=group)
            host.start_new(Orchestrators.DRILL, request.model_dump(mode="json"), instance_id=run)
            wait_until(lambda: state_of(host, f"{run}:", Orchestrators.SCALE_SET_BRANCH, "waiting"), "the build")
            assert emu.state.store.get(group_id) is not None
            cancel(host, run)
            status = host.wait_for_completion(run, timeout=180)
        report = RunReport.model_validate(status.output)
        deleted = [w for w in writes(emu) if w["method"] == "DELETE" and w["path"].lower().endswith(group.lower())]
        left = emu.state.store.get(group_id)
    assert report.cancelled["by"] == "test:bo" and report.cancelled["phase"] == "compute"
    (built,) = [s for s in report.steps if s.kind == "scale_set" and s.action == "create"]
    assert built.status == "succeeded"  # the build already started was waited for
    assert deleted and left is None, "a cancelled drill still deletes its own resource group"
