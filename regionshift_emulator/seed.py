"""The pre-disaster state of a plan: what exists in Azure before anything fails over.

One function per service, each idempotent over the plan's declarations; `seed` calls them in
order. Services added later add their own `seed_<service>` here and a line in `seed`.
"""

from __future__ import annotations

from regionshift.plan import Plan
from regionshift_emulator.core.regions import short_name
from regionshift_emulator.core.state import EmulatorState
from regionshift_emulator.services.compute.seed import seed_compute
from regionshift_emulator.services.cosmos.models import CosmosBackend
from regionshift_emulator.services.dns.seed import seed_dns
from regionshift_emulator.services.resources.models import ResourceGroupsBackend
from regionshift_emulator.services.sql.models import SqlBackend


def seed(state: EmulatorState, plan: Plan) -> None:
    with state.lock:
        seed_resource_groups(state, plan)
        seed_sql(state, plan)
        seed_cosmos(state, plan)
        seed_compute(state, plan)  # with the network its scale sets need
        seed_dns(state, plan)


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


def _provider_id(subscription_id: str, resource_group: str, provider_type: str, name: str) -> str:
    return f"/subscriptions/{subscription_id}/resourceGroups/{resource_group}/providers/{provider_type}/{name}"


def seed_sql(state: EmulatorState, plan: Plan) -> None:
    """Each failover group: primary server in the primary region, partner in the secondary, one database.

    A plan without `partner_server` gets a partner named `<server>-partner`.
    """
    sql = state.backend(SqlBackend)
    primary_region, secondary_region = short_name(plan.regions.primary), short_name(plan.regions.secondary)
    for fg in plan.sql_failover_groups:
        sub = plan.subscription_of(fg)
        partner_group = fg.partner_resource_group or fg.resource_group
        primary_id = _provider_id(sub, fg.resource_group, "Microsoft.Sql/servers", fg.server)
        partner_id = _provider_id(
            sub, partner_group, "Microsoft.Sql/servers", fg.partner_server or f"{fg.server}-partner"
        )
        primary = state.store.get(primary_id) or sql.add_server(primary_id, primary_region)
        partner = state.store.get(partner_id) or sql.add_server(partner_id, secondary_region)
        database = f"{fg.name}-db"
        sql.add_database(primary, database)
        sql.add_database(partner, database)
        sql.add_failover_group(primary, partner, fg.name, [database])


def seed_cosmos(state: EmulatorState, plan: Plan) -> None:
    """Each account: write region = primary (priority 0), secondary as read region, service-managed failover on."""
    cosmos = state.backend(CosmosBackend)
    for account in plan.cosmos_accounts:
        account_id = _provider_id(
            plan.subscription_of(account), account.resource_group, "Microsoft.DocumentDB/databaseAccounts", account.name
        )
        cosmos.add_account(account_id, [plan.regions.primary, plan.regions.secondary])
