"""What a person following a run sees: its phase, one row per branch, the approval, readiness, the RTO clock.

Built from plain facts about Durable instances, so it works the same in Azure and on the embedded
host: the run's own status (its custom status holds only the phase and counts, orchestrators/steps.py)
and its sub-orchestrations, listed by the run's instance-id prefix (`<run>:...`, the ids
orchestrators/fanout.py gives every branch, through nested fan-out batches). The list-instances API
takes `instanceIdPrefix` in Azure (HttpApiHandler.cs in azure-functions-durable-extension, "Get all
instances status" in the HTTP API reference) and in `regionshift.host.client_api`.

Each branch is a sub-orchestration that publishes `{"kind", "resource", "state"}` while it runs and
returns its step outcome. Steps that are single activities (DNS records, the failover resource
group) have no instance of their own: a DNS record is `pending` before the DNS phase, `running`
during it and taken from the report once the run ends; the resource group is done once a scale set
of its group exists. A finished run shows its report's steps, exactly as the report has them.

Pure: the trigger reads the instances, this module decides what they mean.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from regionshift.contracts import RunReport, StepOutcome
from regionshift.names import Orchestrators
from regionshift.reports.labels import KIND_WORDS, humanize, short_resource
from regionshift.reports.timeline import as_utc

# Sub-orchestrations that are one resource each: what a person calls them.
BRANCH_WORDS = {
    Orchestrators.SQL_BRANCH: "SQL failover group",
    Orchestrators.COSMOS_BRANCH: "Cosmos DB account",
    Orchestrators.SCALE_SET_BRANCH: "Scale set",
    Orchestrators.DELETE_GROUP: "Delete resource group",
    Orchestrators.DNS_RECORD: "DNS record",
}
PHASE_WORDS = {
    "approval": "waiting for approval",
    "readiness": "readiness checks",
    "data_and_compute": "failing data and compute over",
    "compute": "building compute",
    "health": "probing health",
    "quiesce": "quiescing the secondary",
    "data": "failing data back",
    "restore": "restoring the secondary",
    "guard": "checking every replica before DNS",
    "dns": "switching DNS",
    "cleanup": "deleting the resource group",
    "report": "reading the final state",
    "publishing": "publishing the report",
    "succeeded": "succeeded",
    "failed": "failed",
}
RUNNING = ("Running", "Pending", "ContinuedAsNew", "Suspended")
_AFTER_DNS = ("report", "publishing", "succeeded", "failed")


@dataclass(frozen=True)
class Instance:
    """One Durable instance, as the status and list APIs describe it."""

    instance_id: str
    name: str
    runtime_status: str
    created: datetime | None = None
    last_updated: datetime | None = None
    custom_status: Any = None
    input: Any = None
    output: Any = None

    @property
    def running(self) -> bool:
        return self.runtime_status in RUNNING


@dataclass(frozen=True)
class LiveRow:
    step: str  # what a person calls the step: "SQL failover group", "DNS record"
    resource: str
    status: str  # pending | running | a branch's own state (probing, waiting) | succeeded | failed | ...
    elapsed_s: float | None = None
    detail: str = ""


@dataclass(frozen=True)
class ApprovalView:
    state: str  # confirming | waiting | approved | rejected | timed_out
    since: datetime | None = None
    waited_s: float | None = None
    expires_at: str = ""
    decided_by: list[str] = field(default_factory=list)
    required: int = 1
    detail: str = ""


@dataclass(frozen=True)
class LiveRun:
    instance_id: str
    operation: str
    plan: str
    runtime_status: str
    phase: str
    started: datetime | None
    now: datetime
    rows: list[LiveRow]
    approval: ApprovalView | None = None
    readiness: list[StepOutcome] | None = None  # None while the checks run (or before)
    report: RunReport | None = None
    failure: str = ""  # the orchestration itself failed or was terminated: why

    @property
    def finished(self) -> bool:
        return self.runtime_status not in RUNNING

    @property
    def clock_s(self) -> float | None:
        """The RTO clock: the run's RTO once it has one, else the time since it started."""
        if self.report is not None:
            return self.report.rto_seconds
        if self.started is None:
            return None
        return max(0.0, (as_utc(self.now) - as_utc(self.started)).total_seconds())

    @property
    def phase_words(self) -> str:
        return PHASE_WORDS.get(self.phase, humanize(self.phase))


def build_live_run(run: Instance, children: list[Instance], now: datetime) -> LiveRun:
    """The page's view of `run` from its own instance and its sub-orchestrations'."""
    custom = run.custom_status if isinstance(run.custom_status, dict) else {}
    report = _report(run)
    phase = str(custom.get("phase") or (report.status if report else run.runtime_status.lower()))
    request = run.input if isinstance(run.input, dict) else {}
    plan: dict[str, Any] = request["plan"] if isinstance(request.get("plan"), dict) else {}
    by_suffix = {c.instance_id[len(run.instance_id) + 1 :]: c for c in children}
    approval = _approval(by_suffix.get("approval"), now)
    readiness = _readiness(report, by_suffix.get("readiness"))
    if report is not None:
        rows = [_report_row(s) for s in report.steps if s.kind != "approval"]
    else:
        rows = _branch_rows(children, now) + _dns_rows(plan, phase)
    failure = ""
    if run.runtime_status in ("Failed", "Terminated") and report is None:
        failure = str(run.output or run.runtime_status)
    return LiveRun(
        instance_id=run.instance_id,
        operation=run.name,
        plan=str(plan.get("name") or (report.plan if report else "")),
        runtime_status=run.runtime_status,
        phase=phase,
        started=run.created,
        now=now,
        rows=rows,
        approval=approval,
        readiness=readiness,
        report=report,
        failure=failure,
    )


def latest(instances: list[Instance], wall_clock: datetime) -> datetime:
    """'Now' for elapsed times: the wall clock, or the latest moment an instance reports if that is
    later (a host on a compressed clock, as `--simulate` runs, is ahead of the wall clock)."""
    moments = [as_utc(i.last_updated) for i in instances if i.last_updated is not None]
    return max([as_utc(wall_clock), *moments])


def _report(run: Instance) -> RunReport | None:
    if run.runtime_status != "Completed" or not isinstance(run.output, dict):
        return None
    try:
        return RunReport.model_validate(run.output)
    except ValueError:
        return None


def _report_row(step: StepOutcome) -> LiveRow:
    elapsed = None
    if step.started_at and step.ended_at:
        elapsed = (as_utc(step.ended_at) - as_utc(step.started_at)).total_seconds()
    return LiveRow(
        step=f"{KIND_WORDS.get(step.kind, step.kind)} · {humanize(step.action)}",
        resource=short_resource(step.resource),
        status=step.status,
        elapsed_s=elapsed,
        detail=step.detail,
    )


def _branch_rows(children: list[Instance], now: datetime) -> list[LiveRow]:
    rows: list[LiveRow] = []
    for child in sorted(children, key=lambda c: (c.created or now, c.instance_id)):
        if child.name == Orchestrators.PROVISION_COMPUTE:
            rows.append(_group_row(child, children, now))
        elif child.name in BRANCH_WORDS:
            rows.append(_branch_row(child, now))
    return rows


def _branch_row(child: Instance, now: datetime) -> LiveRow:
    custom = child.custom_status if isinstance(child.custom_status, dict) else {}
    words = BRANCH_WORDS[child.name]
    resource = str(custom.get("resource") or _label(child.input))
    if child.running:
        return LiveRow(words, short_resource(resource), str(custom.get("state") or "running"), _since(child, now))
    outcome = _outcome(child.output)
    if outcome is None:
        return LiveRow(words, short_resource(resource), "failed", _took(child), str(child.output or "")[:300])
    return LiveRow(words, short_resource(outcome.resource or resource), outcome.status, _took(child), outcome.detail)


def _group_row(compute: Instance, children: list[Instance], now: datetime) -> LiveRow:
    """The failover (or drill) resource group: an activity inside `provision_compute`, which creates it
    before any of its scale sets; so it is done once one of them exists."""
    payload = compute.input if isinstance(compute.input, dict) else {}
    name = str(payload.get("resource_group", ""))
    if not compute.running:
        outputs = compute.output if isinstance(compute.output, list) else []
        outcome = _outcome(outputs[0]) if outputs else None
        if outcome is not None:
            return LiveRow("Resource group · create", name, outcome.status, _took(compute), outcome.detail)
        return LiveRow("Resource group · create", name, "failed", _took(compute), str(compute.output or "")[:300])
    # A new scale set's branch starts only once the group exists (pre-provisioned ones start either way).
    built = any(c.instance_id.startswith(compute.instance_id + ":") and ":vmss-" in c.instance_id for c in children)
    return LiveRow("Resource group · create", name, "succeeded" if built else "running", _since(compute, now))


def _dns_rows(plan: dict[str, Any], phase: str) -> list[LiveRow]:
    status = "running" if phase == "dns" else ("finishing" if phase in _AFTER_DNS else "pending")
    rows = []
    for record in plan.get("dns_records") or []:
        if isinstance(record, dict):
            label = f"{record.get('name')}.{record.get('zone')} {record.get('type', '')}".strip()
            rows.append(LiveRow("DNS record", label, status))
    return rows


def _approval(instance: Instance | None, now: datetime) -> ApprovalView | None:
    if instance is None:
        return None
    custom = instance.custom_status if isinstance(instance.custom_status, dict) else {}
    ledger: dict[str, Any] = custom["approval"] if isinstance(custom.get("approval"), dict) else {}
    if instance.running:
        if custom.get("phase") == "confirming":
            return ApprovalView(
                "confirming", instance.created, _since(instance, now), detail="reading the second signal"
            )
        return ApprovalView(
            "waiting",
            instance.created,
            _since(instance, now),
            expires_at=str(custom.get("expires_at", "")),
            decided_by=[str(a) for a in ledger.get("approvers", [])],
            required=int(ledger.get("required", 1) or 1),
            detail="escalated" if custom.get("escalated") else "",
        )
    output = instance.output if isinstance(instance.output, dict) else {}
    decision = str(output.get("decision") or "failed")
    who = [str(a.get("approver", "")) for a in output.get("approvers", []) if isinstance(a, dict)]
    if output.get("automatic"):
        who = ["policy (the second signal confirmed the outage)"]
    rejected = output.get("rejected_by")
    if isinstance(rejected, dict):
        who = [str(rejected.get("approver", ""))]
    return ApprovalView(
        decision, instance.created, _took(instance), decided_by=who, detail=str(output.get("reason", ""))
    )


def _readiness(report: RunReport | None, instance: Instance | None) -> list[StepOutcome] | None:
    if report is not None:
        return report.readiness
    if instance is None or instance.running or not isinstance(instance.output, list):
        return None
    checks = [_outcome(c) for c in instance.output]
    return [c for c in checks if c is not None]


def _outcome(value: Any) -> StepOutcome | None:
    if isinstance(value, list):
        value = value[-1] if value else None
    if not isinstance(value, dict):
        return None
    try:
        return StepOutcome.model_validate(value)
    except ValueError:
        return None


def _since(instance: Instance, now: datetime) -> float | None:
    if instance.created is None:
        return None
    return max(0.0, (as_utc(now) - as_utc(instance.created)).total_seconds())


def _took(instance: Instance) -> float | None:
    if instance.created is None or instance.last_updated is None:
        return None
    return max(0.0, (as_utc(instance.last_updated) - as_utc(instance.created)).total_seconds())


def _label(input_json: Any) -> str:
    """A branch's resource before it has published one: its plan entry's name (`server/group` for SQL)."""
    payload = json.loads(input_json) if isinstance(input_json, str) else input_json
    item = payload.get("item") if isinstance(payload, dict) else None
    if not isinstance(item, dict):
        return str((payload or {}).get("resource_group", "")) if isinstance(payload, dict) else ""
    if item.get("server"):
        return f"{item['server']}/{item.get('name', '')}"
    return str(item.get("name", ""))
