"""Pure helpers the orchestrators share: building activity inputs, progress, and the report.

No I/O, clock or randomness here: orchestrators call these during replay, so they must give the
same answer every time for the same history.
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import datetime
from typing import Any, Literal

from regionshift.contracts import ActivityInput, RunProgress, RunReport, RunRequest, StepKind, StepOutcome
from regionshift.names import Activities
from regionshift.plan import Plan

Direction = Literal["to_secondary", "to_primary"]


def activity_input(
    plan: Plan,
    item: Any = None,
    *,
    direction: Direction = "to_secondary",
    resource_group: str | None = None,
    capacity: int | None = None,
    tags: dict[str, str] | None = None,
) -> dict[str, Any]:
    return ActivityInput(
        plan=plan.context().model_dump(mode="json"),
        item=item.model_dump(mode="json") if item is not None else {},
        direction=direction,
        resource_group=resource_group,
        capacity=capacity,
        tags=tags or {},
    ).model_dump(mode="json")


def outcomes(results: list[Any]) -> list[StepOutcome]:
    """Flatten activity results (one outcome) and sub-orchestration results (a list of them)."""
    flat: list[StepOutcome] = []
    for result in results:
        if isinstance(result, list):
            flat += [StepOutcome.model_validate(r) for r in result]
        else:
            flat.append(StepOutcome.model_validate(result))
    return flat


def skipped(kind: StepKind, resource: str, action: str, why: str) -> StepOutcome:
    return StepOutcome(kind=kind, resource=resource, action=action, status="skipped", detail=why)


def approval_step(plan_name: str, decision: Any) -> StepOutcome:
    """The approval as a step of the run, with who approved (or why not) for the report."""
    approvers = ", ".join(a.approver for a in decision.approvers) or ("policy" if decision.automatic else "nobody")
    return StepOutcome(
        kind="approval",
        resource=plan_name,
        action="automatic" if decision.automatic else "approve",
        status="succeeded" if decision.decision == "approved" else "failed",
        detail=f"{decision.decision} by {approvers}" + (f": {decision.reason}" if decision.reason else ""),
        data=decision.model_dump(mode="json"),
    )


def progress(phase: str, steps: list[StepOutcome], total: int) -> dict[str, Any]:
    return RunProgress(
        phase=phase,
        done=sum(1 for s in steps if s.ok),
        failed=sum(1 for s in steps if s.status == "failed"),
        total=total,
        branches={f"{s.kind}:{s.resource}": s.status for s in steps},
    ).model_dump(mode="json")


def report(
    operation: Literal["failover", "failback", "drill"],
    plan: Plan,
    instance_id: str,
    started_at: datetime,
    ended_at: datetime,
    steps: list[StepOutcome],
    started_by: str,
    resources: list[dict[str, Any]] | None = None,
    reason: str = "",
    readiness: list[StepOutcome] | None = None,
) -> dict[str, Any]:
    failed = [s for s in steps if s.status == "failed"]
    rpos = [float(s.data["rpo_seconds"]) for s in steps if "rpo_seconds" in s.data]
    return RunReport(
        operation=operation,
        plan=plan.name,
        instance_id=instance_id,
        status="failed" if failed or reason else "succeeded",
        started_at=started_at,
        ended_at=ended_at,
        # The RTO is the time until the workload is served from the target: only a run that got
        # there has one.
        rto_seconds=None if failed or reason else (ended_at - started_at).total_seconds(),
        rpo_seconds=max(rpos) if rpos else None,
        started_by=started_by,
        steps=steps,
        resources=resources or [],
        readiness=readiness or [],
        reason=reason or "; ".join(f"{s.kind} {s.resource}: {s.detail}" for s in failed),
    ).model_dump(mode="json")


def finish(
    context: Any,
    operation: Literal["failover", "failback"],
    plan: Plan,
    request: RunRequest,
    started_at: datetime,
    steps: list[StepOutcome],
    total: int,
    readiness: list[StepOutcome] | None = None,
) -> Generator[Any, Any, dict[str, Any]]:
    """End a run (`result = yield from finish(...)`): read where every resource stands now, then
    build the report. The run's end is taken before that read, so it does not count in the RTO."""
    ended_at = context.current_utc_datetime
    context.set_custom_status(progress("report", steps, total))
    final_state = yield context.call_activity(Activities.DESCRIBE_STATE, {"plan": request.plan})
    result = report(
        operation,
        plan,
        context.instance_id,
        started_at,
        ended_at,
        steps,
        request.started_by,
        final_state,
        readiness=readiness,
    )
    return (yield from publish(context, plan, result, total))


def publish(context: Any, plan: Plan, result: dict[str, Any], total: int) -> Generator[Any, Any, dict[str, Any]]:
    """Publish the report (`yield from`): files and blobs; their links, and whether it was
    published (with the problems if not), go into the returned report."""
    steps = [StepOutcome.model_validate(s) for s in result["steps"]]
    context.set_custom_status(progress("publishing", steps, total))
    publication = yield context.call_activity(
        Activities.PUBLISH_REPORT, {"report": result, "plan": plan.context().model_dump(mode="json")}
    )
    context.set_custom_status(progress(result["status"], steps, total))
    return {**result, **publication}  # links, published, publish_problems
