"""Azure Cosmos DB accounts: read both regions, start a write-region move, say where it stands.

While both regions answer, a failover priority change (the target region to priority 0) is a
planned failover with no data loss ("Manual failover", Cosmos DB high availability, Learn); it
"needs every region healthy". During an outage of the write region Microsoft's documented path for
a single-write-region account is service-managed failover, or taking the failed region offline
(`offlineRegion`), which moves writes to the next region by failover priority. That may lose
writes not yet replicated, and the region stays offline until Microsoft brings it back: whether
it may be taken is decided by `regionshift.safety` on evidence, never here.

Whether a region is up is read where clients read data: each region's `documentEndpoint`, asked
without credentials (a live endpoint answers 401). The account's ARM answer alone says nothing
about a region's health, and a refused priority change does not say *which* region is down: the
secondary's own outage refuses it too (that refusal must never take the healthy primary offline).
"""

from __future__ import annotations

from typing import Any

from azure.core.exceptions import AzureError, HttpResponseError
from azure.mgmt.cosmosdb.models import FailoverPolicies, FailoverPolicy, RegionForOnlineOffline

from regionshift.azure import lro
from regionshift.azure.clients import AzureClients
from regionshift.azure.outcomes import describe_error
from regionshift.azure.planned import PlannedStatus, PlannedStep
from regionshift.azure.regions import display_name, same_region
from regionshift.contracts import Assessment, Begun, SideState
from regionshift.plan import CosmosAccount, PlanContext
from regionshift.safety import Reading, answered

# What Microsoft documents as the bound on lost writes for a region outage with session (and
# weaker) consistency: the estimate reported when a forced path is taken.
DOCUMENTED_RPO_SECONDS = 15 * 60
BUSY_STATES = {"updating", "creating", "deleting"}


def account_id(plan: PlanContext, account: CosmosAccount) -> str:
    return (
        f"/subscriptions/{plan.subscription_of(account)}/resourceGroups/{account.resource_group}"
        f"/providers/Microsoft.DocumentDB/databaseAccounts/{account.name}"
    )


def _regions(plan: PlanContext, to_primary: bool) -> tuple[str, str]:
    """(target, source) regions."""
    if to_primary:
        return plan.regions.primary, plan.regions.secondary
    return plan.regions.secondary, plan.regions.primary


def assess(clients: AzureClients, plan: PlanContext, account: CosmosAccount, *, to_primary: bool) -> Assessment:
    target, source = _regions(plan, to_primary)
    resource = account_id(plan, account)
    try:
        acct = clients.cosmos(plan.subscription_of(account), probe=True).database_accounts.get(
            account.resource_group, account.name
        )
    except AzureError as exc:
        detail = f"the account cannot be read: {describe_error(exc)}"
        return Assessment(
            resource=resource,
            target=SideState(region=target, answered=False, detail=detail),
            source=SideState(region=source, answered=False, detail=detail),
            error=detail,
        )
    regions = _regions_by_priority(acct)
    if not any(same_region(r, target) for r in regions):
        error = f"{display_name(target)} is not one of the account's regions ({', '.join(regions)})"
        return Assessment(
            resource=resource,
            target=SideState(region=target, answered=False, detail=error),
            source=SideState(region=source, answered=False),
            error=error,
        )
    state = str(getattr(acct.properties, "provisioning_state", "") or "")
    return Assessment(
        resource=resource,
        target=_side(clients, acct, target),
        source=_side(clients, acct, source),
        done=same_region(_write_region(acct), target),
        in_progress=state.lower() in BUSY_STATES,
        facts={"write_region": _write_region(acct), "regions": regions, "provisioning_state": state},
    )


def _side(clients: AzureClients, acct: Any, region: str) -> SideState:
    props = acct.properties
    role = "offline"
    if any(same_region(loc.location_name, region) for loc in props.read_locations or []):
        role = "read"
    if same_region(_write_region(acct), region):
        role = "write"
    endpoint = next(
        (loc.document_endpoint for loc in props.locations or [] if same_region(loc.location_name, region)), None
    )
    if not endpoint:
        return SideState(region=region, answered=False, role=role, detail="the account names no endpoint there")
    status, detail = clients.probe_url(endpoint)
    return SideState(
        region=region, answered=answered(status), throttled=status == 429, role=role, detail=f"{endpoint}: {detail}"
    )


def begin_failover(
    clients: AzureClients, plan: PlanContext, account: CosmosAccount, *, to_primary: bool, forced: bool
) -> Begun:
    """Start the write region's move: a priority change (planned) or, when the branch decided so,
    taking the source region offline (forced). Reads the account first."""
    target, source = _regions(plan, to_primary)
    client = clients.cosmos(plan.subscription_of(account)).database_accounts
    try:
        acct = client.get(account.resource_group, account.name)
        if same_region(_write_region(acct), target):
            return Begun(outcome="done", detail=f"{display_name(target)} is already the write region")
        state = str(getattr(acct.properties, "provisioning_state", "") or "")
        if state.lower() in BUSY_STATES:
            return Begun(outcome="in_progress", detail=f"the account is {state}")
        if forced:
            region = RegionForOnlineOffline(region=display_name(source))
            handle = lro.start(
                plan.subscription_of(account),
                lambda **kw: client.begin_offline_region(account.resource_group, account.name, region, **kw),
            )
        else:
            policies = _priorities(_regions_by_priority(acct), target)
            handle = lro.start(
                plan.subscription_of(account),
                lambda **kw: client.begin_failover_priority_change(
                    account.resource_group, account.name, policies, **kw
                ),
            )
    except HttpResponseError as exc:
        if exc.status_code == 409:
            return Begun(outcome="in_progress", detail=describe_error(exc))
        return Begun(outcome="refused", detail=describe_error(exc))
    except AzureError as exc:
        return Begun(outcome="refused", detail=describe_error(exc))
    what = f"taking {display_name(source)} offline" if forced else f"priority change to {display_name(target)}"
    if handle is None:
        return Begun(outcome="done", detail=f"{what} finished at once")
    return Begun(outcome="started", handle=handle, detail=f"{what} started")


def reading(clients: AzureClients, plan: PlanContext, account: CosmosAccount, *, to_primary: bool = False) -> Reading:
    """Do writes go to the target region right now? (the split-brain guard before DNS)"""
    label = f"cosmos {account.name}"
    target, _ = _regions(plan, to_primary)
    try:
        acct = clients.cosmos(plan.subscription_of(account)).database_accounts.get(account.resource_group, account.name)
    except AzureError as exc:
        return Reading(resource=label, in_target=False, detail=f"cannot be read: {describe_error(exc)}")
    write = _write_region(acct)
    return Reading(resource=label, in_target=same_region(write, target), detail=f"writes go to {write}")


def _regions_by_priority(acct: Any) -> list[str]:
    props = acct.properties
    policies = sorted(props.failover_policies or [], key=lambda p: p.failover_priority)
    return [p.location_name for p in policies] or [loc.location_name for loc in props.locations or []]


def _write_region(acct: Any) -> str | None:
    writes = getattr(acct.properties, "write_locations", None) or []
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
    online = [loc.location_name for loc in (acct.properties.read_locations if acct.properties else None) or []]
    state["locations"] = [
        {"region": loc.location_name, "priority": loc.failover_priority, "online": loc.location_name in online}
        for loc in (acct.properties.locations if acct.properties else None) or []
    ]
    return state


def preview_failover(
    clients: AzureClients, plan: PlanContext, account: CosmosAccount, *, to_primary: bool = False
) -> PlannedStep:
    """What a failover would do now, read-only: the same reads the branch starts with."""
    found = assess(clients, plan, account, to_primary=to_primary)
    target, source = _regions(plan, to_primary)

    def planned(status: PlannedStatus, action: str, detail: str, forced: bool | None = None) -> PlannedStep:
        return PlannedStep(
            kind="cosmos", resource=found.resource, action=action, status=status, forced=forced, detail=detail
        )

    if found.error:
        return planned("would_fail", "failover", found.error)
    if found.done:
        return planned("already_done", "failover", f"{display_name(target)} is already the write region", False)
    if not found.target.answered:
        return planned("would_fail", "failover", f"{display_name(target)} does not answer: {found.target.detail}")
    if found.source.answered:
        return planned("to_do", "planned_failover", f"priority change to {display_name(target)}", False)
    if to_primary or plan.policy.data_loss != "allow":
        why = "failing back needs both regions" if to_primary else "policy.data_loss is 'forbid'"
        return planned("would_fail", "planned_failover", f"{display_name(source)} does not answer, and {why}")
    evidence = plan.policy.outage_evidence
    return planned(
        "to_do",
        "forced_failover",
        f"take {display_name(source)} offline so writes move to {display_name(target)}, if it still does not "
        f"answer after {evidence.failed_probes} probes over {evidence.window_seconds}s (possible data loss)",
        forced=True,
    )
