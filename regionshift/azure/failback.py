"""Is the primary region ready to take the workload back? Read-only checks run before a failback.

A failback is planned (no data loss), so it needs the primary side of every data replica to
answer and to have caught up: each SQL failover group's replication healthy again on the old
primary server, and the primary region back online in every Cosmos DB account (a region taken
offline during the outage stays offline until Microsoft brings it back). The DNS records must
exist to be switched back. A refusal names exactly what is not ready.
"""

from __future__ import annotations

from azure.core.exceptions import AzureError

from regionshift.azure import cosmos, dns, sql
from regionshift.azure.clients import AzureClients
from regionshift.azure.outcomes import Step, describe_error
from regionshift.azure.regions import display_name, same_region
from regionshift.contracts import StepOutcome
from regionshift.plan import CosmosAccount, DnsRecord, Plan, SqlFailoverGroup

# Replication states of a failover group in which its secondary is caught up with the primary.
CAUGHT_UP = {"CATCH_UP"}


def sql_primary_ready(clients: AzureClients, plan: Plan, group: SqlFailoverGroup) -> StepOutcome:
    sub = plan.subscription_of(group)
    primary = sql.primary_server(group)
    step = Step("check", primary.failover_group_id(sub, group.name), "primary_ready")
    try:
        fg = clients.sql(sub, probe=True).failover_groups.get(group.resource_group, group.server, group.name)
    except AzureError as exc:
        return step.failed(f"the primary server {group.server} does not answer: {describe_error(exc)}")
    props = fg.properties
    role = str(getattr(props.replication_role, "value", props.replication_role)) if props else "Unknown"
    state = str(getattr(props.replication_state, "value", props.replication_state)) if props else "Unknown"
    if role == "Primary":
        return step.already(f"{group.server} is the primary already")
    if state not in CAUGHT_UP:
        return step.failed(f"{group.server} is {role} but replication is {state}, not caught up")
    return step.done(f"{group.server} answers and is caught up ({state})", replication_state=state)


def cosmos_primary_ready(clients: AzureClients, plan: Plan, account: CosmosAccount) -> StepOutcome:
    step = Step("check", cosmos.account_id(plan, account), "primary_ready")
    try:
        acct = clients.cosmos(plan.subscription_of(account)).database_accounts.get(account.resource_group, account.name)
    except AzureError as exc:
        return step.failed(describe_error(exc))
    props = acct.properties
    online = [str(loc.location_name) for loc in (props.read_locations if props else None) or []]
    primary = plan.regions.primary
    if not any(same_region(r, primary) for r in online):
        return step.failed(
            f"{display_name(primary)} is not online in {account.name} (online: {', '.join(online) or 'none'}); "
            "a region taken offline comes back only when Microsoft brings it online"
        )
    return step.done(f"{display_name(primary)} is online in {account.name}")


def dns_record_ready(clients: AzureClients, plan: Plan, record: DnsRecord) -> StepOutcome:
    step = Step("check", dns.record_label(record), "record_exists")
    try:
        clients.dns(plan.subscription_of(record)).record_sets.get(
            record.resource_group, record.zone, record.name, record.type
        )
    except AzureError as exc:
        return step.failed(f"cannot read {dns.record_label(record)}: {describe_error(exc)}")
    return step.done(f"{dns.record_label(record)} exists; it will point at {', '.join(record.targets('primary'))}")


def failback_readiness(clients: AzureClients, plan: Plan) -> list[StepOutcome]:
    checks = [sql_primary_ready(clients, plan, g) for g in plan.sql_failover_groups]
    checks += [cosmos_primary_ready(clients, plan, a) for a in plan.cosmos_accounts]
    checks += [dns_record_ready(clients, plan, r) for r in plan.dns_records]
    return checks
