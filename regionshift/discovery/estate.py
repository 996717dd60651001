"""Read the live estate through ARM: what discovery pairs up and drift compares. Only reads.

Per subscription, one list each (the SDKs follow `nextLink`): SQL servers (Servers - List) and each
server's failover groups (Failover Groups - List By Server), Cosmos DB accounts (Database Accounts -
List), scale sets (Virtual Machine Scale Sets - List All), resource groups (Resource Groups - List:
their home regions), DNS zones (Zones - List) and, for the zones asked for, their A, AAAA and CNAME
record sets (Record Sets - List By Type). Virtual networks, load balancers and public IPs are the
Network RP's `_ListAll` operations (azure-rest-api-specs Microsoft.Network stable/2024-05-01), read
with the resource client's `send_request` because the app has no network client. Gallery image
versions are read one by one (with their replication status), for the images primary scale sets run.

A list that cannot be read is a `problem` (one line naming what and why), and discovery goes on
with what it could read: an incomplete estate must say so, never look complete.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from azure.core.exceptions import AzureError
from azure.core.rest import HttpRequest

from regionshift.azure.clients import AzureClients
from regionshift.azure.dns import current_targets
from regionshift.azure.ids import parse_resource_id
from regionshift.azure.outcomes import describe_error
from regionshift.azure.regions import short_name

NETWORK_API_VERSION = "2024-05-01"
RECORD_TYPES = ("A", "AAAA", "CNAME")
T = TypeVar("T")


@dataclass(frozen=True)
class Located:
    """What every discovered resource has: where it is."""

    id: str
    name: str
    subscription_id: str
    resource_group: str
    location: str  # ARM short name, "" when not regional


@dataclass(frozen=True)
class FailoverGroupSide:
    server: Located
    name: str
    partners: tuple[tuple[str, str], ...]  # (partner server id, its region)


@dataclass(frozen=True)
class CosmosInfo:
    account: Located
    priorities: tuple[tuple[str, int], ...]  # (region, failover priority), by priority
    write_region: str


@dataclass(frozen=True)
class ScaleSetInfo:
    vmss: Located
    sku: str | None
    capacity: int
    image: dict[str, Any]  # the imageReference: {"id": ...} or publisher / offer / sku
    subnets: tuple[str, ...]
    pools: tuple[str, ...]
    tags: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class NetworkInfo:
    """A virtual network with its subnets, or a load balancer with its backend pools."""

    parent: Located
    children: tuple[str, ...]  # child names


@dataclass(frozen=True)
class PublicIpInfo:
    ip: Located
    address: str
    fqdn: str  # `<label>.<region>.cloudapp.azure.com`, lower-cased, without the final dot; "" if none
    reverse_fqdn: str  # the user's own host name for it, the same way; "" if none

    @property
    def hosts(self) -> tuple[str, ...]:
        return tuple(h for h in (self.fqdn, self.reverse_fqdn) if h)


@dataclass(frozen=True)
class RecordInfo:
    subscription_id: str
    resource_group: str
    zone: str
    name: str
    type: str
    ttl: int
    targets: tuple[str, ...]


@dataclass(frozen=True)
class ImageVersionInfo:
    id: str
    replicas: dict[str, str]  # region -> replication state


@dataclass
class Estate:
    groups: dict[tuple[str, str], str] = field(default_factory=dict)  # (sub, group lower) -> home region
    failover_groups: list[FailoverGroupSide] = field(default_factory=list)
    servers: list[Located] = field(default_factory=list)
    cosmos: list[CosmosInfo] = field(default_factory=list)
    scale_sets: list[ScaleSetInfo] = field(default_factory=list)
    vnets: list[NetworkInfo] = field(default_factory=list)
    lbs: list[NetworkInfo] = field(default_factory=list)
    public_ips: list[PublicIpInfo] = field(default_factory=list)
    records: list[RecordInfo] = field(default_factory=list)
    zones_read: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _located(resource_id: str, location: str | None) -> Located:
    rid = parse_resource_id(resource_id)
    region = short_name(location) if location and location.lower() != "global" else ""
    return Located(str(rid), rid.name, rid.subscription_id, rid.resource_group, region)


def _value(enum: Any) -> str:
    return str(getattr(enum, "value", enum) or "")


class EstateReader:
    """Reads one estate; `groups` (lower-cased names), when given, keeps only resources in them."""

    def __init__(self, clients: AzureClients, groups: Iterable[str] = ()) -> None:
        self.clients = clients
        self.only = {g.lower() for g in groups}
        self.estate = Estate()

    def _keep(self, located: Located) -> bool:
        return not self.only or located.resource_group.lower() in self.only

    def _read(self, what: str, call: Callable[[], Iterable[T]]) -> list[T]:
        try:
            return list(call())
        except AzureError as exc:
            self.estate.problems.append(f"{what} could not be read: {describe_error(exc)}")
            return []

    def read(self, subscriptions: Iterable[str], zones: Iterable[str] | None) -> Estate:
        """Everything discovery needs; `zones` None: every zone found, else only these."""
        wanted = None if zones is None else {z.lower().rstrip(".") for z in zones}
        for sub in subscriptions:
            self._groups(sub)
            self._sql(sub)
            self._cosmos(sub)
            self._scale_sets(sub)
            self.estate.vnets += self._network(sub, "virtualNetworks", "subnets")
            self.estate.lbs += self._network(sub, "loadBalancers", "backendAddressPools")
            self._public_ips(sub)
            self._dns(sub, wanted)
        return self.estate

    def _groups(self, sub: str) -> None:
        for group in self._read(f"the resource groups of {sub}", self.clients.resources(sub).resource_groups.list):
            self.estate.groups[(sub.lower(), str(group.name).lower())] = short_name(str(group.location))

    def _sql(self, sub: str) -> None:
        client = self.clients.sql(sub)
        for server in self._read(f"the SQL servers of {sub}", client.servers.list):
            located = _located(str(server.id), server.location)
            if not self._keep(located):
                continue
            self.estate.servers.append(located)
            groups = self._read(
                f"the failover groups of {located.name}",
                partial(client.failover_groups.list_by_server, located.resource_group, located.name),
            )
            for group in groups:
                partners = (group.properties.partner_servers if group.properties else None) or []
                self.estate.failover_groups.append(
                    FailoverGroupSide(
                        located,
                        str(group.name),
                        tuple((str(p.id), short_name(str(p.location or ""))) for p in partners if p.location),
                    )
                )

    def _cosmos(self, sub: str) -> None:
        client = self.clients.cosmos(sub)
        for account in self._read(f"the Cosmos DB accounts of {sub}", client.database_accounts.list):
            located = _located(str(account.id), account.location)
            if not self._keep(located):
                continue
            props = account.properties
            locations = sorted((props.locations if props else None) or [], key=lambda loc: loc.failover_priority or 0)
            writes = (props.write_locations if props else None) or []
            self.estate.cosmos.append(
                CosmosInfo(
                    located,
                    tuple((short_name(str(loc.location_name)), int(loc.failover_priority or 0)) for loc in locations),
                    short_name(str(writes[0].location_name)) if writes else "",
                )
            )

    def _scale_sets(self, sub: str) -> None:
        client = self.clients.compute(sub)
        for vmss in self._read(f"the scale sets of {sub}", client.virtual_machine_scale_sets.list_all):
            located = _located(str(vmss.id), vmss.location)
            if not self._keep(located):
                continue
            profile = vmss.virtual_machine_profile
            image = profile.storage_profile.image_reference if profile and profile.storage_profile else None
            subnets: list[str] = []
            pools: list[str] = []
            nics = (
                (profile.network_profile.network_interface_configurations or [])
                if profile and profile.network_profile
                else []
            )
            for nic in nics:
                for config in nic.ip_configurations or []:
                    if config.subnet and config.subnet.id:
                        subnets.append(str(config.subnet.id))
                    pools += [str(p.id) for p in config.load_balancer_backend_address_pools or [] if p.id]
            self.estate.scale_sets.append(
                ScaleSetInfo(
                    located,
                    vmss.sku.name if vmss.sku else None,
                    int((vmss.sku.capacity if vmss.sku else 0) or 0),
                    {k: v for k, v in (image.as_dict() if image else {}).items() if v},
                    tuple(subnets),
                    tuple(pools),
                    tuple(sorted((vmss.tags or {}).items())),
                )
            )

    def _network(self, sub: str, kind: str, children: str) -> list[NetworkInfo]:
        found = []
        for item in self._arm_list(sub, kind):
            located = _located(item["id"], item.get("location"))
            if self._keep(located):
                names = tuple(str(c.get("name")) for c in (item.get("properties") or {}).get(children) or [])
                found.append(NetworkInfo(located, names))
        return found

    def _public_ips(self, sub: str) -> None:
        for item in self._arm_list(sub, "publicIPAddresses"):
            located = _located(item["id"], item.get("location"))
            props = item.get("properties") or {}
            if not self._keep(located) or not props.get("ipAddress"):
                continue
            dns = props.get("dnsSettings") or {}
            fqdn, reverse = (str(dns.get(k) or "").rstrip(".").lower() for k in ("fqdn", "reverseFqdn"))
            self.estate.public_ips.append(PublicIpInfo(located, str(props["ipAddress"]), fqdn, reverse))

    def _arm_list(self, sub: str, kind: str) -> list[dict[str, Any]]:
        """A Network RP `_ListAll`, every page, through the resource client's pipeline."""
        client = self.clients.resources(sub)
        url: str | None = f"/subscriptions/{sub}/providers/Microsoft.Network/{kind}?api-version={NETWORK_API_VERSION}"
        items: list[dict[str, Any]] = []
        try:
            while url:
                response = client.send_request(HttpRequest("GET", url))
                response.raise_for_status()
                body = response.json()
                items += body.get("value") or []
                url = body.get("nextLink")
        except AzureError as exc:
            self.estate.problems.append(f"the {kind} of {sub} could not be read: {describe_error(exc)}")
        return items

    def _dns(self, sub: str, wanted: set[str] | None) -> None:
        client = self.clients.dns(sub)
        for zone in self._read(f"the DNS zones of {sub}", client.zones.list):
            name = str(zone.name).lower()
            rid = parse_resource_id(str(zone.id))
            if (wanted is not None and name not in wanted) or (
                self.only and rid.resource_group.lower() not in self.only
            ):
                continue
            self.estate.zones_read.append(name)
            for record_type in RECORD_TYPES:
                record_sets = self._read(
                    f"the {record_type} records of {name}",
                    partial(client.record_sets.list_by_type, rid.resource_group, name, record_type),
                )
                for rs in record_sets:
                    self.estate.records.append(
                        RecordInfo(
                            sub,
                            rid.resource_group,
                            name,
                            str(rs.name),
                            record_type,
                            int(rs.ttl or 3600),
                            tuple(current_targets(rs, record_type)),
                        )
                    )


def read_image_version(clients: AzureClients, version_id: str) -> ImageVersionInfo:
    """A gallery image version with its replicas (AzureError when it cannot be read)."""
    rid = parse_resource_id(version_id)
    gallery, image, version = rid.names
    found = clients.compute(rid.subscription_id).gallery_image_versions.get(
        rid.resource_group, gallery, image, version, expand="ReplicationStatus"
    )
    status = found.properties.replication_status if found.properties else None
    replicas = {short_name(str(s.region)): _value(s.state) for s in (status.summary if status else None) or []}
    return ImageVersionInfo(str(rid), replicas)


def image_version(clients: AzureClients, version_id: str) -> ImageVersionInfo | str:
    """`read_image_version`, or why it cannot be read."""
    try:
        return read_image_version(clients, version_id)
    except AzureError as exc:
        return describe_error(exc)


def latest_version(clients: AzureClients, image_id: str) -> str | None:
    """The newest version of an image definition not excluded from latest (what Azure picks for
    an image reference that names the definition), or None when none can be read."""
    rid = parse_resource_id(image_id)
    gallery, image = rid.names
    try:
        versions = list(
            clients.compute(rid.subscription_id).gallery_image_versions.list_by_gallery_image(
                rid.resource_group, gallery, image
            )
        )
    except AzureError:
        return None

    def key(v: Any) -> tuple[int, ...]:
        try:
            return tuple(int(p) for p in str(v.name).split("."))
        except ValueError:
            return (-1,)

    usable = [
        v
        for v in versions
        if not (
            v.properties and v.properties.publishing_profile and v.properties.publishing_profile.exclude_from_latest
        )
    ]
    return str(max(usable, key=key).id) if usable else None
