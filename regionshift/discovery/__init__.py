"""Discovery: read a live estate through ARM and write the plan that fails it over.

`discover` reads (`estate`), pairs each kind of resource (`pairing`, `compute_pairs`, by the naming
rules in `naming`), and notes what `regionshift check` will refuse (a group homed in the primary
that holds something a failover changes). `writer` turns the result into a plan file; `drift`
compares a plan with a fresh discovery. Everything here only reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from regionshift.azure.clients import AzureClients
from regionshift.azure.ids import parse_resource_id
from regionshift.azure.regions import same_region, short_name
from regionshift.discovery.compute_pairs import pair_scale_sets
from regionshift.discovery.estate import Estate, EstateReader, ImageVersionInfo, image_version, latest_version
from regionshift.discovery.model import Discovery, Entry
from regionshift.discovery.pairing import pair_cosmos, pair_dns, pair_sql

__all__ = ["Discovery", "Entry", "Estate", "discover", "pair_estate"]


def discover(
    clients: AzureClients,
    subscriptions: list[str],
    primary: str,
    secondary: str,
    *,
    groups: Iterable[str] = (),
    zones: Iterable[str] | None = None,
) -> tuple[Discovery, Estate]:
    """Read the subscriptions' estate (in `groups` only, when given; the DNS `zones`, or every zone
    when None) and pair it. The first subscription is the plan's own."""
    estate = EstateReader(clients, groups).read(subscriptions, zones)
    return pair_estate(clients, estate, (short_name(primary), short_name(secondary)), subscriptions[0]), estate


def pair_estate(clients: AzureClients, estate: Estate, regions: tuple[str, str], plan_subscription: str) -> Discovery:
    @cache
    def read_image(version_id: str) -> ImageVersionInfo | str:
        return image_version(clients, version_id)

    @cache
    def latest(image_id: str) -> str | None:
        return latest_version(clients, image_id)

    discovery = Discovery(problems=list(estate.problems))
    for entries, left in (
        pair_sql(estate, regions, plan_subscription),
        pair_cosmos(estate, regions, plan_subscription),
        pair_scale_sets(estate, regions, read_image, latest),
        pair_dns(estate, regions, plan_subscription),
    ):
        discovery.entries += entries
        discovery.left_out += left
    for entry in discovery.entries:
        entry.comments += _home_notes(entry, estate, regions, plan_subscription)
    return discovery


def _changed_groups(entry: Entry, plan_subscription: str) -> list[tuple[str, str]]:
    """(subscription, group) of everything a failover changes or builds on for this entry, as
    `regionshift.azure.readiness_groups.groups_to_check` counts them."""
    if entry.data is None:  # a question: a person decides, and check reads the groups then
        return []
    data: dict[str, Any] = entry.data
    sub = str(data.get("subscription_id") or plan_subscription)
    if entry.section == "sql_failover_groups":
        return [(sub, str(data["partner_resource_group"]))] if data.get("partner_resource_group") else []
    if entry.section in ("cosmos_accounts", "dns_records"):
        return [(sub, str(data["resource_group"]))]
    found = []
    for key in ("image", "subnet", "backend_pool", "scale_set"):
        if data.get(key):
            rid = parse_resource_id(str(data[key]))
            found.append((rid.subscription_id, rid.resource_group))
    return found


def _home_notes(entry: Entry, estate: Estate, regions: tuple[str, str], plan_subscription: str) -> list[str]:
    notes = []
    for sub, group in dict.fromkeys(_changed_groups(entry, plan_subscription)):
        home = estate.groups.get((sub.lower(), group.lower()))
        if home and same_region(home, regions[0]):
            notes.append(
                f"note: resource group {group} is homed in {regions[0]}, the primary: while it is down ARM cannot "
                f"change what the group holds, so `regionshift check` fails resource_group_region; move it to a group "
                f"homed in {regions[1]}"
            )
    return notes
