"""The wire format between orchestrators and activities, and of run reports.

Everything that crosses an activity boundary is plain JSON described by these models: an
orchestrator passes `model.model_dump(mode="json")` and an activity returns one. No custom
class serialisation: the Durable history stores exactly this JSON.
"""

from __future__ import annotations

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
    # sha256 of the plan as it was when the run started (`regionshift.plan.plan_digest`): a resumed
    # run compares it with the plan file as it is now.
    plan_sha256: str = ""


class RunProgress(WireModel):
    """The orchestration's custom status: what the CLI and the status API show while it runs."""

    phase: str
    done: int = 0
    failed: int = 0
    total: int = 0
    branches: dict[str, StepStatus | Literal["running", "pending"]] = {}


class RunReport(WireModel):
    operation: Operation
    plan: str
    instance_id: str
    status: RunStatus
    started_at: datetime
    ended_at: datetime | None = None
    rto_seconds: float | None = None
    rpo_seconds: float | None = None  # the largest replication lag seen when data failed over
    started_by: str = "cli"
    steps: list[StepOutcome] = []
    resources: list[dict[str, Any]] = []  # the final state of every resource the plan names
    readiness: list[StepOutcome] = []
    reason: str = ""
    # Where the report was published (file paths and blob URLs); filled in after it was written.
    links: list[str] = []
    # Whether the report reached everywhere it should (the report folder, and the blob container
    # the plan or the environment names); None until publishing was tried (as in the files
    # themselves, written before the outcome is known). Each problem is one line naming where and why.
    published: bool | None = None
    publish_problems: list[str] = []
