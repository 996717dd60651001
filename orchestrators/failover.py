"""The failover orchestration: data and compute in parallel, then DNS, and only then.

Fan-out: every SQL failover group, every Cosmos DB account, every pre-provisioned scale set to
scale, and the compute branch (a sub-orchestration: resource group, then new scale sets). Fan-in
waits for every branch — activities return failures as outcomes instead of raising, so one failed
branch does not cut the others short. DNS is switched only when every branch succeeded: DNS must
never point at a region whose data has not failed over. If any branch failed, DNS stays on the
primary and the run ends `failed` with each branch's reason.

Progress is published as custom status at phase boundaries. A `task_any` loop would show each
branch as it lands, but it makes every replay quadratic in the number of branches; per-branch
progress is read from the instance's history instead (see regionshift.cli.progress).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import azure.durable_functions as df

from orchestrators.steps import activity_input, approval_step, finish, outcomes, progress, publish, report, skipped
from regionshift.approvals.wire import ApprovalInput, ApprovalOutcome
from regionshift.azure.dns import record_label
from regionshift.azure.readiness import blocking
from regionshift.contracts import RunRequest, StepOutcome
from regionshift.names import Activities, Orchestrators
from regionshift.plan import Plan

bp = df.Blueprint()


@bp.function_name(Orchestrators.FAILOVER)
@bp.orchestration_trigger(context_name="context")
def failover(context: df.DurableOrchestrationContext) -> Generator[Any, Any, dict[str, Any]]:
    request = RunRequest.model_validate(context.get_input())
    plan = Plan.model_validate(request.plan)
    started_at = context.current_utc_datetime
    tags = {"regionshift-plan": plan.name, "regionshift-run": context.instance_id}

    def stopped(
        steps: list[StepOutcome], reason: str, readiness: list[StepOutcome] | None = None
    ) -> Generator[Any, Any, dict[str, Any]]:
        """Publish the report of a run that ends before its first write (`yield from`)."""
        ended = context.current_utc_datetime
        result = report(
            "failover",
            plan,
            context.instance_id,
            started_at,
            ended,
            steps,
            request.started_by,
            reason=reason,
            readiness=readiness,
        )
        return (yield from publish(context, plan, result, 0))

    approval: list[StepOutcome] = []
    if not request.approved:  # started by an alert or a schedule, not by a person: ask first
        context.set_custom_status(progress("approval", [], 0))
        decision = ApprovalOutcome.model_validate(
            (
                yield context.call_sub_orchestrator(
                    Orchestrators.APPROVAL,
                    ApprovalInput(
                        plan=request.plan,
                        run_instance_id=context.instance_id,
                        # Whether the outage forces data loss is known only once the branches run:
                        # a plan that allows it gets the forced failover's approval rule up front.
                        forced=plan.policy.data_loss == "allow",
                        reason=f"started by {request.started_by}",
                    ).model_dump(mode="json"),
                    instance_id=f"{context.instance_id}:approval",
                )
            )
        )
        approval.append(approval_step(plan.name, decision))
        if decision.decision != "approved":
            reason = f"not approved ({decision.decision}): {decision.reason or 'no reason given'}"
            return (yield from stopped(approval, reason))

    # Readiness checks before any write. A failing required check stops a failover no person
    # started (approval-gated or automatic); one a person started explicitly goes on, with the
    # failures in its report: that person decided with `regionshift check` at hand, and during an
    # outage a check can be wrong about a region whose control plane is degraded.
    context.set_custom_status(progress("readiness", approval, 0))
    readiness = outcomes(
        [
            (
                yield context.call_sub_orchestrator(
                    Orchestrators.READINESS, {"plan": request.plan}, instance_id=f"{context.instance_id}:readiness"
                )
            )
        ]
    )
    stopping = blocking(plan, readiness)
    if stopping and not request.approved:
        reason = "stopped before any write: " + "; ".join(f"{c.action} {c.resource}: {c.detail}" for c in stopping)
        return (yield from stopped(approval, reason, readiness))

    branches = [
        context.call_activity(Activities.SQL_FAILOVER, activity_input(plan, g)) for g in plan.sql_failover_groups
    ]
    branches += [
        context.call_activity(Activities.COSMOS_FAILOVER, activity_input(plan, a)) for a in plan.cosmos_accounts
    ]
    branches += [
        context.call_activity(Activities.PROVISION_SCALE_SET, activity_input(plan, s, tags=tags))
        for s in plan.scale_sets
        if s.mode == "scale"
    ]
    creates = [s for s in plan.scale_sets if s.mode == "create"]
    if creates:
        branches.append(
            context.call_sub_orchestrator(
                Orchestrators.PROVISION_COMPUTE,
                {"plan": request.plan, "resource_group": plan.failover_resource_group, "tags": tags},
                instance_id=f"{context.instance_id}:compute",
            )
        )
    total = len(plan.sql_failover_groups) + len(plan.cosmos_accounts) + len(plan.scale_sets) + len(plan.dns_records)
    total += 1 if creates else 0  # the failover resource group
    context.set_custom_status(progress("data_and_compute", [], total))

    steps: list[StepOutcome] = approval + outcomes((yield context.task_all(branches)) if branches else [])

    if all(s.ok for s in steps):
        context.set_custom_status(progress("dns", steps, total))
        results = yield context.task_all(
            [context.call_activity(Activities.SWITCH_DNS_RECORD, activity_input(plan, r)) for r in plan.dns_records]
        )
        steps += outcomes(results)
    else:
        steps += [
            skipped("dns", record_label(r), "switch_to_secondary", "not switched: a data or compute branch failed")
            for r in plan.dns_records
        ]

    return (yield from finish(context, "failover", plan, request, started_at, steps, total, readiness))
