"""Where every resource of a plan stands, read from the emulator's own state (never from a report).

The input is the emulator's snapshot: `Emulator.state.snapshot()` in process, or
`GET /_emulator/state` of an emulator in a process of its own (the same JSON). Each question the
invariants ask has one answer here: which region holds a SQL failover group's primary, where a
Cosmos DB account writes, which side a DNS record points at, whether a scale set serves (its
capacity provisioned and every instance running), which resource groups exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from regionshift.azure.regions import short_name
from regionshift.plan import CosmosAccount, DnsRecord, Plan, ScaleSet, SqlFailoverGroup

Side = Literal["primary", "secondary", "elsewhere"]


def group_path(subscription: str, group: str) -> str:
    return f"/subscriptions/{subscription}/resourceGroups/{group}"


def sql_group_path(subscription: str, group: str, server: str, name: str) -> str:
    return f"{group_path(subscription, group)}/providers/Microsoft.Sql/servers/{server}/failoverGroups/{name}"


def cosmos_path(plan: Plan, account: CosmosAccount) -> str:
    sub = plan.subscription_of(account)
    return f"{group_path(sub, account.resource_group)}/providers/Microsoft.DocumentDB/databaseAccounts/{account.name}"


def dns_path(plan: Plan, record: DnsRecord) -> str:
    sub = plan.subscription_of(record)
    zone = f"{group_path(sub, record.resource_group)}/providers/Microsoft.Network/dnsZones/{record.zone}"
    return f"{zone}/{record.type}/{record.name}"


def scale_set_path(plan: Plan, scale_set: ScaleSet) -> str:
    """A `scale` set's own id; a `create` set is built in the failover resource group."""
    if scale_set.scale_set:
        return scale_set.scale_set
    frg = group_path(plan.subscription_id, plan.failover_resource_group)
    return f"{frg}/providers/Microsoft.Compute/virtualMachineScaleSets/{scale_set.name}"


def drill_group_pattern(plan: Plan) -> re.Pattern[str]:
    """`<failover_resource_group>-drill-<YYYYmmddHHMMSS>` (orchestrators/drill.py), and what is in it."""
    base = re.escape(group_path(plan.subscription_id, plan.failover_resource_group).lower())
    return re.compile(rf"^{base}-drill-\d{{14}}(/.*)?$")


def dns_label(record: DnsRecord) -> str:
    return f"{record.fqdn} {record.type}"


@dataclass
class Estate:
    """The plan's resources as the emulator holds them now."""

    plan: Plan
    state: dict[str, Any]
    _by_id: dict[str, dict[str, Any]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_id = {key.lower(): value for key, value in self.state.get("resources", {}).items()}

    def side(self, region: str | None) -> Side:
        if not region:
            return "elsewhere"
        short = short_name(region)
        if short == short_name(self.plan.regions.primary):
            return "primary"
        if short == short_name(self.plan.regions.secondary):
            return "secondary"
        return "elsewhere"

    def resource(self, resource_id: str) -> dict[str, Any] | None:
        return self._by_id.get(resource_id.rstrip("/").lower())

    # --- data ------------------------------------------------------------------------------

    def sql_primary_side(self, group: SqlFailoverGroup) -> Side:
        """The side of the server that is primary in the failover group (from the SQL service's state)."""
        sub = self.plan.subscription_of(group)
        server = f"{group_path(sub, group.resource_group)}/providers/Microsoft.Sql/servers/{group.server}".lower()
        for fg_id, fg in self.state.get("services", {}).get("sql", {}).items():
            servers = [s.lower() for s in fg.get("servers", [])]
            if fg_id.lower().endswith(f"/failovergroups/{group.name.lower()}") and server in servers:
                primary = self.resource(fg["primary"])
                return self.side(primary.get("location") if primary else None)
        return "elsewhere"

    def sql_servers(self, group: SqlFailoverGroup) -> list[str]:
        """Both servers of the group (the partner read from the state when the plan does not name it)."""
        sub = self.plan.subscription_of(group)
        server = f"{group_path(sub, group.resource_group)}/providers/Microsoft.Sql/servers/{group.server}"
        for fg_id, fg in self.state.get("services", {}).get("sql", {}).items():
            if fg_id.lower().endswith(f"/failovergroups/{group.name.lower()}") and server.lower() in [
                s.lower() for s in fg.get("servers", [])
            ]:
                return list(fg["servers"])
        return [server]

    def cosmos_write_side(self, account: CosmosAccount) -> Side:
        found = self.state.get("services", {}).get("cosmos", {})
        entry = {k.lower(): v for k, v in found.items()}.get(cosmos_path(self.plan, account).lower())
        return self.side(entry["write_region"]) if entry else "elsewhere"

    def data_sides(self) -> dict[str, Side]:
        """Every SQL failover group and Cosmos DB account: the side that takes writes."""
        sides: dict[str, Side] = {f"sql {g.name}": self.sql_primary_side(g) for g in self.plan.sql_failover_groups}
        sides |= {f"cosmos {a.name}": self.cosmos_write_side(a) for a in self.plan.cosmos_accounts}
        return sides

    # --- DNS -------------------------------------------------------------------------------

    def dns_side(self, record: DnsRecord) -> Side:
        found = self.resource(dns_path(self.plan, record))
        if found is None:
            return "elsewhere"
        props = found.get("properties", {})
        if record.type == "CNAME":
            now = sorted([str((props.get("CNAMERecord") or {}).get("cname", "")).rstrip(".").lower()])
        else:
            key, item = ("ARecords", "ipv4Address") if record.type == "A" else ("AAAARecords", "ipv6Address")
            now = sorted(str(r.get(item, "")).lower() for r in props.get(key) or [])
        if now == sorted(t.rstrip(".").lower() for t in record.targets("primary")):
            return "primary"
        if now == sorted(t.rstrip(".").lower() for t in record.targets("secondary")):
            return "secondary"
        return "elsewhere"

    def dns_sides(self) -> dict[str, Side]:
        return {dns_label(r): self.dns_side(r) for r in self.plan.dns_records}

    # --- compute and groups ------------------------------------------------------------------

    def capacity(self, resource_id: str) -> int | None:
        found = self.resource(resource_id)
        return None if found is None else int((found.get("sku") or {}).get("capacity", 0))

    def serving(self, scale_set: ScaleSet) -> str:
        """'' when the scale set serves with its full capacity, else why not."""
        found = self.resource(scale_set_path(self.plan, scale_set))
        if found is None:
            return f"scale set {scale_set.name} does not exist"
        capacity = int((found.get("sku") or {}).get("capacity", 0))
        state = (found.get("properties") or {}).get("provisioningState")
        running = sum(1 for i in (found.get("internal") or {}).get("instances", []) if i.get("state") == "Succeeded")
        if capacity < scale_set.capacity or state != "Succeeded" or running < scale_set.capacity:
            return (
                f"scale set {scale_set.name}: capacity {capacity} of {scale_set.capacity}, "
                f"{running} instances running, provisioning {state}"
            )
        return ""

    def group_exists(self, subscription: str, name: str) -> bool:
        return self.resource(group_path(subscription, name)) is not None

    def drill_leftovers(self) -> list[str]:
        """Every drill resource group (and anything in one) still there."""
        pattern = drill_group_pattern(self.plan)
        return sorted(key for key in self._by_id if pattern.match(key))
