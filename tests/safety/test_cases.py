"""The safety cases of issue 7, each reproduced against the emulator and checked through its request
log (what Azure was asked to do), not through regionshift's own report.

Runs are on the embedded host with a clock 60 times faster than real time: the default evidence
window (3 probes over 60 s) takes about a second.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from app_runs import run_app

from regionshift.names import Orchestrators
from regionshift.plan import Plan
from regionshift_emulator.harness import app_on_emulator, example_plan, writes
from regionshift_emulator.server import Emulator

PRIMARY_FG = "/servers/sql-eus2/failoverGroups/fg-orders"


def with_policy(plan: Plan, **policy: Any) -> Plan:
    data = plan.model_dump(mode="json")
    data["policy"].update(policy)
    return Plan.model_validate(data)


def without(plan: Plan, *keys: str) -> Plan:
    data = plan.model_dump(mode="json")
    for key in keys:
        data[key] = []
    return Plan.model_validate(data)


def data_loss_writes(emu: Emulator) -> list[str]:
    return [w["path"] for w in writes(emu) if w["path"].endswith(("/forceFailoverAllowDataLoss", "/offlineRegion"))]


def gets(emu: Emulator, path_part: str) -> list[dict[str, Any]]:
    return [r for r in emu.state.request_log if r["method"] == "GET" and path_part.lower() in r["path"].lower()]


def test_case1_a_dead_secondary_never_costs_the_healthy_primary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the secondary is down: nothing is failed over into it, the primary is not taken offline."""
    plan = example_plan(data_loss="allow")
    with app_on_emulator(plan, {"outage": ["centralus"]}, tmp_path, monkeypatch) as emu:
        report = run_app(plan, tmp_path)
        assert report.status == "failed"
        assert data_loss_writes(emu) == []
        assert writes(emu, "Microsoft.DocumentDB") == [] and writes(emu, "Microsoft.Sql") == []
        assert writes(emu, "/dnszones/") == []
        cosmos = emu.state.snapshot()["services"]["cosmos"]
        assert [a["write_region"] for a in cosmos.values()] == ["eastus2"]
        assert all(not a["offline"] for a in cosmos.values())


def test_case2_transient_errors_on_the_primary_are_not_an_outage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two 503s on the primary's failover group: the primary answers later, so the failover is planned."""
    plan = example_plan(data_loss="allow")
    faults = [{"path": f"*{PRIMARY_FG}", "method": "GET", "status": 503, "times": 2}]
    with app_on_emulator(plan, {"faults": faults}, tmp_path, monkeypatch) as emu:
        report = run_app(plan, tmp_path)
        assert report.status == "succeeded", report.reason
        assert data_loss_writes(emu) == []
        assert [w["path"].rsplit("/", 1)[-1] for w in writes(emu, "Microsoft.Sql")] == ["failover"]


def test_case2_a_refused_priority_change_never_takes_the_primary_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both regions answer but Azure refuses the planned change: the branch stops and asks a person."""
    plan = without(example_plan(data_loss="allow"), "sql_failover_groups")
    faults = [{"path": "*/failoverPriorityChange", "method": "POST", "status": 503}]
    with app_on_emulator(plan, {"faults": faults}, tmp_path, monkeypatch) as emu:
        report = run_app(plan, tmp_path)
        assert report.status == "failed"
        (cosmos,) = [s for s in report.steps if s.kind == "cosmos"]
        assert "a person should look" in cosmos.detail
        assert data_loss_writes(emu) == []
        assert writes(emu, "/dnszones/") == []


def test_a_data_loss_action_waits_for_the_whole_evidence_window(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The primary is down: the forced failover comes only after 3 unanswered probes of it."""
    plan = without(example_plan(data_loss="allow"), "cosmos_accounts", "scale_sets")
    with app_on_emulator(plan, {"outage": ["eastus2"]}, tmp_path, monkeypatch) as emu:
        report = run_app(plan, tmp_path)
        assert report.status == "succeeded", report.reason
        log = list(emu.state.request_log)
        forced = next(i for i, r in enumerate(log) if r["path"].endswith("/forceFailoverAllowDataLoss"))
        probes = [r for r in log[:forced] if r["method"] == "GET" and r["path"].endswith(PRIMARY_FG)]
        assert len(probes) >= 3 and all(p["status"] == 504 for p in probes)
        (sql,) = [s for s in report.steps if s.kind == "sql"]
        assert sql.action == "forced_failover" and sql.data["probes"] >= 3
        assert sql.ended_at is not None and sql.started_at is not None
        # The window (60 s on the run's compressed clock) begins with the first look, beside readiness.
        assert (sql.ended_at - report.started_at).total_seconds() >= 60


def test_the_evidence_window_runs_while_the_readiness_checks_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first look at the primary, taken beside the readiness checks, begins the window: after a
    readiness phase longer than the window (its permission reads held 3 s, 180 s on the run's clock),
    the SQL branch asks the primary only for the rest of the window's probes, not for a whole new
    window. Read from the emulator's request log, in the order the emulator answered."""
    plan = without(example_plan(data_loss="allow"), "cosmos_accounts", "scale_sets")
    hold = {"path": "*/providers/Microsoft.Authorization/permissions*", "hang_seconds": 3}
    with app_on_emulator(plan, {"outage": ["eastus2"], "faults": [hold]}, tmp_path, monkeypatch) as emu:
        report = run_app(plan, tmp_path)
        log = list(emu.state.request_log)
    assert report.status == "succeeded", report.reason
    readiness_end = max(i for i, r in enumerate(log) if "Microsoft.Authorization/permissions" in r["path"])
    forced = next(i for i, r in enumerate(log) if r["path"].endswith("/forceFailoverAllowDataLoss"))
    probes = [i for i, r in enumerate(log) if r["method"] == "GET" and r["path"].endswith(PRIMARY_FG)]
    # The first look is the data check's own read, while readiness was held: one read, not two.
    assert len([i for i in probes if i < readiness_end]) == 1, (probes, readiness_end)
    after = [i for i in probes if readiness_end < i < forced]
    assert len(after) == plan.policy.outage_evidence.failed_probes - 1, (len(after), probes, readiness_end, forced)
    (sql,) = [s for s in report.steps if s.kind == "sql"]
    assert sql.action == "forced_failover"


def test_a_primary_that_comes_back_during_the_window_gets_a_planned_failover(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The outage ends while the evidence is gathered: no data-loss action at all."""
    plan = with_policy(
        without(example_plan(data_loss="allow"), "cosmos_accounts", "scale_sets"),
        outage_evidence={"failed_probes": 3, "window_seconds": 600},  # probes 300 s (5 real s) apart
    )
    outage = [{"region": "eastus2", "until": 2}]  # emulated seconds = real seconds here
    with app_on_emulator(plan, {"outage": outage}, tmp_path, monkeypatch) as emu:
        report = run_app(plan, tmp_path)
        assert report.status == "succeeded", report.reason
        assert data_loss_writes(emu) == []
        assert [w["path"].rsplit("/", 1)[-1] for w in writes(emu, "Microsoft.Sql")] == ["failover"]


def test_data_loss_forbidden_ends_with_no_write_to_the_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = example_plan(data_loss="forbid")
    with app_on_emulator(plan, {"outage": ["eastus2"]}, tmp_path, monkeypatch) as emu:
        report = run_app(plan, tmp_path)
        assert report.status == "failed"
        assert all("policy.data_loss is 'forbid'" in s.detail for s in report.steps if s.kind in ("sql", "cosmos"))
        assert writes(emu, "Microsoft.Sql") == [] and writes(emu, "Microsoft.DocumentDB") == []
        assert writes(emu, "/dnszones/") == []


def test_case6_failback_is_refused_while_the_primary_is_down_even_without_sql(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = without(example_plan(data_loss="allow"), "sql_failover_groups")
    with app_on_emulator(plan, {"outage": ["eastus2"]}, tmp_path, monkeypatch) as emu:
        assert run_app(plan, tmp_path, instance_id="failover-1").status == "succeeded"
        before = len(writes(emu))
        refused = run_app(plan, tmp_path, Orchestrators.FAILBACK)
        assert refused.status == "failed" and "not ready" in refused.reason
        assert len(writes(emu)) == before  # not even the quiesce


def test_case6_a_failback_whose_data_step_fails_brings_compute_back_and_keeps_dns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = example_plan()
    with app_on_emulator(plan, None, tmp_path, monkeypatch) as emu:
        assert run_app(plan, tmp_path, instance_id="failover-1").status == "succeeded"
        # The primary answers, but Azure refuses the planned failback of the SQL group.
        emu.set_scenario({"latencies": {"default": 0}, "faults": [{"path": "*/sql-eus2/*/failover", "status": 500}]})
        report = run_app(plan, tmp_path, Orchestrators.FAILBACK)
        assert report.status == "failed"
        restored = [s for s in report.steps if s.action.startswith("restore_")]
        assert restored and all(s.ok for s in restored), restored
        # Cosmos DB had moved home; it moved back so the data is not split between the regions.
        cosmos = emu.state.snapshot()["services"]["cosmos"]
        assert [a["write_region"] for a in cosmos.values()] == ["centralus"]
        sql = emu.state.snapshot()["services"]["sql"]
        assert [g["primary"].rsplit("/", 1)[-1] for g in sql.values()] == ["sql-cus"]
        vmss = emu.state.snapshot()["resources"]
        capacities = {
            r["name"]: r["sku"]["capacity"]
            for r in vmss.values()
            if r["type"].endswith("ScaleSets") and r["location"] == plan.regions.secondary
        }
        assert capacities == {"web": 4, "worker-cus": 2}
        dns = [s for s in report.steps if s.kind == "dns"]
        assert {s.status for s in dns} == {"skipped"}
        points = {r["record"]: r["points_at"] for r in report.resources if r.get("kind") == "dns"}
        assert set(points.values()) == {"secondary"}


def test_case5_a_drill_never_uses_the_failover_resource_group(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = example_plan()
    with app_on_emulator(plan, None, tmp_path, monkeypatch) as emu:
        report = run_app(plan, tmp_path, Orchestrators.DRILL, resource_group=plan.failover_resource_group)
        assert report.status == "failed" and "never uses it" in report.reason
        assert writes(emu) == []


def test_case5_a_failover_group_that_is_not_regionshifts_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from azure.mgmt.resource.resources import ResourceManagementClient

    from regionshift_emulator.testing import sdk_client

    plan = example_plan()
    with app_on_emulator(plan, None, tmp_path, monkeypatch) as emu:
        groups = sdk_client(emu, ResourceManagementClient, plan.subscription_id).resource_groups
        groups.create_or_update(plan.failover_resource_group, {"location": "centralus", "tags": {"app": "payroll"}})
        report = run_app(plan, tmp_path)
        assert report.status == "failed"
        assert writes(emu, "/virtualMachineScaleSets/web") == []
        assert writes(emu, "/dnszones/") == []
        assert groups.get(plan.failover_resource_group).tags == {"app": "payroll"}


def test_case9_drill_clean_up_is_retried_through_transient_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = example_plan()
    drill_group = "/subscriptions/*/resourcegroups/contoso-dr-drill-*"
    faults = [{"path": drill_group, "method": "DELETE", "status": 503, "times": 2}]
    with app_on_emulator(plan, {"faults": faults}, tmp_path, monkeypatch) as emu:
        report = run_app(plan, tmp_path, Orchestrators.DRILL)
        (cleanup,) = [s for s in report.steps if s.kind == "resource_group" and s.action == "delete"]
        assert cleanup.status == "succeeded", cleanup
        deletes = [w for w in writes(emu) if w["method"] == "DELETE"]
        assert [d["status"] for d in deletes] == [503, 503, 202]
        leftovers = [r for r in emu.state.snapshot()["resources"] if "-drill-" in r.lower()]
        assert leftovers == []


def test_case3_a_second_run_of_the_plan_is_refused_while_the_first_holds_its_lease(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failback started while a failover runs ends at once, naming the failover, and writes nothing."""
    import time

    from app_runs import app_host

    from regionshift.contracts import RunReport, RunRequest

    plan = example_plan()
    with app_on_emulator(plan, {"latencies": {"default": 0, "sql.failover": 3}}, tmp_path, monkeypatch) as emu:
        with app_host(tmp_path) as host:
            host.start_new(Orchestrators.FAILOVER, RunRequest.new(plan, approved=True).model_dump(), "failover-1")
            deadline = time.monotonic() + 30
            while not writes(emu, "Microsoft.Sql"):  # the failover holds the lease and has started writing
                assert time.monotonic() < deadline
                time.sleep(0.05)
            host.start_new(Orchestrators.FAILBACK, RunRequest.new(plan, approved=True).model_dump(), "failback-1")
            back = host.wait_for_completion("failback-1", timeout=60)
            first = host.wait_for_completion("failover-1", timeout=60)
        refused = RunReport.model_validate(back.output)
        assert refused.status == "failed" and "another run holds this plan" in refused.reason
        assert "failover-1" in refused.reason and refused.steps == []
        assert RunReport.model_validate(first.output).status == "succeeded"
        vmss = emu.state.snapshot()["resources"]
        capacities = {
            r["name"]: r["sku"]["capacity"]
            for r in vmss.values()
            if r["type"].endswith("ScaleSets") and r["location"] == plan.regions.secondary
        }
        assert capacities["worker-cus"] == 2  # never quiesced by the refused failback


def test_throttled_reads_of_the_primary_are_no_evidence_of_an_outage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bursts of 429 on the primary's failover group: no forced failover; the planned one goes through."""
    plan = without(example_plan(data_loss="allow"), "cosmos_accounts", "scale_sets")
    faults = [{"path": f"*{PRIMARY_FG}", "method": "GET", "status": 429, "times": 6, "retry_after": 1}]
    with app_on_emulator(plan, {"faults": faults}, tmp_path, monkeypatch) as emu:
        report = run_app(plan, tmp_path)
        assert report.status == "succeeded", report.reason
        assert data_loss_writes(emu) == []
        assert [w["path"].rsplit("/", 1)[-1] for w in writes(emu, "Microsoft.Sql")] == ["failover"]
        assert len([r for r in gets(emu, PRIMARY_FG) if r["status"] == 429]) >= 3  # the burst did happen
