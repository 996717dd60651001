"""Is the primary region ready to take the workload back? Read-only checks run before a failback.

A failback is planned (no data loss), so every service of the primary must answer *positively*
(`regionshift.safety.FAILBACK_NEEDS_POSITIVE_HEALTH`), not merely fail to report an error: each SQL
failover group's old primary server answers, as the secondary, with replication caught up; each
Cosmos DB account's primary region answers at its own endpoint and is online in the account again
(a region taken offline during the outage stays offline until Microsoft brings it back); every
DNS record exists to be switched back. A refusal names exactly what is not ready.
"""

from __future__ import annotations

from azure.core.exceptions import AzureError

from regionshift.azure import cosmos, dns, sql
from regionshift.azure.clients import AzureClients
from regionshift.azure.outcomes import Step, describe_error
from regionshift.azure.regions import display_name
from regionshift.contracts import PlanSlice, StepOutcome
from regionshift.plan import CosmosAccount, DnsRecord, PlanContext, SqlFailoverGroup

# Replication states of a failover group in which its secondary is caught up with the primary.
CAUGHT_UP = {"CATCH_UP"}


def sql_primary_ready(clients: AzureClients, plan: PlanContext, group: SqlFailoverGroup) -> StepOutcome:
    found = sql.assess(clients, plan, group, to_primary=True)
    step = Step("check", found.resource, "primary_ready")
    primary = found.target
    if found.error:
        return step.failed(found.error)
    if not primary.answered:
        return step.failed(f"the primary server {group.server} does not answer: {primary.detail}")
    if primary.role == "Primary":
        return step.already(f"{group.server} is the primary already")
    if primary.state not in CAUGHT_UP:
        return step.failed(
            f"{group.server} is {primary.role} but replication is {primary.state or 'unknown'}, not caught up"
        )
    if not found.source.answered:
        return step.failed(
            f"the secondary's server does not answer ({found.source.detail}): a planned failback needs both"
        )
    return step.done(f"{group.server} answers and is caught up ({primary.state})", replication_state=primary.state)


def cosmos_primary_ready(clients: AzureClients, plan: PlanContext, account: CosmosAccount) -> StepOutcome:
    found = cosmos.assess(clients, plan, account, to_primary=True)
    step = Step("check", found.resource, "primary_ready")
    primary = display_name(plan.regions.primary)
    if found.error:
        return step.failed(found.error)
    if found.target.role == "offline":
        return step.failed(
            f"{primary} is not online in {account.name}; a region taken offline comes back only when Microsoft "
            "brings it online"
        )
    if not found.target.answered:
        return step.failed(f"{primary} does not answer for {account.name}: {found.target.detail}")
    if found.done:
        return step.already(f"{primary} is the write region of {account.name} already")
    if not found.source.answered:
        return step.failed(f"the secondary region does not answer for {account.name}: {found.source.detail}")
    return step.done(f"{primary} answers and is online in {account.name}")


def dns_record_ready(clients: AzureClients, plan: PlanContext, record: DnsRecord) -> StepOutcome:
    step = Step("check", dns.record_label(record), "record_exists")
    try:
        clients.dns(plan.subscription_of(record)).record_sets.get(
            record.resource_group, record.zone, record.name, record.type
        )
    except AzureError as exc:
        return step.failed(f"cannot read {dns.record_label(record)}: {describe_error(exc)}")
    return step.done(f"{dns.record_label(record)} exists; it will point at {', '.join(record.targets('primary'))}")


def failback_readiness(clients: AzureClients, part: PlanSlice) -> list[StepOutcome]:
    plan = PlanContext.model_validate(part.plan)
    checks = [sql_primary_ready(clients, plan, SqlFailoverGroup.model_validate(g)) for g in part.sql_failover_groups]
    checks += [cosmos_primary_ready(clients, plan, CosmosAccount.model_validate(a)) for a in part.cosmos_accounts]
    checks += [dns_record_ready(clients, plan, DnsRecord.model_validate(r)) for r in part.dns_records]
    return checks
