"""Pair the data and the DNS of an estate: SQL failover groups, Cosmos DB accounts, DNS records.

- A SQL failover group pairs when it has a server in the primary and exactly one partner server in
  the secondary, in the same subscription (a plan's failover group names one subscription for
  both). Both servers are named, so a failover never has to ask the primary who its partner is.
- A Cosmos DB account pairs when both regions are among its locations; its failover priorities and
  write region are written beside it.
- A DNS record (A, AAAA or CNAME) pairs when every target is an endpoint of the primary: an address
  of a public IP in the primary, or the `fqdn` or `reverseFqdn` of one. Its secondary targets are the
  counterparts of those public IPs in the secondary (`naming`): the one public IP whose name has the
  same base, else, for a record whose addresses are exactly a numbered set (`pip-api-eus2-1`,
  `pip-api-eus2-2`), every address of the secondary's set of that base. A CNAME's secondary target is
  the counterpart's host name of the same kind (reverseFqdn for reverseFqdn).

Anything else of these kinds is left out, with the reason; a pair with a part discovery could not
decide is a question (`model.Entry`).
"""

from __future__ import annotations

from collections import defaultdict

from regionshift.azure.ids import parse_resource_id
from regionshift.azure.regions import same_region
from regionshift.discovery.estate import Estate, PublicIpInfo, RecordInfo
from regionshift.discovery.model import Entry, LeftOut, checked
from regionshift.discovery.naming import base_name, without_index

Regions = tuple[str, str]  # (primary, secondary)


def _sub(entry: dict[str, object], subscription: str, plan_subscription: str) -> dict[str, object]:
    """The entry with `subscription_id` first when it is not the plan's own."""
    return {"subscription_id": subscription, **entry} if subscription.lower() != plan_subscription.lower() else entry


def pair_sql(estate: Estate, regions: Regions, plan_subscription: str) -> tuple[list[Entry], list[LeftOut]]:
    primary, secondary = regions
    entries: list[Entry] = []
    left: list[LeftOut] = []
    partners_used: set[str] = set()
    with_groups: set[str] = set()
    for side in sorted(estate.failover_groups, key=lambda g: (g.server.id.lower(), g.name.lower())):
        with_groups.add(side.server.id.lower())
        if not same_region(side.server.location, primary):
            continue
        label = f"failover group {side.name} on {side.server.name}"
        in_secondary = [(pid, region) for pid, region in side.partners if same_region(region, secondary)]
        if len(in_secondary) != 1:
            where = ", ".join(sorted({r for _, r in side.partners})) or "no region"
            left.append(LeftOut("sql failover group", label, f"its partner is in {where}, not in {secondary}"))
            continue
        partner = parse_resource_id(in_secondary[0][0])
        if partner.subscription_id.lower() != side.server.subscription_id.lower():
            left.append(
                LeftOut("sql failover group", label, "its partner is in another subscription, which a plan cannot name")
            )
            continue
        partners_used.add(str(partner).lower())
        data = _sub(
            {
                "resource_group": side.server.resource_group,
                "server": side.server.name,
                "name": side.name,
                "partner_server": partner.name,
                "partner_resource_group": partner.resource_group,
            },
            side.server.subscription_id,
            plan_subscription,
        )
        entries.append(
            checked(
                Entry(
                    "sql_failover_groups",
                    label,
                    data,
                    [f"{side.name}: {side.server.name} ({primary}) -> {partner.name} ({secondary})"],
                    keys=(f"{side.server.id}/failovergroups/{side.name}".lower(),),
                )
            )
        )
    for server in sorted(estate.servers, key=lambda s: s.id.lower()):
        key = server.id.lower()
        if same_region(server.location, primary) and key not in with_groups:
            left.append(LeftOut("sql server", server.id, "has no failover group"))
        elif same_region(server.location, secondary) and key not in partners_used:
            left.append(LeftOut("sql server", server.id, f"is the partner of no failover group of a {primary} server"))
        elif not (same_region(server.location, primary) or same_region(server.location, secondary)):
            left.append(LeftOut("sql server", server.id, f"is in {server.location}, neither region"))
    return entries, left


def pair_cosmos(estate: Estate, regions: Regions, plan_subscription: str) -> tuple[list[Entry], list[LeftOut]]:
    primary = regions[0]
    entries: list[Entry] = []
    left: list[LeftOut] = []
    for info in sorted(estate.cosmos, key=lambda c: c.account.id.lower()):
        account = info.account
        has = [r for r, _ in info.priorities]
        missing = [r for r in regions if not any(same_region(r, h) for h in has)]
        if missing:
            left.append(LeftOut("cosmos db account", account.id, f"has no {missing[0]} region ({', '.join(has)})"))
            continue
        priorities = ", ".join(f"{r} {p}" for r, p in info.priorities)
        comments = [f"{account.name}: failover priorities {priorities}; writes go to {info.write_region}"]
        if not same_region(info.write_region, primary):
            comments.append(f"note: writes do not go to {primary} now (has it failed over already?)")
        data = _sub(
            {"resource_group": account.resource_group, "name": account.name}, account.subscription_id, plan_subscription
        )
        entries.append(checked(Entry("cosmos_accounts", account.name, data, comments, keys=(account.id.lower(),))))
    return entries, left


class _Endpoints:
    """The public IPs of both regions, by address, host name, base and numbered set."""

    def __init__(self, estate: Estate, regions: Regions) -> None:
        self.regions = regions
        primary, secondary = regions
        self.primary = [p for p in estate.public_ips if same_region(p.ip.location, primary)]
        self.secondary = [p for p in estate.public_ips if same_region(p.ip.location, secondary)]
        self.by_address = {p.address: p for p in self.primary}
        self.by_host = {h: p for p in self.primary for h in p.hosts}
        self.secondary_hosts = {h for p in self.secondary for h in p.hosts}
        self.secondary_addresses = {p.address for p in self.secondary}
        self.bases: dict[str, list[PublicIpInfo]] = defaultdict(list)
        self.sets: dict[str, list[PublicIpInfo]] = defaultdict(list)
        self.primary_sets: dict[str, list[PublicIpInfo]] = defaultdict(list)
        for p in self.secondary:
            self.bases[self.base(p)].append(p)
            self.sets[without_index(self.base(p))].append(p)
        for p in self.primary:
            self.primary_sets[without_index(self.base(p))].append(p)

    def base(self, ip: PublicIpInfo) -> str:
        return base_name(ip.ip.name, self.regions)

    def counterpart(self, ip: PublicIpInfo) -> PublicIpInfo | None:
        found = self.bases.get(self.base(ip), [])
        return found[0] if len(found) == 1 else None

    def counterpart_addresses(self, ips: list[PublicIpInfo]) -> list[str] | None:
        one_to_one = [self.counterpart(ip) for ip in ips]
        if all(one_to_one):
            return sorted(c.address for c in one_to_one if c)
        sets = {without_index(self.base(ip)) for ip in ips}
        if len(sets) == 1:
            name = sets.pop()
            whole = {p.address for p in self.primary_sets[name]} == {ip.address for ip in ips}
            if whole and self.sets.get(name):
                return sorted(p.address for p in self.sets[name])
        return None


def _secondary_host(primary: PublicIpInfo, host: str, secondary: PublicIpInfo) -> str | None:
    """The counterpart's host name of the kind `host` is for the primary (fqdn, or reverseFqdn)."""
    return (secondary.fqdn if host == primary.fqdn else secondary.reverse_fqdn) or None


def pair_dns(estate: Estate, regions: Regions, plan_subscription: str) -> tuple[list[Entry], list[LeftOut]]:
    endpoints = _Endpoints(estate, regions)
    entries: list[Entry] = []
    left: list[LeftOut] = []
    for record in sorted(estate.records, key=lambda r: (r.zone, r.name.lower(), r.type)):
        label = f"{record.name}.{record.zone} {record.type}" if record.name != "@" else f"{record.zone} {record.type}"
        entry = _record_entry(record, endpoints, label, plan_subscription, regions)
        if isinstance(entry, LeftOut):
            left.append(entry)
        else:
            entries.append(checked(entry))
    return entries, left


def _record_entry(
    record: RecordInfo, endpoints: _Endpoints, label: str, plan_subscription: str, regions: Regions
) -> Entry | LeftOut:
    primary, secondary = regions
    base = {
        "resource_group": record.resource_group,
        "zone": record.zone,
        "name": record.name,
        "type": record.type,
        "ttl": record.ttl,
    }
    keys = (f"{record.zone}/{record.name}/{record.type}".lower(),)
    targets = [t.rstrip(".").lower() for t in record.targets] if record.type == "CNAME" else list(record.targets)
    if not targets:
        return LeftOut("dns record", label, "has no target")
    if record.type == "CNAME":
        host = targets[0]
        ip = endpoints.by_host.get(host)
        if ip is None:
            where = f"the {secondary} endpoint" if host in endpoints.secondary_hosts else "no endpoint of the primary"
            return LeftOut("dns record", label, f"points at {host}, {where}")
        counterpart = endpoints.counterpart(ip)
        target = _secondary_host(ip, host, counterpart) if counterpart else None
        primary_value: str | list[str] = host
        secondary_value: str | list[str] | None = target
        why = f"{host} is public IP {ip.ip.name} in {primary}"
    else:
        found = [endpoints.by_address.get(t) for t in targets]
        if not any(found):
            where = f"the {secondary}'s" if set(targets) <= endpoints.secondary_addresses else "no primary"
            return LeftOut("dns record", label, f"points at {', '.join(targets)}: {where} public IPs")
        if not all(found):
            others = [t for t, f in zip(targets, found, strict=True) if f is None]
            draft = _sub(
                {**base, "primary": targets, "secondary": ["<secondary addresses>"]},
                record.subscription_id,
                plan_subscription,
            )
            return Entry(
                "dns_records",
                label,
                None,
                [
                    f"QUESTION: {label} points at {', '.join(others)} too, which is no public IP of {primary}: "
                    "which targets fail over?"
                ],
                draft,
                keys,
            )
        ips = [f for f in found if f is not None]
        primary_value = targets
        secondary_value = endpoints.counterpart_addresses(ips)
        why = f"{', '.join(targets)} are public IPs of {primary} ({', '.join(ip.ip.name for ip in ips)})"
    data = _sub({**base, "primary": primary_value}, record.subscription_id, plan_subscription)
    if secondary_value is None:
        return Entry(
            "dns_records",
            label,
            None,
            [
                f"{label}: {why}",
                f"QUESTION: no public IP in {secondary} is named like it; what should {label} point at after a "
                "failover?",
            ],
            {**data, "secondary": "<secondary target>"},
            keys,
        )
    return Entry("dns_records", label, {**data, "secondary": secondary_value}, [f"{label}: {why}"], keys=keys)
