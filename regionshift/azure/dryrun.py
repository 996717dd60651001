"""The dry run: every step a failover would take now, from the current state, changing nothing.

It calls the `preview_*` function beside each domain operation, in the failover's own order (data
and compute, then DNS only if all of those would succeed), so it cannot promise what the run
would not do. Each preview makes the branch's own first reads (both sides of every replica); what
it cannot know now is whether a side that does not answer will still not answer once the evidence
window has passed, so a forced step is shown with that condition.
"""

from __future__ import annotations

from regionshift.azure import compute, cosmos, dns, resources, sql
from regionshift.azure.clients import AzureClients
from regionshift.azure.planned import PlannedStep
from regionshift.plan import Plan


def preview_plan(clients: AzureClients, plan: Plan) -> list[PlannedStep]:
    clients = clients.probing()  # read-only: a region that does not answer is reported, not waited for
    steps = [sql.preview_failover(clients, plan, g) for g in plan.sql_failover_groups]
    steps += [cosmos.preview_failover(clients, plan, a) for a in plan.cosmos_accounts]
    steps += [
        compute.preview_provision(clients, plan, s, plan.failover_resource_group)
        for s in plan.scale_sets
        if s.mode == "scale"
    ]
    if any(s.mode == "create" for s in plan.scale_sets):
        group = resources.preview_group(
            clients, plan.subscription_id, plan.failover_resource_group, plan.regions.secondary, plan.name
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
