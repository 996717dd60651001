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


def bound_vote(host: DurableHost, approval_id: str, **vote: str) -> dict[str, str]:
    """A vote bound to the waiting approval's run and execution, as the approval link's token binds it."""
    deadline = time.monotonic() + 30
    while (host.get_status(approval_id).custom_status or {}).get("phase") != "awaiting_approval":
        assert time.monotonic() < deadline, "the approval never started waiting"
        time.sleep(0.05)
    ledger = host.get_status(approval_id).custom_status["approval"]
    return {**vote, "run_id": ledger["run_id"], "execution": ledger["execution"]}


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
        vote = bound_vote(host, approval_id, decision=decision, nonce="n-1", approver="alice")
        host.raise_event(approval_id, Events.APPROVAL_DECISION, vote)
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


@pytest.mark.parametrize(("outage", "expected_decision"), [(["eastus2"], "automatic"), ([], "approve")])
def test_automatic_policy_acts_only_when_the_second_signal_confirms(
    outage: list[str], expected_decision: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Log Analytics query is answered by the emulator's query API, found through the env alone."""
    import function_app

    data = example_plan(data_loss="allow").model_dump(mode="json")
    data["policy"].update(
        approval="automatic",
        approval_timeout_minutes=1,
        confirmation={
            "logs": {
                "workspace_id": "11111111-1111-1111-1111-111111111111",
                "query": "AppAvailabilityResults | where Success == false",
            }
        },
    )
    with (
        app_on_emulator(example_plan(), {"outage": outage}, tmp_path, monkeypatch) as emu,
        DurableHost(function_app.app, tmp_path / "durable.sqlite") as host,
    ):
        approval_id = start_unapproved(host, data, "failover-auto")
        if expected_decision == "approve":
            # Not confirmed: a person is asked instead, and nothing is written until they answer.
            deadline = time.monotonic() + 30
            while (host.get_status(approval_id).custom_status or {}).get("phase") in (None, "confirming"):
                assert time.monotonic() < deadline
                time.sleep(0.05)
            assert writes(emu) == []
            vote = bound_vote(host, approval_id, decision="approve", nonce="n", approver="bob")
            host.raise_event(approval_id, Events.APPROVAL_DECISION, vote)
        report = RunReport.model_validate(host.wait_for_completion("failover-auto", timeout=120).output)
        (approval,) = [s for s in report.steps if s.kind == "approval"]
        assert approval.action == ("automatic" if expected_decision == "automatic" else "approve")
        assert report.status == "succeeded", report.reason
