"""A failover that no person started waits for approval, and writes nothing until it has it."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from regionshift.contracts import RunReport, RunRequest
from regionshift.host import DurableHost
from regionshift.names import Events, Orchestrators
from regionshift_emulator.harness import app_on_emulator, example_plan, writes


def start_unapproved(host: DurableHost, plan_json: dict, instance_id: str) -> str:
    request = RunRequest(plan=plan_json, started_by="alert:test-rule", approved=False)
    host.start_new(Orchestrators.FAILOVER, request.model_dump(mode="json"), instance_id=instance_id)
    approval_id = f"{instance_id}:approval"
    deadline = time.monotonic() + 30
    while host.get_status(approval_id) is None:
        assert time.monotonic() < deadline, "the approval step never started"
        time.sleep(0.05)
    return approval_id


@pytest.mark.parametrize(("decision", "expected"), [("approve", "succeeded"), ("reject", "failed")])
def test_failover_acts_only_after_approval(
    decision: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import function_app

    plan = example_plan()
    with (
        app_on_emulator(plan, None, tmp_path, monkeypatch) as emu,
        DurableHost(function_app.app, tmp_path / "durable.sqlite") as host,
    ):
        approval_id = start_unapproved(host, plan.model_dump(mode="json"), "failover-gated")
        time.sleep(0.3)
        assert writes(emu) == [], "nothing may change before the decision"
        host.raise_event(
            approval_id, Events.APPROVAL_DECISION, {"decision": decision, "nonce": "n-1", "approver": "alice"}
        )
        status = host.wait_for_completion("failover-gated", timeout=120)
        report = RunReport.model_validate(status.output)
        assert report.status == expected, report.reason
        (approval,) = [s for s in report.steps if s.kind == "approval"]
        assert "alice" in approval.detail or "alice" in str(approval.data)
        if decision == "reject":
            assert writes(emu) == []
            assert "not approved (rejected)" in report.reason
        else:
            assert writes(emu, "dnszones")
