"""Pause, resume and cancel a failover in flight, on the embedded host against the emulator.

The rules are regionshift.control's, driven here on the host the way the CLI drives them. The
outcome is read from the emulator's request log and the host's instances, not only the report.
The plan's outage evidence spans an hour, so the data branches are still probing the primary
(on durable timers, writing nothing) when the test steps in; nothing depends on timing.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from app_runs import probing, probing_failover, wait_until

from regionshift.contracts import RunReport
from regionshift.control import ControlRefused, ControlRequest, HostInstances, control
from regionshift.host import DurableHost, RuntimeStatus
from regionshift_emulator.harness import writes

RUN = "failover-contoso-web"


def statuses(host: DurableHost, ids: list[str]) -> set[RuntimeStatus]:
    return {host.get_status(i).runtime_status for i in ids}


def act(host: DurableHost, action: str, **fields: Any) -> Any:
    request = ControlRequest(action=action, instance_id=RUN, by="test:ann", **fields)  # type: ignore[arg-type]
    return asyncio.run(control(HostInstances(host), request))


def data_writes(emu: Any) -> list[dict[str, Any]]:
    return [w for w in writes(emu) if "Microsoft.Sql" in w["path"] or "Microsoft.DocumentDB" in w["path"]]


def test_a_cancel_while_the_data_branches_probe_writes_no_data_and_no_dns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with probing_failover(tmp_path, monkeypatch, RUN) as (emu, host):
        outcome = act(host, "cancel", reason="wrong plan")
        status = host.wait_for_completion(RUN, timeout=120)
        with pytest.raises(ControlRefused) as again:
            act(host, "cancel")
        assert RUN in outcome.instances and any(":sql" in i for i in outcome.instances)
        assert again.value.status == 409
        report = RunReport.model_validate(status.output)
        assert report.status == "failed" and report.rto_seconds is None
        assert report.cancelled["by"] == "test:ann" and report.cancelled["reason"] == "wrong plan"
        assert report.cancelled["phase"] == "data_and_compute"
        data = [s for s in report.steps if s.kind in ("sql", "cosmos")]
        assert data and {s.status for s in data} == {"skipped"}
        assert all("cancelled by test:ann (wrong plan)" in s.detail for s in data)
        assert {s.status for s in report.steps if s.kind == "dns"} == {"skipped"}
        # The emulator saw no data failover and no DNS write: a cancel stops every write not yet started.
        assert data_writes(emu) == []
        assert writes(emu, "/dnszones/") == []
        assert report.reason.startswith("cancelled by test:ann (wrong plan) during data and compute")
        # Which compute branch had acted when the cancel came varies; the data had not, nor DNS.
        not_started = report.reason.split("; not started: ", 1)[1].split(";", 1)[0]
        assert {"SQL fg-orders", "Cosmos DB cosmos-orders", "DNS www.contoso.com CNAME"} <= set(not_started.split(", "))
        assert "DNS www.contoso.com CNAME: points at the primary" in report.reason
        assert "SQL fg-orders: sql-cus secondary, sql-eus2 unreachable" in report.reason, report.reason
        points = {r["record"]: r["points_at"] for r in report.resources if r.get("kind") == "dns"}
        assert set(points.values()) == {"primary"}


def test_pause_holds_the_run_and_its_branches_and_resume_lets_them_go_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with probing_failover(tmp_path, monkeypatch, RUN) as (emu, host):
        paused = act(host, "pause", reason="looking at the lag")
        sql = next(i for i in paused.instances if ":sql" in i)
        # The suspension is an event each instance records at its next episode.
        wait_until(lambda: statuses(host, [RUN, sql]) == {RuntimeStatus.SUSPENDED}, "the run and SQL to hold")
        # A part that was ending as the pause came may have ended; none goes on running.
        assert statuses(host, paused.instances) <= {RuntimeStatus.SUSPENDED, RuntimeStatus.COMPLETED}
        history = host.get_history(RUN)
        assert any(e.get("Reason") == "paused by test:ann: looking at the lag" for e in history)
        with pytest.raises(ControlRefused, match="already paused"):
            act(host, "pause")
        resumed = act(host, "resume")
        assert RUN in resumed.instances and sql in resumed.instances
        wait_until(lambda: RuntimeStatus.SUSPENDED not in statuses(host, resumed.instances), "all to go on")
        with pytest.raises(ControlRefused, match="not paused"):
            act(host, "resume")
        # Still probing after the resume: the branches go on where they held.
        wait_until(lambda: probing(host, RUN), "the SQL branch to probe again")
        act(host, "cancel")
        host.wait_for_completion(RUN, timeout=120)
        with pytest.raises(ControlRefused, match="has ended"):
            act(host, "pause")
        assert data_writes(emu) == []


def test_cancelling_a_paused_run_resumes_it_so_that_it_ends_cancelled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with probing_failover(tmp_path, monkeypatch, RUN) as (emu, host):
        act(host, "pause")
        outcome = act(host, "cancel", reason="not today")
        status = host.wait_for_completion(RUN, timeout=120)
        assert "resumed" in outcome.detail
        report = RunReport.model_validate(status.output)
        assert report.cancelled["reason"] == "not today"
        assert {s.status for s in report.steps if s.kind in ("sql", "cosmos", "dns")} == {"skipped"}
        assert data_writes(emu) == [] and writes(emu, "/dnszones/") == []


def test_a_cancel_during_the_approval_wait_asks_nobody_more_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REGIONSHIFT_APPROVAL_KEY", "approval-signing-key-for-tests-0123456789")
    with probing_failover(tmp_path, monkeypatch, RUN, approved=False) as (emu, host):
        approval = f"{RUN}:approval"
        wait_until(
            lambda: (
                (getattr(host.get_status(approval), "custom_status", None) or {}).get("phase") == "awaiting_approval"
            ),
            "the approval to wait for a decision",
        )
        act(host, "cancel", reason="false alarm")
        status = host.wait_for_completion(RUN, timeout=120)
        approval_status = host.get_status(approval)
        assert approval_status.output["decision"] == "cancelled"
        report = RunReport.model_validate(status.output)
        assert report.cancelled["phase"] == "approval"
        (step,) = [s for s in report.steps if s.kind == "approval"]
        assert step.status == "skipped"
        assert not report.readiness, "no readiness check runs after the cancel"
        assert writes(emu) == []
        assert {s.status for s in report.steps if s.kind != "approval"} == {"skipped"}
