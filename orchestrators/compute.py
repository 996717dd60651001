"""Compute branches: a scale set brought to its capacity, the failover (or drill) resource group
with its new scale sets, and the deletion of a group regionshift created.

Every branch returns step outcomes and never raises, so the parent's fan-in sees it end like any
other. Nothing waits inside an activity: operations are polled, and instances counted, on durable
timers up to a deadline.
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import timedelta
from typing import Any

import azure.durable_functions as df

from orchestrators.cancel import Cancellation
from orchestrators.fanout import Branch, never_raises, run_branches
from orchestrators.steps import activity_input, outcomes, skipped, stamped
from orchestrators.waiting import DEADLINES, poll_delay, sleep, wait_for_operation
from regionshift.contracts import ActivityInput, Begun, ScaleSetState, StepOutcome
from regionshift.names import Activities, Orchestrators
from regionshift.plan import Plan, PlanContext, ScaleSet

bp = df.Blueprint()
INSTANCE_POLL_SECONDS = 10.0  # between counts of running instances, once Azure accepted the change
MAX_STARTS = 3  # a create or update refused (transiently) or failed this often fails the branch
DELETE_ATTEMPTS = 6  # a transient failure to delete a group is retried, with back-off


@bp.function_name(Orchestrators.SCALE_SET_BRANCH)
@bp.orchestration_trigger(context_name="context")
def scale_set_branch(context: df.DurableOrchestrationContext) -> Generator[Any, Any, dict[str, Any]]:
    return (yield from never_raises(context, "scale_set", _scale_set(context)))


def _scale_set(context: Any) -> Generator[Any, Any, dict[str, Any]]:
    """Begin first: `begin` reads the scale set before it acts, and the state it read is the branch's
    first look (no read of its own before it: ARM's read budget is per subscription, and a thousand
    branches reading twice before their first write would delay the longest operations in the run).
    The cancel event is watched on a timer due now, so a cancel that came before the branch started
    is known before that first activity, which may write (orchestrators/cancel.py)."""
    raw = context.get_input()
    args = ActivityInput.model_validate(raw)
    scale_set = ScaleSet.model_validate(args.item)
    started = context.current_utc_datetime
    deadline = started + DEADLINES["scale_set"]
    cancel = Cancellation(context)  # [cancel] checked before every write
    yield from cancel.watch(context.create_timer(started))
    begun: Begun | None = None
    if cancel.requested:  # [cancel] read only, to say what it leaves
        found = ScaleSetState.model_validate((yield context.call_activity(Activities.SCALE_SET_ASSESS, raw)))
    else:
        begun = Begun.model_validate((yield context.call_activity(Activities.SCALE_SET_BEGIN, raw)))
        seen = begun.data.get("found")  # absent only when the activity could not run at all
        found = ScaleSetState.model_validate(seen or {"resource": scale_set.name, "wanted": -1, "error": begun.detail})
    action = "create" if scale_set.mode == "create" and not found.exists and found.wanted > 0 else "scale"
    acted, starts, last = False, 0, ""

    def end(status: str, detail: str, **data: Any) -> dict[str, Any]:
        return StepOutcome(
            kind="scale_set",
            resource=found.resource,
            action=action,
            status=status,  # type: ignore[arg-type]
            started_at=started,
            ended_at=context.current_utc_datetime,
            detail=detail,
            data=data,
        ).model_dump(mode="json")

    while True:
        if begun is None:
            if found.error:
                return end("failed", found.error)
            if found.provisioning_state.lower() == "failed":
                return end("failed", f"Azure reports the scale set's provisioning as Failed ({last or 'no detail'})")
            if found.done:
                if not acted:
                    return end("already_done", f"runs {found.running} instances", capacity=found.wanted)
                verb = "created with" if action == "create" else "scaled to"
                return end(
                    "succeeded", f"{verb} {found.wanted} instances ({found.running} running)", capacity=found.wanted
                )
            if context.current_utc_datetime >= deadline:
                return end(
                    "failed",
                    f"{found.running} of {found.wanted} instances running after {DEADLINES['scale_set']} ({last})",
                )
            if found.in_progress or (found.exists and found.capacity == found.wanted):
                context.set_custom_status({"kind": "scale_set", "resource": found.resource, "state": "waiting"})
                yield from sleep(context, poll_delay(INSTANCE_POLL_SECONDS), deadline)
                found = ScaleSetState.model_validate((yield context.call_activity(Activities.SCALE_SET_ASSESS, raw)))
                continue
            if starts >= MAX_STARTS:
                return end("failed", f"Azure did not take the change after {starts} attempts: {last}")
            if cancel.requested:  # [cancel] nothing runs on it, and nothing is started after a cancel
                if acted:
                    return end("failed", f"{cancel.by} before the change was made again ({last})")
                return end("skipped", f"{cancel.by}: the scale set was not changed")
            begun = Begun.model_validate((yield context.call_activity(Activities.SCALE_SET_BEGIN, raw)))
        found = ScaleSetState.model_validate(begun.data.get("found") or found.model_dump(mode="json"))
        if begun.outcome in ("done", "in_progress") and not begun.data.get("wrote"):
            begun = None  # begin only read (done, or busy): what it read decides, as a read would have
            continue
        starts += 1
        last = begun.detail
        if begun.outcome == "refused" and (not begun.data.get("retry") or starts >= MAX_STARTS):
            return end("failed", begun.detail)
        if begun.outcome == "refused":  # transient (no answer, 5xx, 429): read again, then try again
            yield from sleep(context, poll_delay(5.0 * 2**starts), deadline)
        else:
            acted = True
        if begun.handle is not None:
            context.set_custom_status({"kind": "scale_set", "resource": found.resource, "state": "waiting"})
            status = yield from wait_for_operation(context, begun.handle, deadline)
            if status.status in ("Failed", "Canceled"):
                return end("failed", f"{action} failed: {status.error or status.status}")
        begun = None
        found = ScaleSetState.model_validate((yield context.call_activity(Activities.SCALE_SET_ASSESS, raw)))


def scale_set_branches(
    plan: PlanContext,
    scale_sets: list[ScaleSet],
    *,
    key: str,
    resource_group: str | None = None,
    capacity: int | None = None,
    tags: dict[str, str] | None = None,
) -> list[Branch]:
    return [
        Branch(
            name=Orchestrators.SCALE_SET_BRANCH,
            key=f"{key}-{s.name}",
            input=activity_input(plan, s, resource_group=resource_group, capacity=capacity, tags=tags),
        )
        for s in scale_sets
    ]


@bp.function_name(Orchestrators.PROVISION_COMPUTE)
@bp.orchestration_trigger(context_name="context")
def provision_compute(context: df.DurableOrchestrationContext) -> Generator[Any, Any, list[dict[str, Any]]]:
    """The resource group first (scale sets go into it), then every `create` scale set in parallel;
    with `"scale": true`, the pre-provisioned ones after them, in the same fan-out.

    Why the failover hands its scale-ups here rather than starting them beside this branch: ARM's
    write budget is per subscription (200, then 10 a second), and scale-ups started while the group
    is being created take the burst the creations (the longest operations, 180 s against 120 s)
    then wait for; after them, the scale-ups' own wait is still shorter than the creations'."""
    request = context.get_input()
    plan = Plan.model_validate(request["plan"])
    group: str = request["resource_group"]
    tags: dict[str, str] = request.get("tags", {})
    to_create = [s for s in plan.scale_sets if s.mode == "create"]
    to_scale = [s for s in plan.scale_sets if s.mode == "scale"] if request.get("scale") else []
    context_plan = plan.context()
    scale_ups = scale_set_branches(context_plan, to_scale, key="scale", tags=tags)

    started = context.current_utc_datetime
    cancel = Cancellation(context)  # [cancel] no scale set is created after a cancel
    group_result = yield from cancel.watch(
        context.call_activity(
            Activities.ENSURE_RESOURCE_GROUP, activity_input(context_plan, resource_group=group, tags=tags)
        )
    )
    steps: list[StepOutcome] = stamped(outcomes([group_result]), started, context.current_utc_datetime)
    if cancel.requested:
        steps += [skipped("scale_set", s.name, "create", f"{cancel.by}: not created") for s in to_create]
        steps += [skipped("scale_set", s.name, "scale", f"{cancel.by}: not changed") for s in to_scale]
        return [s.model_dump(mode="json") for s in steps]
    if not steps[0].ok:  # the pre-provisioned scale sets do not need the group: they go on
        why = f"resource group {group} could not be created"
        steps += [skipped("scale_set", s.name, "create", why) for s in to_create]
        steps += outcomes((yield from run_branches(context, scale_ups)))
        return [s.model_dump(mode="json") for s in steps]
    branches = scale_set_branches(context_plan, to_create, key="vmss", resource_group=group, tags=tags)
    steps += outcomes((yield from run_branches(context, branches + scale_ups)))
    return [s.model_dump(mode="json") for s in steps]


@bp.function_name(Orchestrators.DELETE_GROUP)
@bp.orchestration_trigger(context_name="context")
def delete_group(context: df.DurableOrchestrationContext) -> Generator[Any, Any, dict[str, Any]]:
    """Delete a group regionshift created (the activity refuses any other), through transient errors."""
    return (yield from never_raises(context, "resource_group", _delete_group(context)))


def _delete_group(context: Any) -> Generator[Any, Any, dict[str, Any]]:
    raw = context.get_input()
    args = ActivityInput.model_validate(raw)
    plan = PlanContext.model_validate(args.plan)
    group = args.resource_group or plan.failover_resource_group
    started = context.current_utc_datetime
    deadline = started + DEADLINES["resource_group"]
    resource = f"/subscriptions/{plan.subscription_id}/resourceGroups/{group}"
    acted, failures, last = False, 0, ""

    def end(status: str, detail: str) -> dict[str, Any]:
        return StepOutcome(
            kind="resource_group",
            resource=resource,
            action="delete",
            status=status,  # type: ignore[arg-type]
            started_at=started,
            ended_at=context.current_utc_datetime,
            detail=detail,
        ).model_dump(mode="json")

    while True:
        begun = Begun.model_validate((yield context.call_activity(Activities.BEGIN_DELETE_RESOURCE_GROUP, raw)))
        if begun.outcome == "done":
            return (
                end("succeeded", f"deleted {group} and everything in it")
                if acted
                else end("already_done", begun.detail)
            )
        if context.current_utc_datetime >= deadline:
            return end("failed", f"{group} was not deleted before the {DEADLINES['resource_group']} deadline ({last})")
        if begun.outcome == "refused" and not begun.data.get("retry"):
            return end("failed", begun.detail)
        if begun.outcome == "refused":
            failures += 1
            last = begun.detail
            if failures >= DELETE_ATTEMPTS:
                return end("failed", f"{group} could not be deleted after {failures} attempts: {last}")
            yield from sleep(context, timedelta(seconds=5 * 2**failures), deadline)
            continue
        acted = True
        if begun.handle is None:
            yield from sleep(context, poll_delay(15.0), deadline)
            continue
        status = yield from wait_for_operation(context, begun.handle, deadline)
        if status.status in ("Failed", "Canceled"):
            failures += 1
            last = status.error or status.status
            if failures >= DELETE_ATTEMPTS:
                return end("failed", f"{group} could not be deleted after {failures} attempts: {last}")
            yield from sleep(context, timedelta(seconds=5 * 2**failures), deadline)
