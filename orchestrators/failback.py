"""The failback orchestration: bring the workload home without losing data.

1. Refuse unless the primary is ready (its SQL servers answer and have caught up, Cosmos DB's
   primary region is online again, the DNS records exist); the refusal names what is not ready.
2. Quiesce: scale the secondary's scale sets to zero, so no more data changes there.
3. Fail every data replica back with a planned failover — never a forced one.
4. Only when all data is back: switch DNS back to the primary targets.
5. Only when DNS is back: delete the failover resource group and everything in it.
Each step that fails stops the ones after it, leaving the workload where it can still serve.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import azure.durable_functions as df

from orchestrators.steps import Direction, activity_input, finish, outcomes, progress, publish, report, skipped
from regionshift.azure.dns import record_label
from regionshift.contracts import RunRequest, StepOutcome
from regionshift.names import Activities, Orchestrators
from regionshift.plan import Plan

bp = df.Blueprint()


@bp.function_name(Orchestrators.FAILBACK)
@bp.orchestration_trigger(context_name="context")
def failback(context: df.DurableOrchestrationContext) -> Generator[Any, Any, dict[str, Any]]:
    request = RunRequest.model_validate(context.get_input())
    plan = Plan.model_validate(request.plan)
    started_at = context.current_utc_datetime
    back: Direction = "to_primary"
    total = 2 * len(plan.scale_sets) + len(plan.sql_failover_groups) + len(plan.cosmos_accounts)
    total += len(plan.dns_records) + 1

    context.set_custom_status(progress("readiness", [], total))
    readiness = outcomes((yield context.call_activity(Activities.CHECK_FAILBACK_READY, {"plan": request.plan})))
    not_ready = [c for c in readiness if not c.ok]
    if not_ready:
        reason = "the primary is not ready: " + "; ".join(f"{c.resource}: {c.detail}" for c in not_ready)
        refused = report(
            "failback",
            plan,
            context.instance_id,
            started_at,
            context.current_utc_datetime,
            [],
            request.started_by,
            reason=reason,
            readiness=readiness,
        )
        return (yield from publish(context, plan, refused, total))

    context.set_custom_status(progress("quiesce", [], total))
    steps: list[StepOutcome] = outcomes(
        (
            yield context.task_all(
                [
                    context.call_activity(Activities.PROVISION_SCALE_SET, activity_input(plan, s, capacity=0))
                    for s in plan.scale_sets
                ]
            )
        )
        if plan.scale_sets
        else []
    )

    data = [
        context.call_activity(Activities.SQL_FAILOVER, activity_input(plan, g, direction=back))
        for g in plan.sql_failover_groups
    ]
    data += [
        context.call_activity(Activities.COSMOS_FAILOVER, activity_input(plan, a, direction=back))
        for a in plan.cosmos_accounts
    ]
    if all(s.ok for s in steps):
        context.set_custom_status(progress("data", steps, total))
        steps += outcomes((yield context.task_all(data)) if data else [])
    else:
        steps += [
            skipped("sql", g.name, "planned_failover", "not started: quiesce failed") for g in plan.sql_failover_groups
        ]
        steps += [
            skipped("cosmos", a.name, "planned_failover", "not started: quiesce failed") for a in plan.cosmos_accounts
        ]

    if all(s.ok for s in steps):
        context.set_custom_status(progress("dns", steps, total))
        steps += outcomes(
            (
                yield context.task_all(
                    [
                        context.call_activity(Activities.SWITCH_DNS_RECORD, activity_input(plan, r, direction=back))
                        for r in plan.dns_records
                    ]
                )
            )
            if plan.dns_records
            else []
        )
    else:
        steps += [
            skipped("dns", record_label(r), "switch_to_primary", "not switched: data is not back")
            for r in plan.dns_records
        ]

    if all(s.ok for s in steps):
        context.set_custom_status(progress("cleanup", steps, total))
        steps += outcomes(
            [
                (
                    yield context.call_activity(
                        Activities.DELETE_RESOURCE_GROUP,
                        activity_input(plan, resource_group=plan.failover_resource_group),
                    )
                )
            ]
        )
    else:
        steps.append(
            skipped("resource_group", plan.failover_resource_group, "delete", "kept: the failback did not complete")
        )

    return (yield from finish(context, "failback", plan, request, started_at, steps, total, readiness))
