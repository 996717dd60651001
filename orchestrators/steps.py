"""Pure helpers the orchestrators share: activity inputs, branches, progress, the guard and the report.

No I/O, clock or randomness here: orchestrators call these during replay, so they must give the
same answer every time for the same history.
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import datetime
from typing import Any, Literal

from orchestrators.cancel import Cancellation, cancel_summary
from orchestrators.fanout import Branch, run_branches
from regionshift.azure.dns import record_label
from regionshift.azure.inventory import slices
from regionshift.contracts import (
    ActivityInput,
    CancelRequest,
    Resume,
    RunProgress,
    RunReport,
    RunRequest,
    StepKind,
    StepOutcome,
    StepStatus,
)
from regionshift.names import Activities, Events, Orchestrators
from regionshift.plan import Plan, PlanContext
from regionshift.safety import Decision, Reading, dns_may_move

Direction = Literal["to_secondary", "to_primary"]


def activity_input(
    plan: PlanContext,
    item: Any = None,
    *,
    direction: Direction = "to_secondary",
    resource_group: str | None = None,
    capacity: int | None = None,
    tags: dict[str, str] | None = None,
    confirmed_outage: bool = False,
) -> dict[str, Any]:
    context = plan.context() if isinstance(plan, Plan) else plan
    return ActivityInput(
        plan=context.model_dump(mode="json"),
        item=item.model_dump(mode="json") if item is not None else {},
        direction=direction,
        resource_group=resource_group,
        capacity=capacity,
        tags=tags or {},
        confirmed_outage=confirmed_outage,
    ).model_dump(mode="json")


def replica_branches(
    plan: Plan, direction: Direction, *, confirmed_outage: bool = False, key: str = ""
) -> list[Branch]:
    """One branch per SQL failover group and Cosmos DB account, in plan order."""
    context = plan.context()
    branches = [
        Branch(
            name=Orchestrators.SQL_BRANCH,
            key=f"{key}sql{i}",
            input=activity_input(context, g, direction=direction, confirmed_outage=confirmed_outage),
        )
        for i, g in enumerate(plan.sql_failover_groups)
    ]
    branches += [
        Branch(
            name=Orchestrators.COSMOS_BRANCH,
            key=f"{key}cosmos{i}",
            input=activity_input(context, a, direction=direction, confirmed_outage=confirmed_outage),
        )
        for i, a in enumerate(plan.cosmos_accounts)
    ]
    return branches


def dns_branches(plan: Plan, direction: Direction) -> list[Branch]:
    """One branch per record: written, then verified on its name servers (orchestrators/dns.py)."""
    context = plan.context()
    return [
        Branch(name=Orchestrators.DNS_RECORD, key=f"dns{i}", input=activity_input(context, r, direction=direction))
        for i, r in enumerate(plan.dns_records)
    ]


def outcomes(results: list[Any]) -> list[StepOutcome]:
    """Flatten activity results (one outcome) and sub-orchestration results (a list of them)."""
    flat: list[StepOutcome] = []
    for result in results:
        if isinstance(result, list):
            flat += [StepOutcome.model_validate(r) for r in result]
        else:
            flat.append(StepOutcome.model_validate(result))
    return flat


def stamped(steps: list[StepOutcome], started: datetime, ended: datetime) -> list[StepOutcome]:
    """Steps done by activities, timed on the orchestration's clock (the host's, which on a
    compressed clock is Azure's time) instead of the activity's own wall clock."""
    return [s.model_copy(update={"started_at": started, "ended_at": ended}) for s in steps]


def switch_dns(context: Any, plan: Plan, direction: Direction) -> Generator[Any, Any, list[StepOutcome]]:
    """Every DNS record of the plan to `direction`'s targets, each verified where clients ask, in
    parallel (`yield from`); each branch times its own step on the orchestration's clock."""
    return outcomes((yield from run_branches(context, dns_branches(plan, direction))))


def skipped(kind: StepKind, resource: str, action: str, why: str) -> StepOutcome:
    return StepOutcome(kind=kind, resource=resource, action=action, status="skipped", detail=why)


def skipped_dns(plan: Plan, direction: Direction, why: str) -> list[StepOutcome]:
    action = "switch_to_primary" if direction == "to_primary" else "switch_to_secondary"
    return [skipped("dns", record_label(r), action, why) for r in plan.dns_records]


_APPROVAL_STATUS: dict[str, StepStatus] = {"approved": "succeeded", "cancelled": "skipped"}


def approval_step(plan_name: str, decision: Any) -> StepOutcome:
    """The approval as a step of the run, with who approved (or why not) for the report."""
    approvers = ", ".join(a.approver for a in decision.approvers) or ("policy" if decision.automatic else "nobody")
    return StepOutcome(
        kind="approval",
        resource=plan_name,
        action="automatic" if decision.automatic else "approve",
        status=_APPROVAL_STATUS.get(decision.decision, "failed"),
        detail=f"{decision.decision} by {approvers}" + (f": {decision.reason}" if decision.reason else ""),
        data=decision.model_dump(mode="json"),
    )


def progress(phase: str, steps: list[StepOutcome], total: int, cancel: Cancellation | None = None) -> dict[str, Any]:
    """The custom status: small and the same size whatever the plan's size (the Durable extension
    fails an orchestration whose custom status exceeds 16 KB). Branches are read from the
    instances of the branches themselves (regionshift.cli.progress)."""
    return RunProgress(
        phase=phase,
        done=sum(1 for s in steps if s.ok),
        failed=sum(1 for s in steps if s.status == "failed"),
        total=total,
        cancelled_by=cancel.by if cancel is not None else "",
    ).model_dump(mode="json")


def not_started(
    plan: Plan, why: str, *, data: bool = True, compute: bool = True, dns: Direction | None = None
) -> list[StepOutcome]:
    """Skipped steps for what a stopped run never started, so its report names every resource."""
    steps: list[StepOutcome] = []
    if compute:
        if any(s.mode == "create" for s in plan.scale_sets):
            steps.append(skipped("resource_group", plan.failover_resource_group, "create", why))
        steps += [skipped("scale_set", s.name, s.mode, why) for s in plan.scale_sets]
    if data:
        steps += [skipped("sql", g.name, "failover", why) for g in plan.sql_failover_groups]
        steps += [skipped("cosmos", a.name, "failover", why) for a in plan.cosmos_accounts]
    if dns is not None:
        steps += skipped_dns(plan, dns, why)
    return steps


def guard_before_dns(
    context: Any, plan: Plan, direction: Direction, resource_group: str | None = None
) -> Generator[Any, Any, tuple[Decision, StepOutcome]]:
    """`SPLIT_BRAIN_GUARD` (`yield from`): read every data primary, write region and scale set again,
    right before DNS moves; DNS moves only if all of them are in the target."""
    started = context.current_utc_datetime
    capacity = 0 if direction == "to_primary" else None  # failing back: the secondary's compute is quiesced
    fields: dict[str, Any] = {"direction": direction, "resource_group": resource_group, "capacity": capacity}
    parts = slices(plan, dns=False, compute=False, **fields)
    if plan.scale_sets:  # in one part: it lists each resource group's scale sets once (compute.readings)
        parts += slices(plan, size=len(plan.scale_sets), data=False, dns=False, **fields)
    branches = [
        Branch(kind="activity", name=Activities.READ_TARGETS, key=f"guard{i}", input=p.model_dump(mode="json"))
        for i, p in enumerate(parts)
    ]
    readings = [Reading.model_validate(r) for r in (yield from run_branches(context, branches))]
    decision = dns_may_move(readings)
    step = StepOutcome(
        kind="check",
        resource=plan.name,
        action="split_brain_guard",
        status="succeeded" if decision.allowed else "failed",
        started_at=started,
        ended_at=context.current_utc_datetime,
        detail=decision.reason,
        data={"rule": decision.rule, "readings": len(readings)},
    )
    return decision, step


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
    lease: dict[str, Any] | None = None,
    cancelled: CancelRequest | None = None,
    phase: str = "",
) -> dict[str, Any]:
    # A run stopped by a cancel in `phase` says what ran and what that leaves (orchestrators/cancel.py);
    # a cancel that came after the last phase had started (no `phase`) stopped nothing, and is only noted.
    if cancelled is not None and phase:
        reason = cancel_summary(cancelled, phase, steps, resources or [])
    failed = [s for s in steps if s.status == "failed"]
    rpos = [float(s.data["rpo_seconds"]) for s in steps if "rpo_seconds" in s.data]
    # The RTO is the time until clients can reach the target: until the last DNS record's name
    # servers answer the new targets and the old answer's TTL has run out (orchestrators/dns.py);
    # without DNS records, until the run's end. Only a run that got there has one.
    reached = [datetime.fromisoformat(s.data["clients_expire_at"]) for s in steps if "clients_expire_at" in s.data]
    served_at = max(reached) if reached else ended_at
    return RunReport(
        operation=operation,
        plan=plan.name,
        instance_id=instance_id,
        status="failed" if failed or reason else "succeeded",
        started_at=started_at,
        ended_at=ended_at,
        # The RTO is the time until clients can reach the target (the DNS records' verification):
        # only a run that got there has one.
        rto_seconds=None if failed or reason else (served_at - started_at).total_seconds(),
        rto_target_seconds=plan.policy.rto_target_minutes * 60.0 if plan.policy.rto_target_minutes else None,
        rpo_seconds=max(rpos) if rpos else None,
        started_by=started_by,
        steps=steps,
        resources=resources or [],
        readiness=readiness or [],
        reason=reason or "; ".join(f"{s.kind} {s.resource}: {s.detail}" for s in failed),
        lease=lease or {},
        cancelled=(
            {**cancelled.model_dump(mode="json"), "phase": phase or None, "stopped_the_run": bool(phase)}
            if cancelled is not None
            else {}
        ),
    ).model_dump(mode="json")


def final_state(
    context: Any, plan: Plan, resource_group: str | None = None
) -> Generator[Any, Any, list[dict[str, Any]]]:
    """Where every resource stands now, read in parallel slices (`yield from`)."""
    include_group = any(s.mode == "create" for s in plan.scale_sets)
    parts = slices(plan, resource_group=resource_group)
    if parts and include_group:
        parts[0] = parts[0].model_copy(update={"include_group": True})
    branches = [
        Branch(kind="activity", name=Activities.DESCRIBE_STATE, key=f"state{i}", input=p.model_dump(mode="json"))
        for i, p in enumerate(parts)
    ]
    return list((yield from run_branches(context, branches)))


def finish(
    context: Any,
    operation: Literal["failover", "failback"],
    plan: Plan,
    request: RunRequest,
    started_at: datetime,
    steps: list[StepOutcome],
    total: int,
    readiness: list[StepOutcome] | None = None,
    lease: dict[str, Any] | None = None,
    cancel: Cancellation | None = None,
    phase: str = "",
) -> Generator[Any, Any, dict[str, Any]]:
    """End a run (`result = yield from finish(...)`): read where every resource stands now, then
    build the report. The run's end is taken before that read, so it does not count in the RTO.
    A run cancelled in `phase` says so, with what ran and what that leaves."""
    ended_at = context.current_utc_datetime
    cancelled = cancel.request if cancel is not None else None
    context.set_custom_status(progress("report", steps, total, cancel))
    state = yield from final_state(context, plan)
    result = report(
        operation,
        plan,
        context.instance_id,
        started_at,
        ended_at,
        steps,
        request.started_by,
        state,
        readiness=readiness,
        lease=lease,
        cancelled=cancelled,
        phase=phase,
    )
    return (yield from publish(context, plan, result, total))


def publish(context: Any, plan: Plan, result: dict[str, Any], total: int) -> Generator[Any, Any, dict[str, Any]]:
    """Publish the report (`yield from`): files and blobs; their links, and whether it was
    published (with the problems if not), go into the returned report."""
    steps = [StepOutcome.model_validate(s) for s in result["steps"]]
    context.set_custom_status(progress("publishing", steps, total))
    result = {**result, "resumes": (yield from resumes(context))}
    publication = yield context.call_activity(
        Activities.PUBLISH_REPORT, {"report": result, "plan": plan.context().model_dump(mode="json")}
    )
    context.set_custom_status(progress(result["status"], steps, total))
    return {**result, **publication}  # links, published, publish_problems


MAX_RESUMES = 100  # a run resumed more often than this records the first hundred


def resumes(context: Any) -> Generator[Any, Any, list[dict[str, Any]]]:
    """The `resumed-<n>` events raised on this run so far, in order (`yield from`).

    An event raised before the orchestration waits for it is kept and delivered when it does (Learn,
    "Handling external events in Durable Functions"; in the Python SDK, `deferred_tasks` in
    DurableOrchestrationContext), so each is read with a timer due now beside it: an event already
    there wins at once, and when there is none the timer ends the wait. Numbered names, because the
    SDK keeps only the last buffered event of one name."""
    found: list[dict[str, Any]] = []
    while len(found) < MAX_RESUMES:
        event = context.wait_for_external_event(Events.resumed(len(found) + 1))
        timer = context.create_timer(context.current_utc_datetime)
        winner = yield context.task_any([event, timer])
        if winner != event:
            return found
        timer.cancel()
        data = event.result if isinstance(event.result, dict) else {}
        found.append(
            Resume(
                at=str(data.get("at", "")),
                by=str(data.get("by", "")),
                previous_start=str(data.get("previous_start", "")),
            ).model_dump(mode="json")
        )
    return found
