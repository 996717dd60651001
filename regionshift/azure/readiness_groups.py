"""Readiness checks about resource groups: the ARM rule a failover depends on, and what failback deletes.

`resource_group_region`: "If a resource group's region is temporarily unavailable, you can't update
resources in the resource group because the metadata is unavailable. The resources in other regions
will still function as expected, but you can't update them." (Azure Resource Manager overview,
https://learn.microsoft.com/azure/azure-resource-manager/management/overview, "Resource groups").
So whatever a failover must change or build on while the primary is down (the secondary SQL server,
the Cosmos DB account, the DNS zone, the gallery holding the secondary's image replica, the
pre-provisioned scale sets and the network new ones join) must live in a group homed outside the
primary. One unit per group: it reads the group's location and names what the group holds.

`failover_resource_group`: a failover creates this group in the secondary and failback deletes it
with everything in it. If it exists already it must be homed in the secondary, carry the tag
`regionshift-plan: <plan name>` that regionshift writes on the group and the scale sets it creates
(orchestrators/failover.py, drill.py), and hold only resources with that tag (Resources - List By
Resource Group); otherwise a failback would delete what regionshift did not create.
"""

from __future__ import annotations

from typing import Any

from azure.core.exceptions import AzureError

from regionshift.azure.check_outcomes import about, unreadable
from regionshift.azure.clients import AzureClients
from regionshift.azure.ids import parse_resource_id
from regionshift.azure.outcomes import Step
from regionshift.azure.regions import same_region
from regionshift.azure.resources import group_id
from regionshift.contracts import StepOutcome
from regionshift.plan import Plan, PlanContext

PLAN_TAG = "regionshift-plan"  # the tag orchestrators/failover.py and drill.py write on what they create
# A unit's input names what its group holds; the history need not carry a thousand names per unit.
HOLDS_SHOWN = 10
FOREIGN_SHOWN = 5


def groups_to_check(plan: Plan) -> list[dict[str, Any]]:
    """One entry per resource group holding something a failover changes or builds on, sorted,
    with what it holds (as a person would say it)."""
    holds: dict[tuple[str, str], list[str]] = {}

    def add(sub: str, group: str, what: str) -> None:
        found = holds.setdefault((sub, group.lower()), [group])
        if what not in found:
            found.append(what)

    for g in plan.sql_failover_groups:
        if g.partner_server:  # without it the partner is found at run time (an advisory check warns)
            add(plan.subscription_of(g), g.partner_resource_group or g.resource_group, f"SQL server {g.partner_server}")
    for a in plan.cosmos_accounts:
        add(plan.subscription_of(a), a.resource_group, f"Cosmos DB account {a.name}")
    for r in plan.dns_records:
        add(plan.subscription_of(r), r.resource_group, f"DNS zone {r.zone}")
    for s in plan.scale_sets:
        for ref, kind in ((s.image, "gallery"), (s.subnet, "virtual network"), (s.backend_pool, "load balancer")):
            if ref:
                rid = parse_resource_id(ref)
                add(rid.subscription_id, rid.resource_group, f"{kind} {rid.names[0]}")
        if s.scale_set_id:
            add(s.scale_set_id.subscription_id, s.scale_set_id.resource_group, f"scale set {s.scale_set_id.name}")
    units = []
    for (sub, _), (group, *what) in sorted(holds.items()):
        shown = what[:HOLDS_SHOWN] + ([f"{len(what) - HOLDS_SHOWN} more"] if len(what) > HOLDS_SHOWN else [])
        units.append({"subscription_id": sub, "resource_group": group, "holds": shown})
    return units


def check_group_region(clients: AzureClients, plan: PlanContext, item: dict[str, Any]) -> StepOutcome:
    sub, group, holds = item["subscription_id"], item["resource_group"], ", ".join(item["holds"])
    primary, secondary = plan.regions.primary, plan.regions.secondary
    step = about(Step("check", group_id(sub, group), "resource_group_region"), secondary)
    try:
        location = clients.resources(sub).resource_groups.get(group).location
    except AzureError as exc:
        return unreadable(step, f"resource group {group}", exc)
    data = {"location": location, "holds": item["holds"]}
    if same_region(location, primary):
        return step.failed(
            f"{group} is homed in {primary}, the primary: while {primary} is down ARM cannot update what it "
            f"holds ({holds}), because a group's metadata lives in its region. Fix: move them to a group created "
            f"in {secondary} (az group create -n <group> -l {secondary}; az resource move --destination-group "
            "<group> --ids <their ids>) and name that group in the plan",
            **data,
        )
    return step.done(f"{group} is homed in {location}: {holds} can be changed while {primary} is down", **data)


def check_failover_group(clients: AzureClients, plan: PlanContext) -> StepOutcome:
    sub, group, secondary = plan.subscription_id, plan.failover_resource_group, plan.regions.secondary
    step = about(Step("check", group_id(sub, group), "failover_resource_group"), secondary)
    client = clients.resources(sub)
    try:
        if not client.resource_groups.check_existence(group):
            return step.done(f"{group} does not exist yet: a failover creates it in {secondary}", exists=False)
        found = client.resource_groups.get(group)
    except AzureError as exc:
        return unreadable(step, f"resource group {group}", exc)
    data: dict[str, Any] = {"exists": True, "location": found.location}
    if not same_region(found.location, secondary):
        return step.failed(
            f"{group} exists in {found.location}, not in {secondary}: a failover builds its scale sets in the "
            "secondary, in a group homed there. Fix: name another failover_resource_group",
            **data,
        )
    owner = (found.tags or {}).get(PLAN_TAG)
    if owner != plan.name:
        why = "has no regionshift-plan tag" if owner is None else f"is tagged regionshift-plan: {owner}"
        return step.failed(
            f"{group} exists and was not created by regionshift for {plan.name} (it {why}); failback deletes the "
            "failover resource group with everything in it. Fix: name a group of its own",
            **data,
        )
    try:
        resources = list(client.resources.list_by_resource_group(group))
    except AzureError as exc:
        return unreadable(step, f"the resources in {group}", exc)
    foreign = [str(r.name) for r in resources if (r.tags or {}).get(PLAN_TAG) != plan.name]
    if foreign:
        more = len(foreign) - FOREIGN_SHOWN
        shown = ", ".join(foreign[:FOREIGN_SHOWN]) + (f" and {more} more" if more > 0 else "")
        return step.failed(
            f"{group} holds {len(foreign)} resource(s) regionshift did not create ({shown}); failback would "
            "delete them with the group. Fix: move them out, or name another failover_resource_group",
            **data,
            foreign=foreign[:FOREIGN_SHOWN],
        )
    return step.done(f"{group} was created by regionshift for {plan.name} and holds only what it made", **data)
