"""The pre-disaster state of a plan: what exists in Azure before anything fails over.

One function per service, each idempotent over the plan's declarations; `seed` calls them in
order, resource groups first. Services added later add their own `seed_<service>` here and a line
in `seed`.

Every resource group has a home region, where ARM keeps its metadata; while that region is down
the resources in the group cannot be changed (`core.writes`). The seed decides each group's home:
1. the scenario's `resource_groups: {<name> | <subscription>/<name>: <region>}` wins;
2. else the region of what the plan says the group holds: the group of a SQL failover group's
   primary `server` hints the primary region; the group of its `partner_server`
   (`partner_resource_group`, or the server's own group), of a `scale` scale set, of a `create` scale
   set's subnet or backend pool hint the secondary region;
3. a group with no hint (Cosmos DB accounts, DNS zones and image galleries give none: they are not
   regional, or in both regions), or with hints for both regions, is homed in the PRIMARY region.
   That is the harsher choice: a group made together with the primary is the common accident, and
   it is the one that cannot be changed during the primary's outage.
A gallery is a resource with a home of its own: it is seeded in the PRIMARY region, where images are
built and published, whatever its group (its versions keep replicas in both regions). Reading an
image version asks that home, so it fails during the primary's outage, the harsher choice; whether
the gallery can be changed then is its group's home's business. The failover resource group is not
seeded: the app creates it with the location it asks for. What the workload runs in the primary (its
scale sets, network and the public IPs DNS points at) is laid out by `primary_estate`.
"""

from __future__ import annotations

from regionshift.azure.ids import parse_resource_id
from regionshift.plan import Plan
from regionshift_emulator.core.regions import short_name
from regionshift_emulator.core.scenario import Scenario
from regionshift_emulator.core.state import EmulatorState
from regionshift_emulator.primary_estate import seed_primary_estate
from regionshift_emulator.services.compute.seed import seed_compute
from regionshift_emulator.services.cosmos.models import CosmosBackend
from regionshift_emulator.services.dns.seed import seed_dns
from regionshift_emulator.services.resources.models import ResourceGroupsBackend
from regionshift_emulator.services.sql.models import SqlBackend


def seed(state: EmulatorState, plan: Plan, scenario: Scenario | None = None) -> None:
    with state.lock:
        seed_resource_groups(state, plan, scenario or Scenario())
        seed_sql(state, plan)
        seed_cosmos(state, plan)
        seed_compute(state, plan)  # with the network its scale sets need
        seed_dns(state, plan)
        seed_primary_estate(state, plan)  # what runs in the primary: scale sets, network, public IPs


def group_homes(plan: Plan, scenario: Scenario) -> dict[tuple[str, str], str]:
    """(subscription, group) -> home region for every group the plan names, by the rule above."""
    primary, secondary = short_name(plan.regions.primary), short_name(plan.regions.secondary)
    hints: dict[tuple[str, str], set[str]] = {}
    spelled: dict[tuple[str, str], tuple[str, str]] = {}  # ids are case-insensitive: first spelling wins

    def note(subscription: str, group: str, region: str | None) -> None:
        key = (subscription.lower(), group.lower())
        spelled.setdefault(key, (subscription, group))
        regions = hints.setdefault(key, set())
        if region:
            regions.add(region)

    for fg in plan.sql_failover_groups:
        sub = plan.subscription_of(fg)
        note(sub, fg.resource_group, primary)
        note(sub, fg.partner_resource_group or fg.resource_group, secondary)
    for account in plan.cosmos_accounts:
        note(plan.subscription_of(account), account.resource_group, None)
    for record in plan.dns_records:
        note(plan.subscription_of(record), record.resource_group, None)
    for scale_set in plan.scale_sets:
        if scale_set.mode == "scale" and scale_set.scale_set:
            rid = parse_resource_id(scale_set.scale_set)
            note(rid.subscription_id, rid.resource_group, secondary)
        if scale_set.mode == "create":
            if scale_set.image:
                rid = parse_resource_id(scale_set.image)
                note(rid.subscription_id, rid.resource_group, None)
            for ref in (scale_set.subnet, scale_set.backend_pool):
                if ref:
                    rid = parse_resource_id(ref)
                    note(rid.subscription_id, rid.resource_group, secondary)
    homes: dict[tuple[str, str], str] = {}
    for key, regions in hints.items():
        sub, group = spelled[key]
        given = scenario.group_home(sub, group)
        homes[(sub, group)] = given or (next(iter(regions)) if len(regions) == 1 else primary)
    return homes


def ensure_group(state: EmulatorState, subscription_id: str, name: str, region: str) -> None:
    """Create a resource group unless it exists (the first declaration decides its region)."""
    groups = state.backend(ResourceGroupsBackend)
    if not groups.exists(subscription_id, name):
        groups.create_or_update(subscription_id, name, region)


def seed_resource_groups(state: EmulatorState, plan: Plan, scenario: Scenario) -> None:
    """Every group the plan names, in its home region. The failover group is not seeded: failover makes it."""
    for (sub, group), region in group_homes(plan, scenario).items():
        ensure_group(state, sub, group, region)


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
