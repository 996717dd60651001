"""May the identity running regionshift do every write a failover needs? Asked of ARM, not guessed.

ARM's permissions API (`GET {resource group}/providers/Microsoft.Authorization/permissions`,
azure-mgmt-authorization's `permissions.list_for_resource_group`) answers, for the caller, the
actions and notActions of every role assignment that applies at that scope (inherited ones
included). An action is allowed when some entry has an action pattern matching it and no notAction
of that same entry matches it; patterns use `*` wildcards and compare case-insensitively, as ARM's do.

Which actions a failover needs follows from the plan (`required_actions`). The failover resource
group does not exist before the first failover, so its actions (creating it, creating scale sets
in it) are checked where it will inherit from: the subscription, read through an existing group of
the plan in that subscription (a role assigned only on that group would make this answer too kind;
the detail names the group used).
"""

from __future__ import annotations

import fnmatch
from collections import defaultdict
from typing import Any

from azure.core.exceptions import AzureError

from regionshift.azure.check_outcomes import GLOBAL, about
from regionshift.azure.clients import AzureClients
from regionshift.azure.ids import parse_resource_id
from regionshift.azure.outcomes import Step, describe_error
from regionshift.contracts import StepOutcome
from regionshift.plan import Plan

Scope = tuple[str, str]  # (subscription id, resource group), group names compared lower-cased


def required_actions(plan: Plan) -> dict[Scope, set[str]]:
    """Every ARM action a failover of `plan` performs (and the reads it needs), by resource group."""
    needed: dict[Scope, set[str]] = defaultdict(set)
    forced = plan.policy.data_loss == "allow"
    for group in plan.sql_failover_groups:
        sub = plan.subscription_of(group)
        partner_group = group.partner_resource_group or group.resource_group
        # A failover is sent to the partner (secondary) server, a failback to the primary server;
        # only a failover may be forced, so only the partner's group needs that action.
        for rg in {group.resource_group, partner_group}:
            needed[(sub, rg)] |= {
                "Microsoft.Sql/servers/failoverGroups/read",
                "Microsoft.Sql/servers/failoverGroups/failover/action",
            }
        if forced:
            needed[(sub, partner_group)].add("Microsoft.Sql/servers/failoverGroups/forceFailoverAllowDataLoss/action")
    for account in plan.cosmos_accounts:
        scope = (plan.subscription_of(account), account.resource_group)
        needed[scope] |= {
            "Microsoft.DocumentDB/databaseAccounts/read",
            "Microsoft.DocumentDB/databaseAccounts/failoverPriorityChange/action",
        }
        if forced:
            needed[scope].add("Microsoft.DocumentDB/databaseAccounts/offlineRegion/action")
    for scale_set in plan.scale_sets:
        if scale_set.mode == "scale" and scale_set.scale_set_id:
            vmss = scale_set.scale_set_id
            needed[(vmss.subscription_id, vmss.resource_group)] |= {
                "Microsoft.Compute/virtualMachineScaleSets/read",
                "Microsoft.Compute/virtualMachineScaleSets/write",
            }
            continue
        needed[(plan.subscription_id, plan.failover_resource_group)] |= {
            "Microsoft.Resources/subscriptions/resourceGroups/write",
            "Microsoft.Compute/virtualMachineScaleSets/read",
            "Microsoft.Compute/virtualMachineScaleSets/write",
        }
        for ref, action in (
            (scale_set.image, "Microsoft.Compute/galleries/images/versions/read"),
            (scale_set.subnet, "Microsoft.Network/virtualNetworks/subnets/join/action"),
            (scale_set.backend_pool, "Microsoft.Network/loadBalancers/backendAddressPools/join/action"),
        ):
            if ref:
                rid = parse_resource_id(ref)
                needed[(rid.subscription_id, rid.resource_group)].add(action)
    for record in plan.dns_records:
        needed[(plan.subscription_of(record), record.resource_group)] |= {
            f"Microsoft.Network/dnsZones/{record.type}/read",
            f"Microsoft.Network/dnsZones/{record.type}/write",
        }
    return dict(needed)


def allowed(action: str, permissions: list[Any]) -> bool:
    """ARM's rule: some entry grants the action and that entry's notActions do not take it away."""

    def matches(patterns: list[str] | None) -> bool:
        return any(fnmatch.fnmatchcase(action.lower(), p.lower()) for p in patterns or [])

    return any(matches(p.actions) and not matches(p.not_actions) for p in permissions)


# A group that does not exist yet (the failover group) is read through another group of the plan in
# its subscription. Each scope is its own readiness unit carrying these candidates, so the list is
# capped: a thousand groups must not copy a thousand names into each unit's input and the history.
FALLBACK_GROUPS = 8


def permission_scopes(plan: Plan) -> list[dict[str, Any]]:
    """One entry per resource group the failover acts in, sorted: the actions needed there and the
    other groups of the plan in the same subscription to read through if it does not exist yet."""
    needed = required_actions(plan)
    by_sub: dict[str, list[str]] = defaultdict(list)
    for sub, group in sorted(needed):
        by_sub[sub].append(group)
    return [
        {
            "subscription_id": sub,
            "resource_group": group,
            "actions": sorted(needed[(sub, group)]),
            "fallbacks": [g for g in by_sub[sub] if g != group][:FALLBACK_GROUPS],
        }
        for sub, group in sorted(needed)
    ]


def check_permissions(clients: AzureClients, plan: Plan) -> list[StepOutcome]:
    """One `permissions` check per resource group the failover acts in, one after another."""
    return [check_scope(clients, **scope) for scope in permission_scopes(plan)]


def check_scope(
    clients: AzureClients, subscription_id: str, resource_group: str, actions: list[str], fallbacks: list[str]
) -> StepOutcome:
    """The `permissions` check of one resource group (an entry of `permission_scopes`)."""
    sub, group = subscription_id, resource_group
    step = about(Step("check", f"/subscriptions/{sub}/resourceGroups/{group}", "permissions"), GLOBAL)
    read_at, note, answered = _scope_to_read(clients, sub, group, fallbacks)
    if read_at is None:
        return step.outcome("skipped", note, answered=answered)
    try:
        permissions = list(clients.authorization(sub).permissions.list_for_resource_group(read_at))
    except AzureError as exc:
        return step.failed(f"the permissions of the caller cannot be read: {describe_error(exc)}")
    missing = sorted(a for a in actions if not allowed(a, permissions))
    data = {"required": sorted(actions), "missing": missing, "read_at": read_at}
    if missing:
        return step.failed(f"the caller may not: {', '.join(missing)}{note}", **data)
    return step.done(f"the caller may do all {len(actions)} actions the failover needs here{note}", **data)


def _scope_to_read(clients: AzureClients, sub: str, group: str, fallbacks: list[str]) -> tuple[str | None, str, bool]:
    """The group to ask about: the group itself when it exists, else one it will inherit alike;
    with a note, and whether ARM answered."""
    try:
        if clients.resources(sub).resource_groups.check_existence(group):
            return group, "", True
    except AzureError as exc:
        return None, f"could not be checked now ({describe_error(exc)})", False
    for other in fallbacks:
        try:
            if clients.resources(sub).resource_groups.check_existence(other):
                note = f" ({group} does not exist yet: read as inherited from the subscription, at {other})"
                return other, note, True
        except AzureError:
            continue
    return None, f"{group} does not exist yet and no other group of the plan in its subscription does", True
