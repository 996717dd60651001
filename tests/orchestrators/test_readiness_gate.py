"""The readiness gate of a failover: a failing required check stops a failover no person started
before any write; one a person started goes on, with the failing check in its report."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from regionshift.contracts import RunReport, RunRequest
from regionshift.host import DurableHost
from regionshift.names import Events, Orchestrators
from regionshift_emulator.harness import app_on_emulator, example_plan, writes

DENIED = "Microsoft.Network/dnsZones/CNAME/write"


def run(host: DurableHost, request: RunRequest, instance_id: str) -> RunReport:
    host.start_new(Orchestrators.FAILOVER, request.model_dump(mode="json"), instance_id=instance_id)
    if not request.approved:
        approval_id = f"{instance_id}:approval"
        deadline = time.monotonic() + 30
        while (getattr(host.get_status(approval_id), "custom_status", None) or {}).get("phase") != "awaiting_approval":
            assert time.monotonic() < deadline, "the approval step never started waiting"
            time.sleep(0.05)
        # Bound to the approval's run and execution, as an approval link's token is.
        ledger = host.get_status(approval_id).custom_status["approval"]
        vote = {"decision": "approve", "nonce": "n", "approver": "a"}
        host.raise_event(
            approval_id,
            Events.APPROVAL_DECISION,
            {**vote, "run_id": ledger["run_id"], "execution": ledger["execution"]},
        )
    status = host.wait_for_completion(instance_id, timeout=120)
    assert status.output is not None, status.failure
    return RunReport.model_validate(status.output)


def test_an_approved_alert_failover_stops_on_a_missing_permission_before_any_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import function_app

    plan = example_plan()
    with (
        app_on_emulator(plan, {"missing_permissions": [DENIED]}, tmp_path, monkeypatch) as emu,
        DurableHost(function_app.app, tmp_path / "durable.sqlite") as host,
    ):
        request = RunRequest(plan=plan.model_dump(mode="json"), started_by="alert:rule", approved=False)
        report = run(host, request, "failover-gate")
        assert report.status == "failed"
        assert report.reason.startswith("stopped before any write: permissions ")
        assert DENIED in report.reason
        assert [s.kind for s in report.steps] == ["approval"]
        assert any(c.action == "permissions" and c.status == "failed" for c in report.readiness)
        assert writes(emu) == []


def test_a_person_started_failover_goes_on_and_reports_the_failing_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import function_app

    plan = example_plan()
    with (
        app_on_emulator(plan, {"missing_permissions": [DENIED]}, tmp_path, monkeypatch) as emu,
        DurableHost(function_app.app, tmp_path / "durable.sqlite") as host,
    ):
        request = RunRequest(plan=plan.model_dump(mode="json"), started_by="cli:ana", approved=True)
        report = run(host, request, "failover-person")
        # The emulator does not enforce permissions, so the run itself gets through.
        assert report.status == "succeeded", report.reason
        failed = [c for c in report.readiness if c.status == "failed"]
        assert [c.action for c in failed] == ["permissions"]
        assert writes(emu, "dnszones")
