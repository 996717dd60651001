"""Azure Cosmos DB accounts: move the write region, reading state before acting.

While both regions answer, a failover priority change (the target region to priority 0) is a
planned failover with no data loss. During an outage of the write region Azure refuses a priority
change; Microsoft's documented outage path for a single-write-region account is to take the
failed region offline, which moves writes to the next region by failover priority. That may lose
writes not yet replicated, and the region stays offline until Microsoft brings it back, so
regionshift takes it only when the plan allows data loss, and never in a drill or a failback.
"""

from __future__ import annotations

import time

from azure.core.exceptions import AzureError
from azure.mgmt.cosmosdb.models import FailoverPolicies, FailoverPolicy, RegionForOnlineOffline

from regionshift.azure.clients import AzureClients
from regionshift.azure.outcomes import Step, StepFailed, azure_call, describe_error
from regionshift.azure.planned import PlannedStatus, PlannedStep
from regionshift.azure.regions import display_name, same_region
from regionshift.contracts import StepOutcome
from regionshift.plan import CosmosAccount, PlanContext

# What Microsoft documents as the bound on lost writes for a region outage with session (and
# weaker) consistency: the estimate reported when a forced path is taken.
DOCUMENTED_RPO_SECONDS = 15 * 60
WRITE_REGION_WAIT_SECONDS = 600


def account_id(plan: PlanContext, account: CosmosAccount) -> str:
    return (
        f"/subscriptions/{plan.subscription_of(account)}/resourceGroups/{account.resource_group}"
        f"/providers/Microsoft.DocumentDB/databaseAccounts/{account.name}"
    )


def fail_over(
    clients: AzureClients, plan: PlanContext, account: CosmosAccount, *, to_primary: bool = False
) -> StepOutcome:
    """Make the target region (secondary, or primary when failing back) the write region."""
    target = plan.regions.primary if to_primary else plan.regions.secondary
    source = plan.regions.secondary if to_primary else plan.regions.primary
    step = Step("cosmos", account_id(plan, account), "failover")
    client = clients.cosmos(plan.subscription_of(account))
    try:
        with azure_call():
            acct = client.database_accounts.get(account.resource_group, account.name)
        regions = _regions_by_priority(acct)
        if not any(same_region(r, target) for r in regions):
            return step.failed(f"{display_name(target)} is not one of the account's regions ({', '.join(regions)})")
        if same_region(_write_region(acct), target):
            return step.already(f"{display_name(target)} is already the write region", forced=False)

        step.action = "planned_failover"
        try:
            with azure_call():
                client.database_accounts.begin_failover_priority_change(
                    account.resource_group, account.name, _priorities(regions, target)
                ).result()
        except StepFailed as refused:
            if to_primary:
                return step.failed(f"failing back needs both regions (priority change refused: {refused})")
            if plan.policy.data_loss != "allow":
                return step.failed(
                    f"the planned failover was refused ({refused}); only taking {display_name(source)} "
                    "offline (possible data loss) would work, and the plan's policy.data_loss is 'forbid'"
                )
            return _offline(clients, plan, account, step, source, target)
        return _confirm(clients, plan, account, step, target, forced=False)
    except StepFailed as exc:
        return step.failed(str(exc))


def _offline(
    clients: AzureClients, plan: PlanContext, account: CosmosAccount, step: Step, source: str, target: str
) -> StepOutcome:
    step.action = "forced_failover"
    client = clients.cosmos(plan.subscription_of(account))
    with azure_call():
        client.database_accounts.begin_offline_region(
            account.resource_group, account.name, RegionForOnlineOffline(region=display_name(source))
        ).result()
    return _confirm(clients, plan, account, step, target, forced=True)


def _confirm(
    clients: AzureClients, plan: PlanContext, account: CosmosAccount, step: Step, target: str, *, forced: bool
) -> StepOutcome:
    """Wait until the account reports the target as its write region (the LRO may finish first)."""
    client = clients.cosmos(plan.subscription_of(account))
    deadline = time.monotonic() + WRITE_REGION_WAIT_SECONDS
    while True:
        with azure_call():
            acct = client.database_accounts.get(account.resource_group, account.name)
        if same_region(_write_region(acct), target):
            break
        if time.monotonic() > deadline:
            return step.failed(f"the write region is still {_write_region(acct)} after the failover finished")
        time.sleep(min(clients.settings.polling_interval, 5))
    if forced:
        return step.done(
            f"{display_name(target)} is now the write region (forced: the failed region was taken offline "
            "and stays offline until Microsoft brings it back)",
            forced=True,
            rpo_seconds=float(DOCUMENTED_RPO_SECONDS),
            rpo_basis="documented upper bound for session consistency",
        )
    return step.done(
        f"{display_name(target)} is now the write region (planned, no data loss)", forced=False, rpo_seconds=0.0
    )


def _regions_by_priority(acct: object) -> list[str]:
    props = acct.properties  # type: ignore[attr-defined]
    policies = sorted(props.failover_policies or [], key=lambda p: p.failover_priority)
    return [p.location_name for p in policies] or [loc.location_name for loc in props.locations or []]


def _write_region(acct: object) -> str | None:
    writes = getattr(acct.properties, "write_locations", None) or []  # type: ignore[attr-defined]
    return writes[0].location_name if writes else None


def _priorities(regions: list[str], target: str) -> FailoverPolicies:
    """The target first, every other region after it in its current order."""
    ordered = [r for r in regions if same_region(r, target)] + [r for r in regions if not same_region(r, target)]
    return FailoverPolicies(
        failover_policies=[FailoverPolicy(location_name=r, failover_priority=i) for i, r in enumerate(ordered)]
    )


def describe(clients: AzureClients, plan: PlanContext, account: CosmosAccount) -> dict[str, object]:
    state: dict[str, object] = {"kind": "cosmos", "account": account.name}
    try:
        acct = clients.cosmos(plan.subscription_of(account)).database_accounts.get(account.resource_group, account.name)
    except AzureError as exc:
        return {**state, "error": describe_error(exc)}
    state["write_region"] = _write_region(acct)
    state["locations"] = [
        {"region": loc.location_name, "priority": loc.failover_priority}
        for loc in (acct.properties.locations if acct.properties else None) or []
    ]
    return state


def preview_failover(
    clients: AzureClients,
    plan: PlanContext,
    account: CosmosAccount,
    *,
    to_primary: bool = False,
    source_answers: bool | None = None,
) -> PlannedStep:
    """What `fail_over` would do now, read-only. Whether Azure refuses the planned priority change
    (which is what sends `fail_over` down the forced path) is known only by trying, so the caller
    passes what it observed of the source region: None means not known, and the planned path is
    shown with the fallback the policy allows."""
    target = plan.regions.primary if to_primary else plan.regions.secondary
    source = plan.regions.secondary if to_primary else plan.regions.primary
    resource = account_id(plan, account)

    def planned(status: PlannedStatus, action: str, detail: str, forced: bool | None = None) -> PlannedStep:
        return PlannedStep(kind="cosmos", resource=resource, action=action, status=status, forced=forced, detail=detail)

    try:
        acct = clients.cosmos(plan.subscription_of(account)).database_accounts.get(account.resource_group, account.name)
    except AzureError as exc:
        return planned("would_fail", "failover", f"the account cannot be read: {describe_error(exc)}")
    regions = _regions_by_priority(acct)
    if not any(same_region(r, target) for r in regions):
        return planned("would_fail", "failover", f"{display_name(target)} is not one of the account's regions")
    if same_region(_write_region(acct), target):
        return planned("already_done", "failover", f"{display_name(target)} is already the write region", False)
    if source_answers is not False:
        fallback = (
            "failing back needs both regions"
            if to_primary
            else (
                f"if Azure refuses it, {display_name(source)} is taken offline (forced)"
                if plan.policy.data_loss == "allow"
                else "if Azure refuses it, the step fails (policy.data_loss is 'forbid')"
            )
        )
        known = "" if source_answers else f"; {fallback}"
        return planned("to_do", "planned_failover", f"priority change to {display_name(target)}{known}", False)
    if to_primary or plan.policy.data_loss != "allow":
        return planned(
            "would_fail",
            "planned_failover",
            f"{display_name(source)} does not answer, so Azure would refuse the priority change, and "
            + ("failing back needs both regions" if to_primary else "policy.data_loss is 'forbid'"),
        )
    return planned(
        "to_do",
        "forced_failover",
        f"take {display_name(source)} offline so writes move to {display_name(target)} (forced: possible data loss)",
        forced=True,
    )
