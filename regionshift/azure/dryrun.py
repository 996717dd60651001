"""The dry run: every step a failover would take now, from the current state, changing nothing.

It calls the `preview_*` function beside each domain operation, in the failover's own order (data
and compute, then DNS only if all of those would succeed), so it cannot promise what the run
would not do. One fact a preview cannot read is whether Azure would refuse a Cosmos DB priority
change (the run learns it by trying): the dry run predicts it from whether the plan's primary SQL
servers answer, which is the same regional outage (and says so); without SQL groups it shows the
planned path with the policy's fallback.
"""

from __future__ import annotations

from regionshift.azure import compute, cosmos, dns, resources, sql
from regionshift.azure.clients import AzureClients
from regionshift.azure.planned import PlannedStep
from regionshift.plan import Plan


def primary_answers(clients: AzureClients, plan: Plan) -> bool | None:
    """Whether the primary region answers, asked of the plan's primary SQL servers (None: no SQL)."""
    answers = [
        sql._answers(clients, plan.subscription_of(g), sql.primary_server(g), g.name) for g in plan.sql_failover_groups
    ]
    return any(answers) if answers else None


def preview_plan(clients: AzureClients, plan: Plan) -> list[PlannedStep]:
    clients = clients.probing()  # read-only: a region that does not answer is reported, not waited for
    source = primary_answers(clients, plan)
    steps = [sql.preview_failover(clients, plan, g) for g in plan.sql_failover_groups]
    steps += [cosmos.preview_failover(clients, plan, a, source_answers=source) for a in plan.cosmos_accounts]
    steps += [
        compute.preview_provision(clients, plan, s, plan.failover_resource_group)
        for s in plan.scale_sets
        if s.mode == "scale"
    ]
    if any(s.mode == "create" for s in plan.scale_sets):
        group = resources.preview_group(
            clients, plan.subscription_id, plan.failover_resource_group, plan.regions.secondary
        )
        steps.append(group)
        steps += [
            compute.preview_provision(clients, plan, s, plan.failover_resource_group)
            if group.status != "would_fail"
            else PlannedStep(
                kind="scale_set", resource=s.name, action="create", status="skipped", detail="the group would fail"
            )
            for s in plan.scale_sets
            if s.mode == "create"
        ]
    failing = [s for s in steps if s.status == "would_fail"]
    if failing:
        steps += [
            PlannedStep(
                kind="dns",
                resource=dns.record_label(r),
                action="switch_to_secondary",
                status="skipped",
                detail=f"not switched: {len(failing)} data or compute step(s) would fail",
            )
            for r in plan.dns_records
        ]
    else:
        steps += [dns.preview_switch(clients, plan, r, "secondary") for r in plan.dns_records]
    return steps
