"""Drift: where a plan and the live estate have grown apart. Only reads.

Discovery runs over the plan's subscriptions (and, for DNS, the plan's zones: records of other zones
are other teams' business) and its pairs are compared with the plan's entries:
- `not_in_plan`: a pair of the primary and the secondary that no entry covers (a failover group,
  an account, a scale set or a record added since the plan was written), a question included;
- `missing`: an entry whose resource is gone (404 when read directly: the failover group, the Cosmos
  DB account, the secondary's scale set, the image version, the record set; a `create` entry stands
  for its image and network, which readiness checks, not for a primary scale set, since the primary's
  lists are short during its outage and a missing one could not be told from one not answering);
- `replica_missing`: a `create` entry's image version with no Completed replica in the secondary;
- `changed`: a failover group whose partner in the secondary is no longer the plan's.
An entry discovery did not list is read directly before it is called missing: a region that does not
answer leaves it unknown, never missing (during an outage of the primary, its lists are short).
Entries are matched by the resources they stand for (`Entry.keys`); a scale set also by its name, and
a `create` one by its image version and subnet, since a plan names no primary scale set.

Every finding is a readiness outcome (`action` "drift"), so `check` shows, counts and reports it
like any check, and `policy.advisory_checks: [drift]` makes it warn only.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from azure.core.exceptions import AzureError

from regionshift.azure import sql
from regionshift.azure.check_outcomes import about, unreadable
from regionshift.azure.clients import AzureClients
from regionshift.azure.cosmos import account_id
from regionshift.azure.dns import record_label
from regionshift.azure.ids import parse_resource_id
from regionshift.azure.outcomes import Step
from regionshift.azure.regions import same_region, short_name
from regionshift.contracts import StepOutcome
from regionshift.discovery import pair_estate
from regionshift.discovery.estate import EstateReader, read_image_version
from regionshift.discovery.model import Discovery, Entry
from regionshift.plan import Plan, ScaleSet

ACTION = "drift"


def subscriptions_of(plan: Plan) -> list[str]:
    subs = [plan.subscription_id] + [sub for sub, _, _ in plan.resource_groups()]
    return list(dict.fromkeys(s.lower() for s in subs))


def check_drift(clients: AzureClients, plan: Plan) -> list[StepOutcome]:
    """The drift outcomes of `plan`: failed per finding, skipped where it could not be told, and one
    succeeded outcome when there is none."""
    clients = clients.probing()
    regions = (short_name(plan.regions.primary), short_name(plan.regions.secondary))
    zones = sorted({r.zone for r in plan.dns_records})
    estate = EstateReader(clients).read(subscriptions_of(plan), zones)
    discovery = pair_estate(clients, estate, regions, plan.subscription_id)
    findings = _not_in_plan(plan, discovery) + _gone(clients, plan, discovery)
    findings += [
        about(Step("check", plan.name, ACTION), None).outcome("skipped", f"drift unknown: {p}", answered=False)
        for p in discovery.problems
    ]
    if findings:
        return findings
    step = about(Step("check", plan.name, ACTION), plan.regions.primary)
    return [
        step.done(f"no drift: the plan covers all {len(discovery.found)} pairs discovered", pairs=len(discovery.found))
    ]


def _plan_keys(plan: Plan) -> dict[str, set[str]]:
    keys: dict[str, set[str]] = {
        "sql_failover_groups": {
            sql.primary_server(g).failover_group_id(plan.subscription_of(g), g.name).lower()
            for g in plan.sql_failover_groups
        },
        "cosmos_accounts": {account_id(plan, a).lower() for a in plan.cosmos_accounts},
        "dns_records": {f"{r.zone}/{r.name}/{r.type}".lower() for r in plan.dns_records},
        "scale_sets": {str(s.scale_set).lower() for s in plan.scale_sets if s.scale_set},
    }
    return keys


def _same_scale_set(plan_set: ScaleSet, entry: Entry) -> bool:
    """A discovered scale set entry stands for `plan_set`: by name, or (`create`) by image and subnet."""
    data = entry.data or entry.draft or {}
    if str(data.get("name", "")).lower() == plan_set.name.lower():
        return True
    return plan_set.mode == "create" and (str(data.get("image", "")).lower(), str(data.get("subnet", "")).lower()) == (
        str(plan_set.image).lower(),
        str(plan_set.subnet).lower(),
    )


def _claimed(plan: Plan, discovery: Discovery) -> set[int]:
    """Indices of the discovered entries some plan entry covers."""
    keys = _plan_keys(plan)
    claimed = {i for i, e in enumerate(discovery.entries) if set(e.keys) & keys[e.section]}
    for plan_set in plan.scale_sets:
        for i, entry in enumerate(discovery.entries):
            if i not in claimed and entry.section == "scale_sets" and _same_scale_set(plan_set, entry):
                claimed.add(i)
                break
    return claimed


def _not_in_plan(plan: Plan, discovery: Discovery) -> list[StepOutcome]:
    claimed = _claimed(plan, discovery)
    primary, secondary = plan.regions.primary, plan.regions.secondary
    found = []
    for i, entry in enumerate(discovery.entries):
        if i in claimed:
            continue
        how = "; discovery could not complete it: " + entry.comments[-1] if entry.question else ""
        step = about(Step("check", entry.label, ACTION), primary)
        found.append(
            step.failed(
                f"{entry.label} pairs {primary} with {secondary} but is not in the plan "
                f"(add it: `regionshift discover` writes the entry){how}",
                drift="not_in_plan",
                entry=entry.data or entry.draft or {},
            )
        )
    for entry in discovery.entries:  # a failover group the plan has, with another partner now
        if entry.section == "sql_failover_groups" and entry.data:
            found += _partner_changed(plan, entry.data)
    return found


def _partner_changed(plan: Plan, data: dict[str, Any]) -> list[StepOutcome]:
    for group in plan.sql_failover_groups:
        same = (group.server.lower(), group.name.lower()) == (str(data["server"]).lower(), str(data["name"]).lower())
        if same and group.partner_server and group.partner_server.lower() != str(data["partner_server"]).lower():
            step = about(
                Step("check", f"failover group {group.name} on {group.server}", ACTION), plan.regions.secondary
            )
            return [
                step.failed(
                    f"the plan names partner {group.partner_server}, the failover group's partner in "
                    f"{plan.regions.secondary} is now {data['partner_server']}",
                    drift="changed",
                )
            ]
    return []


def _gone(clients: AzureClients, plan: Plan, discovery: Discovery) -> list[StepOutcome]:
    """Plan entries discovery did not find, read directly: missing, or unknown."""
    listed = {k for e in discovery.entries for k in e.keys}
    found: list[StepOutcome] = []
    for group in plan.sql_failover_groups:
        fg_id = sql.primary_server(group).failover_group_id(plan.subscription_of(group), group.name)
        if fg_id.lower() not in listed:
            groups = clients.sql(plan.subscription_of(group)).failover_groups
            found += _read(
                fg_id, plan.regions.primary, partial(groups.get, group.resource_group, group.server, group.name)
            )
    for account in plan.cosmos_accounts:
        cosmos_id = account_id(plan, account)
        if cosmos_id.lower() not in listed:
            accounts = clients.cosmos(plan.subscription_of(account)).database_accounts
            found += _read(cosmos_id, None, partial(accounts.get, account.resource_group, account.name))
    for record in plan.dns_records:
        if f"{record.zone}/{record.name}/{record.type}".lower() not in listed:
            record_sets = clients.dns(plan.subscription_of(record)).record_sets
            found += _read(
                record_label(record),
                None,
                partial(record_sets.get, record.resource_group, record.zone, record.name, record.type),
            )
    for scale_set in plan.scale_sets:
        if scale_set.mode == "scale" and str(scale_set.scale_set).lower() not in listed:
            vmss = parse_resource_id(str(scale_set.scale_set))
            scale_sets = clients.compute(vmss.subscription_id).virtual_machine_scale_sets
            found += _read(str(vmss), plan.regions.secondary, partial(scale_sets.get, vmss.resource_group, vmss.name))
        elif scale_set.mode == "create":
            found += _image(clients, plan, scale_set)
    return found


def _read(resource: str, region: str | None, read: Callable[[], object]) -> list[StepOutcome]:
    step = about(Step("check", resource, ACTION), region)
    try:
        read()
    except AzureError as exc:
        return [_as_missing(unreadable(step, resource, exc))]
    return []


def _image(clients: AzureClients, plan: Plan, scale_set: ScaleSet) -> list[StepOutcome]:
    """A `create` entry's image version: gone, or without its replica in the secondary."""
    version = str(scale_set.image)
    step = about(Step("check", version, ACTION), None)  # served from its gallery's home region
    try:
        info = read_image_version(clients, version)
    except AzureError as exc:
        outcome = unreadable(step, f"the image version of {scale_set.name}", exc)
        return [_as_missing(outcome)]
    secondary = plan.regions.secondary
    if any(same_region(r, secondary) and s == "Completed" for r, s in info.replicas.items()):
        return []
    return [
        step.failed(
            f"the image version of {scale_set.name} has no Completed replica in {secondary} any more "
            f"({', '.join(f'{r}: {s}' for r, s in info.replicas.items()) or 'no replicas'})",
            drift="replica_missing",
        )
    ]


def _as_missing(outcome: StepOutcome) -> StepOutcome:
    """A read that found nothing (a failure of `unreadable`) is a missing resource; unknown stays unknown."""
    if outcome.status != "failed":
        return outcome
    return outcome.model_copy(update={"data": {**outcome.data, "drift": "missing"}})
