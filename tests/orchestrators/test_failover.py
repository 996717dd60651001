"""The failover orchestration on the embedded Durable host, against the emulator.

These pin the safety rules: DNS moves only after every data and compute branch succeeded; a
failed branch leaves DNS on the primary; a rerun of a completed failover writes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from app_runs import app_host

from regionshift.contracts import RunReport, RunRequest
from regionshift.names import Orchestrators
from regionshift.plan import Plan
from regionshift_emulator.harness import app_on_emulator, clear_log, example_plan, writes
from regionshift_emulator.server import Emulator


def run_failover(plan: Plan, state_dir: Path, instance_id: str = "failover-test", force: bool = False) -> RunReport:
    # Durable timers (probe intervals, polls) run on a clock 60 times faster than real time.
    with app_host(state_dir) as host:
        request = RunRequest.new(plan, started_by="test", approved=True, force=force)
        host.start_new(Orchestrators.FAILOVER, request.model_dump(mode="json"), instance_id=instance_id)
        status = host.wait_for_completion(instance_id, timeout=120)
    assert status.is_terminal, status
    assert status.output is not None, status.failure
    return RunReport.model_validate(status.output)


def steps_of(report: RunReport, kind: str) -> list[Any]:
    return [s for s in report.steps if s.kind == kind]


def dns_targets(emu: Emulator) -> dict[str, Any]:
    state = emu.state.snapshot()
    return {k: v for k, v in state.items() if "dns" in k.lower()}


def test_outage_with_data_loss_allowed_fails_everything_over_then_switches_dns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = example_plan(data_loss="allow")
    with app_on_emulator(plan, {"outage": ["eastus2"]}, tmp_path, monkeypatch) as emu:
        report = run_failover(plan, tmp_path)
        assert report.status == "succeeded", report.reason
        assert {s.action for s in steps_of(report, "sql")} == {"forced_failover"}
        assert {s.action for s in steps_of(report, "cosmos")} == {"forced_failover"}
        assert [s.status for s in steps_of(report, "dns")] == ["succeeded", "succeeded"]
        # DNS was written only after every data and compute step had ended.
        last_data_end = max(s.ended_at for s in report.steps if s.kind != "dns" and s.ended_at)
        first_dns_start = min(s.started_at for s in steps_of(report, "dns") if s.started_at)
        assert first_dns_start >= last_data_end
        dns_writes = writes(emu, "/dnszones/")
        assert len(dns_writes) == 2
        assert report.rpo_seconds is not None and report.rpo_seconds > 0
        assert report.rto_seconds is not None and report.rto_seconds >= 0
        points = {r["record"]: r["points_at"] for r in report.resources if r.get("kind") == "dns"}
        assert points == {"www.contoso.com CNAME": "secondary", "api.contoso.com A": "secondary"}
        # The run published its own report, as a run started by an alert in Azure does.
        assert sorted(Path(link).suffix for link in report.links) == [".html", ".json"]
        assert all(Path(link).parent == tmp_path / "reports" and Path(link).exists() for link in report.links)


def test_rerunning_a_completed_failover_makes_no_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = example_plan(data_loss="allow")
    with app_on_emulator(plan, {"outage": ["eastus2"]}, tmp_path, monkeypatch) as emu:
        assert run_failover(plan, tmp_path).status == "succeeded"
        clear_log(emu)
        again = run_failover(plan, tmp_path)
        assert again.status == "succeeded"
        assert {s.status for s in again.steps if s.kind != "check"} == {"already_done"}
        # The split-brain guard read everything in the secondary again before DNS (and wrote nothing).
        assert [s.status for s in again.steps if s.action == "split_brain_guard"] == ["succeeded"]
        assert writes(emu) == []


def test_primary_down_with_data_loss_forbidden_fails_data_and_leaves_dns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = example_plan(data_loss="forbid")
    with app_on_emulator(plan, {"outage": ["eastus2"]}, tmp_path, monkeypatch) as emu:
        # Readiness sees the failover would need a forced failover the policy forbids: it stops first.
        stopped = run_failover(plan, tmp_path)
        assert stopped.status == "failed" and "stopped before any write" in stopped.reason
        assert writes(emu) == []
        # A person insists (--force): the data branches themselves refuse the data loss.
        report = run_failover(plan, tmp_path, instance_id="failover-forced", force=True)
        assert report.status == "failed"
        assert {s.status for s in steps_of(report, "sql")} == {"failed"}
        assert {s.status for s in steps_of(report, "cosmos")} == {"failed"}
        assert {s.status for s in steps_of(report, "dns")} == {"skipped"}
        assert "data_loss" in report.reason
        assert writes(emu, "/dnszones/") == []
        assert writes(emu, "Microsoft.Sql") == []
        # The compute branch still ran to the end: fan-in waits for every branch.
        assert {s.status for s in steps_of(report, "scale_set")} == {"succeeded"}


def test_a_failed_scale_set_branch_leaves_dns_on_the_primary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = example_plan(data_loss="allow").model_dump(mode="json")
    # An image version that was never replicated anywhere: Azure refuses to build the scale set.
    data["scale_sets"][0]["image"] = data["scale_sets"][0]["image"].replace("/versions/1.4.0", "/versions/9.9.9")
    plan = Plan.model_validate(data)
    with app_on_emulator(example_plan(), {"outage": ["eastus2"]}, tmp_path, monkeypatch) as emu:
        # The readiness check would stop it (the image has no replica); --force goes on to the branch.
        report = run_failover(plan, tmp_path, force=True)
        assert report.status == "failed"
        assert any(c.action == "image_replicated" and c.status == "failed" for c in report.readiness)
        (web,) = [s for s in steps_of(report, "scale_set") if s.resource.endswith("/web")]
        assert web.status == "failed"
        assert {s.status for s in steps_of(report, "sql")} == {"succeeded"}
        assert {s.status for s in steps_of(report, "dns")} == {"skipped"}
        assert writes(emu, "/dnszones/") == []
