"""The wire format between orchestrators and activities, and of run reports.

Everything that crosses an activity boundary is plain JSON described by these models: an
orchestrator passes `model.model_dump(mode="json")` and an activity returns one. No custom
class serialisation: the Durable history stores exactly this JSON.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

StepKind = Literal["sql", "cosmos", "resource_group", "scale_set", "dns", "check", "approval"]
StepStatus = Literal["succeeded", "already_done", "failed", "skipped"]
RunStatus = Literal["running", "succeeded", "failed"]
Operation = Literal["failover", "failback", "drill", "check"]


class WireModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StepOutcome(WireModel):
    """What one step did. Activities return one for every expected outcome, failure included,
    so that a fan-in sees every branch (Durable's task_all fails fast on a raised error)."""

    kind: StepKind
    resource: str  # a resource id, or a DNS record's FQDN and type
    action: str  # e.g. planned_failover, forced_failover, create, scale, switch
    status: StepStatus
    started_at: datetime | None = None
    ended_at: datetime | None = None
    detail: str = ""
    data: dict[str, Any] = {}  # step-specific facts: {"forced": true, "replication_lag_seconds": 4}

    @property
    def ok(self) -> bool:
        return self.status in ("succeeded", "already_done")


class ActivityInput(WireModel):
    """Every activity takes the plan's context (`PlanContext` as JSON: names, regions, policy) and
    the one resource it acts on (`item`, that resource's plan entry as JSON), never the whole plan."""

    plan: dict[str, Any]
    item: dict[str, Any] = {}
    # The resource group that compute goes into: the failover group, or a drill's own group.
    resource_group: str | None = None
    # Failback reverses direction: "to_secondary" (failover, drill) or "to_primary" (failback).
    direction: Literal["to_secondary", "to_primary"] = "to_secondary"
    capacity: int | None = None  # override of a scale set's capacity (0 quiesces it)
    tags: dict[str, str] = {}
    # The branch decided on a data-loss action (forced SQL failover, Cosmos DB offline region).
    forced: bool = False
    # The plan's confirmation signal agreed that the primary is out (regionshift.safety).
    confirmed_outage: bool = False
    # A replica branch's looks at its source taken by the run before the branch started
    # (`regionshift.safety.Probe` as JSON: the first look, orchestrators/failover.py).
    prior_probes: list[dict[str, Any]] = []


class SideState(WireModel):
    """One side (primary or secondary) of a replicated resource, as an assessment read it."""

    region: str
    answered: bool  # a positive answer: not a timeout, a reset, a 5xx or a 429
    # ARM throttled the read (429): it says nothing about the side's health, for or against.
    throttled: bool = False
    role: str = ""  # SQL: Primary | Secondary; Cosmos DB: write | read | offline
    state: str = ""  # e.g. SQL replicationState
    location: str = ""  # where the side's server answered from (SQL)
    members: list[str] = []  # what the side holds (a SQL failover group's databases)
    detail: str = ""


class Assessment(WireModel):
    """Where a replicated resource stands before a step acts on it (read-only, every time)."""

    resource: str  # the resource id shown in the report
    target: SideState
    source: SideState
    done: bool = False  # the target already is where the step wants it
    in_progress: bool = False  # an operation is already running on it
    error: str = ""  # the resource cannot be assessed at all (missing, misdeclared)
    facts: dict[str, Any] = {}


class ScaleSetState(WireModel):
    """Where a scale set stands against the capacity a step wants (read-only, every time)."""

    resource: str
    wanted: int
    exists: bool = False
    capacity: int | None = None
    provisioning_state: str = ""
    running: int = 0  # instances that succeeded provisioning
    done: bool = False  # exists (or, for 0, may be absent) with `wanted` instances running
    in_progress: bool = False  # Azure is still creating or updating it
    error: str = ""  # cannot be read, or must not be touched (see detail)


class OperationHandle(WireModel):
    """Where to ask about a long-running operation that was started (regionshift.azure.lro)."""

    subscription_id: str
    url: str
    style: Literal["async", "location"]
    retry_after: float = 10.0


class OperationStatus(WireModel):
    status: Literal["InProgress", "Succeeded", "Failed", "Canceled", "Unknown"]
    retry_after: float = 10.0
    error: str = ""

    @property
    def done(self) -> bool:
        return self.status in ("Succeeded", "Failed", "Canceled")


class Begun(WireModel):
    """What an activity that starts a long-running write found and did."""

    outcome: Literal["started", "done", "in_progress", "refused"]
    handle: OperationHandle | None = None
    detail: str = ""
    data: dict[str, Any] = {}


class NameServerAnswer(WireModel):
    """What one authoritative name server answered for a record (regionshift.azure.dns.ask)."""

    server: str  # as named (the zone's nameServers, or REGIONSHIFT_DNS_SERVERS), with the address asked
    answered: bool  # a DNS answer came (NOERROR, NXDOMAIN, ...), not a timeout or a refusal
    targets: list[str] = []
    ttl: int | None = None
    detail: str = ""  # what it said, in words: "web-cus.contoso.net (TTL 60 s)", "timed out"


class DnsVerification(WireModel):
    """One look at what the zone's authoritative name servers answer for a record."""

    changed: bool  # every server answers the wanted targets
    servers: list[NameServerAnswer] = []
    error: str = ""  # the servers could not be found (the zone unreadable, no name server)

    def describe(self) -> str:
        return self.error or "; ".join(f"{a.server}: {a.detail}" for a in self.servers)


class PlanSlice(WireModel):
    """A part of the plan for one activity to read (the final state, the guard before DNS), so
    that a plan of a thousand resources is read in parallel slices, not by one activity in turn."""

    plan: dict[str, Any]  # PlanContext as JSON
    sql_failover_groups: list[dict[str, Any]] = []
    cosmos_accounts: list[dict[str, Any]] = []
    scale_sets: list[dict[str, Any]] = []
    dns_records: list[dict[str, Any]] = []
    resource_group: str | None = None  # where `create` scale sets are (the failover group, a drill's)
    include_group: bool = False  # describe that resource group too
    direction: Literal["to_secondary", "to_primary"] = "to_secondary"
    capacity: int | None = None  # the capacity the guard expects of every scale set (default: the plan's)


class RunRequest(WireModel):
    """The input of a failover, failback or drill orchestration."""

    plan: dict[str, Any]  # the whole plan, as JSON
    started_by: str = "cli"  # who or what started it: "cli:<user>", "alert:<rule>", "schedule"
    # A person started it explicitly (CLI, manual API call): no separate approval is asked for.
    approved: bool = False
    resource_group: str | None = None  # a drill's own resource group
    # Made by whoever starts the run (CLI, trigger), never by the orchestrator: one value per start,
    # the same on every replay and on a resume. Leases and approval links are bound to it.
    run_id: str = ""
    # sha256 of the plan as it was when the run started (`Plan.digest()`): a resumed run compares it
    # with the plan file as it is now.
    plan_sha256: str = ""
    # Break glass: take the plan's run lease from whichever run holds it (regionshift.lease).
    break_lease: bool = False
    # A person asked to go on although a readiness check failed or could not be answered.
    force: bool = False

    @classmethod
    def new(cls, plan: Any, **fields: Any) -> RunRequest:
        """A request for a new run of `plan` (a `Plan`): its own run id, and the plan's digest."""
        return cls(plan=plan.model_dump(mode="json"), run_id=uuid.uuid4().hex, plan_sha256=plan.digest(), **fields)


class RunProgress(WireModel):
    """The orchestration's custom status: what the CLI and the status API show while it runs."""

    phase: str
    done: int = 0
    failed: int = 0
    total: int = 0
    branches: dict[str, StepStatus | Literal["running", "pending"]] = {}
    cancelled_by: str = ""  # set once the run saw a cancel event: it schedules nothing new


# ARC's CancelPlanExecution takes a comment of at most 1024 characters (API reference, "CancelPlanExecution").
MAX_CANCEL_REASON = 1024


class CancelRequest(WireModel):
    """The data of a `cancel` event (`Events.CANCEL`): who asked, why, and when by their clock."""

    by: str
    reason: str = ""
    at: str = ""

    @classmethod
    def from_event(cls, data: Any) -> CancelRequest:
        """Whatever was raised: an event that is not one of ours still cancels, by "someone"."""
        if isinstance(data, dict):
            by, reason, at = data.get("by"), data.get("reason"), data.get("at")
            return cls(
                by=str(by)[:200] if by else "someone",
                reason=str(reason)[:MAX_CANCEL_REASON] if reason else "",
                at=str(at)[:40] if at else "",
            )
        return cls(by="someone", reason=str(data)[:MAX_CANCEL_REASON] if data else "")

    def describe(self) -> str:
        return f"cancelled by {self.by}" + (f" ({self.reason})" if self.reason else "")


class NextStep(WireModel):
    """What a person can do after a run, computed from where it left things (`regionshift.reports.next_steps`)."""

    title: str  # the option, in a few words: "Allow data loss and run the failover again"
    detail: str = ""  # why, and what it leaves
    commands: list[str] = []  # exact commands, in order


class Resume(WireModel):
    """A run picked up again after it was interrupted: whoever resumes it raises a `resumed-<n>` event
    (regionshift.names.Events.RESUMED) and the run records it in its report."""

    at: str  # ISO 8601, on the clock of the host that resumed it
    by: str = ""  # who resumed it: "cli:<user>"
    previous_start: str = ""  # when the instance was created (the run's first start)


class RunReport(WireModel):
    operation: Operation
    plan: str
    instance_id: str
    status: RunStatus
    started_at: datetime
    ended_at: datetime | None = None
    rto_seconds: float | None = None
    rto_target_seconds: float | None = None  # the plan's policy.rto_target_minutes, when it names one
    rpo_seconds: float | None = None  # the largest replication lag seen when data failed over
    started_by: str = "cli"
    steps: list[StepOutcome] = []
    resources: list[dict[str, Any]] = []  # the final state of every resource the plan names
    readiness: list[StepOutcome] = []
    reason: str = ""
    # The plan's run lease this run held (or was refused): backend, holder, a broken holder.
    lease: dict[str, Any] = {}
    # A cancelled run: who, why, when they asked, and the phase it was in (`CancelRequest` + phase).
    cancelled: dict[str, Any] = {}
    # Where the report was published (file paths and blob URLs); filled in after it was written.
    links: list[str] = []
    # Whether the report reached everywhere it should (the report folder, and the blob container
    # the plan or the environment names); None until publishing was tried (as in the files
    # themselves, written before the outcome is known). Each problem is one line naming where and why.
    published: bool | None = None
    publish_problems: list[str] = []
    # What a person can do next, computed from the end state when the report is published.
    next_steps: list[NextStep] = []
    # Every time the run was interrupted and picked up again, in order; empty for a run that ran through.
    resumes: list[Resume] = []
