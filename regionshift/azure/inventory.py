"""The current state of every resource a plan names: the run report's final-state section."""

from __future__ import annotations

from typing import Any

from regionshift.azure import compute, cosmos, dns, resources, sql
from regionshift.azure.clients import AzureClients
from regionshift.plan import Plan


def describe_plan(clients: AzureClients, plan: Plan, resource_group: str | None = None) -> list[dict[str, Any]]:
    """Read-only: one entry per resource, each saying where it stands now (or why it cannot be read)."""
    group = resource_group or plan.failover_resource_group
    states: list[dict[str, Any]] = []
    states += [sql.describe(clients, plan, g) for g in plan.sql_failover_groups]
    states += [cosmos.describe(clients, plan, a) for a in plan.cosmos_accounts]
    if any(s.mode == "create" for s in plan.scale_sets):
        states.append(resources.describe_group(clients, plan.subscription_id, group))
    states += [compute.describe(clients, plan, s, group) for s in plan.scale_sets]
    states += [dns.describe(clients, plan, r) for r in plan.dns_records]
    return states
