"""Failback and drill orchestrations on the embedded Durable host, against the emulator."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_runs import app_host

from regionshift.contracts import RunReport, RunRequest
from regionshift.names import Orchestrators
from regionshift.plan import Plan
from regionshift_emulator.harness import app_on_emulator, clear_log, example_plan, writes


def run(
    orchestrator: str, plan: Plan, state_dir: Path, instance_id: str, resource_group: str | None = None
) -> RunReport:

    request = RunRequest(
        plan=plan.model_dump(mode="json"), started_by="test", approved=True, resource_group=resource_group
    )
    with app_host(state_dir) as host:
        host.start_new(orchestrator, request.model_dump(mode="json"), instance_id=instance_id)
        status = host.wait_for_completion(instance_id, timeout=120)
    assert status.output is not None, status.failure
    return RunReport.model_validate(status.output)


def test_failback_after_a_planned_failover_goes_in_order_and_cleans_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = example_plan()
    with app_on_emulator(plan, None, tmp_path, monkeypatch) as emu:
        assert run(Orchestrators.FAILOVER, plan, tmp_path, "failover-t").status == "succeeded"
        clear_log(emu)
        report = run(Orchestrators.FAILBACK, plan, tmp_path, "failback-t")
        assert report.status == "succeeded", report.reason
        assert {c.status for c in report.readiness} <= {"succeeded", "already_done"}

        def window(kind: str) -> tuple:
            steps = [s for s in report.steps if s.kind == kind]
            return min(s.started_at for s in steps), max(s.ended_at for s in steps)

        quiesce, data_sql, data_cosmos, dns, group = (
            window("scale_set"),
            window("sql"),
            window("cosmos"),
            window("dns"),
            window("resource_group"),
        )
        assert quiesce[1] <= min(data_sql[0], data_cosmos[0])
        assert max(data_sql[1], data_cosmos[1]) <= dns[0]
        assert dns[1] <= group[0]
        assert {s.action for s in report.steps if s.kind in ("sql", "cosmos")} == {"planned_failover"}
        assert writes(emu, "forceFailoverAllowDataLoss") == [] and writes(emu, "offlineRegion") == []
        points = {r["record"]: r["points_at"] for r in report.resources if r.get("kind") == "dns"}
        assert set(points.values()) == {"primary"}
        assert any(r.get("kind") == "resource_group" and r.get("exists") is False for r in report.resources)


def test_failback_is_refused_while_cosmos_primary_region_stays_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = example_plan(data_loss="allow")
    with app_on_emulator(plan, {"outage": ["eastus2"]}, tmp_path, monkeypatch) as emu:
        assert run(Orchestrators.FAILOVER, plan, tmp_path, "failover-t").status == "succeeded"
        emu.set_scenario({"latencies": {"default": 0}})  # the region is back, but offlined stays offline
        clear_log(emu)
        report = run(Orchestrators.FAILBACK, plan, tmp_path, "failback-t")
        assert report.status == "failed"
        assert "East US 2 is not online in cosmos-orders" in report.reason
        assert [Path(link).suffix for link in report.links] == [".json", ".html"], "a refusal leaves a report too"
        assert report.steps == []
        assert writes(emu) == []


def test_failback_is_refused_while_the_primary_is_down(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = example_plan(data_loss="allow")
    with app_on_emulator(plan, {"outage": ["eastus2"]}, tmp_path, monkeypatch) as emu:
        assert run(Orchestrators.FAILOVER, plan, tmp_path, "failover-t").status == "succeeded"
        clear_log(emu)
        report = run(Orchestrators.FAILBACK, plan, tmp_path, "failback-t")
        assert report.status == "failed"
        assert "sql-eus2 does not answer" in report.reason
        assert writes(emu) == []


def test_drill_touches_no_production_data_or_dns_and_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = example_plan()
    with app_on_emulator(plan, None, tmp_path, monkeypatch) as emu:
        report = run(Orchestrators.DRILL, plan, tmp_path, "drill-t", resource_group="contoso-dr-drill-t")
        assert report.status == "succeeded", report.reason
        created = [s for s in report.steps if s.kind == "scale_set" and s.status == "succeeded"]
        assert [s.data["capacity"] for s in created] == [4]
        for production in ("Microsoft.Sql", "Microsoft.DocumentDB", "dnszones", "worker-cus"):
            assert writes(emu, production) == [], production
        assert not [r for r in emu.state.snapshot()["resources"] if "contoso-dr-drill-t" in r.lower()]
        assert report.steps[-1].kind == "resource_group" and report.steps[-1].action == "delete"


def test_a_failed_drill_still_deletes_its_resource_group(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = example_plan().model_dump(mode="json")
    data["scale_sets"][0]["image"] = data["scale_sets"][0]["image"].replace("/versions/1.4.0", "/versions/9.9.9")
    plan = Plan.model_validate(data)
    with app_on_emulator(example_plan(), None, tmp_path, monkeypatch) as emu:
        report = run(Orchestrators.DRILL, plan, tmp_path, "drill-t", resource_group="contoso-dr-drill-t")
        assert report.status == "failed"
        assert report.steps[-1].action == "delete" and report.steps[-1].status == "succeeded"
        assert not [r for r in emu.state.snapshot()["resources"] if "contoso-dr-drill-t" in r.lower()]


def test_drill_reports_readiness_and_fails_on_a_required_check_but_still_cleans_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = example_plan()
    scenario = {"missing_permissions": ["Microsoft.Sql/servers/failoverGroups/failover/action"]}
    with app_on_emulator(plan, scenario, tmp_path, monkeypatch) as emu:
        report = run(Orchestrators.DRILL, plan, tmp_path, "drill-t", resource_group="contoso-dr-drill-t")
        assert report.readiness, "the drill ran no readiness checks"
        assert report.status == "failed"
        assert "permissions" in report.reason
        assert any(s.kind == "scale_set" and s.status == "succeeded" for s in report.steps)
        assert not [r for r in emu.state.snapshot()["resources"] if "contoso-dr-drill-t" in r.lower()]
