"""The drill orchestration: prove a failover would work, without touching production.

It runs the readiness checks first (read-only), then never starts a SQL, Cosmos DB or DNS branch:
by construction a drill cannot change production data replicas or DNS. It builds the
`create`-mode scale sets in a resource group of its own (named for the run, distinct from the
failover resource group, tagged with the drill's instance) in the secondary region, waits until the
instances run (and, where the plan gives a health probe URL, until it answers), measures every step,
and then ALWAYS deletes the drill's resource group — also when a step failed or the drill timed
out — retrying through transient errors, and only a group tagged as this drill's.

`scale`-mode scale sets are production resources pre-provisioned in the secondary; a drill
does not scale them (their existence is a readiness check).
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import azure.durable_functions as df

from orchestrators.cancel import Cancellation
from orchestrators.lease import holding_lease
from orchestrators.steps import activity_input, outcomes, progress, publish, report, skipped
from orchestrators.waiting import sleep
from regionshift.azure.readiness import blocking
from regionshift.azure.resources import DRILL_TAG, PLAN_TAG
from regionshift.contracts import RunRequest, StepOutcome
from regionshift.names import Activities, Orchestrators
from regionshift.plan import Plan, ScaleSet
from regionshift.plan.arm_names import RESOURCE_GROUP_MAX

bp = df.Blueprint()

# How long the drill's compute may take before it is called failed (and cleaned up anyway).
DRILL_TIMEOUT = timedelta(minutes=45)
HEALTH_PROBE_TIMEOUT = timedelta(minutes=10)
HEALTH_PROBE_INTERVAL = timedelta(seconds=10)


def drill_resource_group(plan: Plan, run_suffix: str) -> str:
    """`<failover_resource_group>-drill-<time>`: never the failover group itself, never truncated
    (a truncated name could be the failover group's). The plan validator leaves room for the suffix."""
    return f"{plan.failover_resource_group}-drill-{run_suffix}"


def _refusal(plan: Plan, group: str) -> str:
    if group.lower() == plan.failover_resource_group.lower():
        return f"the drill's resource group {group} is the failover resource group; a drill never uses it"
    if len(group) > RESOURCE_GROUP_MAX:
        return f"the drill's resource group name {group} is longer than {RESOURCE_GROUP_MAX} characters"
    return ""


@bp.function_name(Orchestrators.DRILL)
@bp.orchestration_trigger(context_name="context")
def drill(context: df.DurableOrchestrationContext) -> Generator[Any, Any, dict[str, Any]]:
    request = RunRequest.model_validate(context.get_input())
    plan = Plan.model_validate(request.plan)
    started_at = context.current_utc_datetime  # the first episode's time: the same on every replay
    cancel = Cancellation(context)  # [cancel] made once, at the start (orchestrators/cancel.py)
    body = partial(_drill, context, request, plan, started_at, cancel=cancel)
    return (yield from holding_lease(context, "drill", plan, request, started_at, body))


def _drill(
    context: Any, request: RunRequest, plan: Plan, started_at: datetime, lease: dict[str, Any], *, cancel: Cancellation
) -> Generator[Any, Any, dict[str, Any]]:
    group = request.resource_group or drill_resource_group(plan, started_at.strftime("%Y%m%d%H%M%S"))
    tags = {PLAN_TAG: plan.name, DRILL_TAG: context.instance_id}
    creates = [s for s in plan.scale_sets if s.mode == "create"]
    total = len(creates) + 2
    steps: list[StepOutcome] = [
        skipped("scale_set", s.name, "scale", "not drilled: a pre-provisioned production scale set")
        for s in plan.scale_sets
        if s.mode == "scale"
    ]
    refusal = _refusal(plan, group)
    if refusal:
        ended = context.current_utc_datetime
        result = report(
            "drill",
            plan,
            context.instance_id,
            started_at,
            ended,
            steps,
            request.started_by,
            reason=refusal,
            lease=lease,
        )
        return (yield from publish(context, plan, result, total))

    context.set_custom_status(progress("readiness", steps, total))
    readiness = outcomes(
        [
            (
                yield from cancel.watch(
                    context.call_sub_orchestrator(
                        Orchestrators.READINESS, {"plan": request.plan}, instance_id=f"{context.instance_id}:readiness"
                    )
                )
            )
        ]
    )
    # A failing required check fails the drill (a failover would not work now), but the compute is
    # still built and measured: a drill should find every problem, not only the first.
    failing = blocking(plan, readiness)
    reason = "; ".join(f"{c.action} {c.resource}: {c.detail}" for c in failing)
    # [cancel] A cancelled drill builds and probes nothing more, but always cleans up: its own
    # resource group is all it ever changes, and leaving it would be the drill's only harm.
    phase = ""
    if cancel.requested:
        phase = "readiness"
        steps += [skipped("scale_set", s.name, "create", f"not started: {cancel.by}") for s in creates]
    else:
        context.set_custom_status(progress("compute", steps, total))
        compute = context.call_sub_orchestrator(
            Orchestrators.PROVISION_COMPUTE,
            {"plan": request.plan, "resource_group": group, "tags": tags},
            instance_id=f"{context.instance_id}:compute",
        )
        deadline = context.create_timer(context.current_utc_datetime + DRILL_TIMEOUT)
        winner = yield context.task_any([compute, deadline])
        phase = "compute" if cancel.requested else ""
        if winner == compute:
            deadline.cancel()
            steps += outcomes([compute.result])
            probes = [s for s in creates if s.health_probe_url]
            if probes and all(s.ok for s in steps) and not cancel.requested:
                context.set_custom_status(progress("health", steps, total))
                for scale_set in probes:
                    steps.append((yield from _probe_until_healthy(context, scale_set)))
        else:
            steps.append(
                StepOutcome(
                    kind="scale_set",
                    resource=group,
                    action="create",
                    status="failed",
                    detail=f"timed out after {DRILL_TIMEOUT}",
                )
            )

    ended_at = context.current_utc_datetime
    context.set_custom_status(progress("cleanup", steps, total))
    steps += outcomes(
        [
            (
                yield context.call_sub_orchestrator(
                    Orchestrators.DELETE_GROUP,
                    activity_input(plan, resource_group=group, tags=tags),
                    instance_id=f"{context.instance_id}:cleanup",
                )
            )
        ]
    )
    result = report(
        "drill",
        plan,
        context.instance_id,
        started_at,
        ended_at,
        steps,
        request.started_by,
        reason=f"readiness: {reason}" if reason else "",
        readiness=readiness,
        lease=lease,
        cancelled=cancel.request,
        phase=phase,
    )
    return (yield from publish(context, plan, result, total))


def _probe_until_healthy(context: Any, scale_set: ScaleSet) -> Generator[Any, Any, StepOutcome]:
    """GET the plan's health probe URL on a durable timer until it answers 2xx or time is up."""
    started = context.current_utc_datetime
    deadline = started + HEALTH_PROBE_TIMEOUT
    while True:
        result = StepOutcome.model_validate(
            (
                yield context.call_activity(
                    Activities.PROBE_HEALTH, {"url": scale_set.health_probe_url, "name": scale_set.name}
                )
            )
        )
        if result.ok or context.current_utc_datetime >= deadline:
            detail = result.detail if result.ok else f"no 2xx within {HEALTH_PROBE_TIMEOUT}: {result.detail}"
            return result.model_copy(
                update={"started_at": started, "ended_at": context.current_utc_datetime, "detail": detail}
            )
        yield from sleep(context, HEALTH_PROBE_INTERVAL, deadline)
