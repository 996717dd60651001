"""The pre-disaster state of a plan: what exists in Azure before anything fails over.

One function per service, each idempotent over the plan's declarations; `seed` calls them in
order. Services added later add their own `seed_<service>` here and a line in `seed`.
"""

from __future__ import annotations

from regionshift.plan import Plan
from regionshift_emulator.core.regions import short_name
from regionshift_emulator.core.state import EmulatorState
from regionshift_emulator.services.resources.models import ResourceGroupsBackend


def seed(state: EmulatorState, plan: Plan) -> None:
    with state.lock:
        seed_resource_groups(state, plan)


def ensure_group(state: EmulatorState, subscription_id: str, name: str, region: str) -> None:
    """Create a resource group unless it exists (the first declaration decides its region)."""
    groups = state.backend(ResourceGroupsBackend)
    if not groups.exists(subscription_id, name):
        groups.create_or_update(subscription_id, name, region)


def seed_resource_groups(state: EmulatorState, plan: Plan) -> None:
    """Groups every declared resource lives in. The failover group is not seeded: failover makes it."""
    primary, secondary = short_name(plan.regions.primary), short_name(plan.regions.secondary)
    for fg in plan.sql_failover_groups:
        sub = plan.subscription_of(fg)
        ensure_group(state, sub, fg.resource_group, primary)
        ensure_group(state, sub, fg.partner_resource_group or fg.resource_group, secondary)
    for account in plan.cosmos_accounts:
        ensure_group(state, plan.subscription_of(account), account.resource_group, primary)
    for record in plan.dns_records:
        ensure_group(state, plan.subscription_of(record), record.resource_group, primary)
