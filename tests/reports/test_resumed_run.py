"""A run picked up again after its host stopped says so in its report, with both start times.

The run waits for approval (a point where it stands still without timing), its host is stopped and
a new one resumes it the way the CLI does (`record_resume`), twice; then a person approves. The
report's `resumes` lists both, in order, with the run's first start beside them, and its approval
step is timed from the request to the decision.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import pytest
from app_runs import SPEED

from regionshift.cli.runs import record_resume
from regionshift.contracts import RunReport, RunRequest
from regionshift.host import DurableHost, ScaledClock
from regionshift.names import Events, Orchestrators
from regionshift_emulator.harness import app_on_emulator, example_plan

RUN = "failover-resumed"
APPROVAL = f"{RUN}:approval"


class _Hosts:
    """Hosts one after the other on one state folder, whose compressed clock goes on where the last
    one stopped (as a real clock would: a new ScaledClock starts at the wall clock, behind the last)."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.now: datetime | None = None

    def open(self) -> DurableHost:
        import function_app

        clock = ScaledClock(SPEED, start=self.now)
        return DurableHost(function_app.app, self.state_dir / "durable.sqlite", clock=clock)

    def closed(self, host: DurableHost) -> None:
        self.now = host.clock.now()


def _awaiting(host: DurableHost) -> dict:
    deadline = time.monotonic() + 60
    while True:
        status = host.get_status(APPROVAL)
        custom = (status.custom_status or {}) if status else {}
        if custom.get("phase") == "awaiting_approval":
            return custom["approval"]
        assert time.monotonic() < deadline, "the approval never started waiting"
        time.sleep(0.05)


def test_a_resumed_run_records_each_resume_and_times_the_approval(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = example_plan()
    request = RunRequest.new(plan, started_by="alert:test-rule", approved=False)
    hosts = _Hosts(tmp_path)
    with app_on_emulator(plan, None, tmp_path, monkeypatch):
        with hosts.open() as host:
            host.start_new(Orchestrators.FAILOVER, request.model_dump(mode="json"), instance_id=RUN)
            _awaiting(host)
            created = host.get_status(RUN).created_at
            hosts.closed(host)
        for person in ("ana", "bo"):  # the host stops (a laptop closed, Ctrl-C) and a new one picks the run up
            monkeypatch.setattr("regionshift.cli.runs.who", lambda person=person: f"cli:{person}")
            with hosts.open() as host:
                host.adopt(RUN)
                host.adopt(APPROVAL)
                record_resume(host, host.get_status(RUN))
                ledger = _awaiting(host)
                hosts.closed(host)
        with hosts.open() as host:
            host.adopt(RUN)
            host.adopt(APPROVAL)
            vote = {"decision": "approve", "nonce": "n-1", "approver": "ana"}
            vote |= {"run_id": ledger["run_id"], "execution": ledger["execution"]}
            host.raise_event(APPROVAL, Events.APPROVAL_DECISION, vote)
            status = host.wait_for_completion(RUN, timeout=120)
    report = RunReport.model_validate(status.output)
    assert report.status == "succeeded", report.reason
    assert len(report.resumes) == 2
    assert all(r.previous_start == created.isoformat() for r in report.resumes)
    assert [r.by for r in report.resumes] == ["cli:ana", "cli:bo"]  # in the order they happened
    first, second = (datetime.fromisoformat(r.at) for r in report.resumes)
    assert created < first < second
    (approval,) = [s for s in report.steps if s.kind == "approval"]
    assert approval.started_at is not None and approval.ended_at is not None
    assert approval.started_at < approval.ended_at
    assert approval.started_at >= report.started_at
