"""Azure DNS state and rules: zones and their record sets, with ETags and optimistic concurrency.

Zones and record sets live in the shared `ResourceStore` (so a resource-group delete takes them
along) as resources of type `Microsoft.Network/dnsZones` and `Microsoft.Network/dnsZones/{TYPE}`
with location `global`: DNS is a global service and no regional outage touches it (a scenario
outage of region `global`, service `dns`, does; so does its group's home region for writes). A record set
is keyed by (relative name, type), both case-insensitive as in Azure. Every write gives the
record set a new ETag (a bare GUID, as Azure DNS writes it); `If-Match` / `If-None-Match: *` are
checked here so that the HTTP layer and the DNS wire server (`dns_server.py`) share one set of
rules and one state.
"""

from __future__ import annotations

import ipaddress
import uuid
from typing import Any

from regionshift_emulator.core.scenario import GLOBAL
from regionshift_emulator.core.service import Backend
from regionshift_emulator.core.store import Resource, ResourceStore, group_id
from regionshift_emulator.services.dns.exceptions import (
    DnsBadRequest,
    PreconditionFailed,
    RecordSetConflict,
    RecordSetNotFound,
    ZoneNotFound,
)

ZONE_TYPE = "Microsoft.Network/dnsZones"
# Record types served over ARM and by the DNS server, with the ARM property that carries them.
RECORD_PROPERTIES = {
    "A": "ARecords",
    "AAAA": "AAAARecords",
    "CNAME": "CNAMERecord",
    "NS": "NSRecords",
    "SOA": "SOARecord",
    "TXT": "TXTRecords",
}
NAME_SERVERS = [
    "ns1-01.azure-dns.com.",
    "ns2-01.azure-dns.net.",
    "ns3-01.azure-dns.org.",
    "ns4-01.azure-dns.info.",
]
DEFAULT_TTL = 3600


def new_etag() -> str:
    return str(uuid.uuid4())


def normalise_type(record_type: str) -> str:
    upper = record_type.upper()
    if upper not in RECORD_PROPERTIES:
        supported = ", ".join(sorted(RECORD_PROPERTIES))
        raise DnsBadRequest(f"Record type {record_type!r} is not supported here (supported: {supported}).")
    return upper


def zone_id(subscription_id: str, resource_group: str, zone: str) -> str:
    return f"{group_id(subscription_id, resource_group)}/providers/{ZONE_TYPE}/{zone.rstrip('.').lower()}"


def record_type_of(record_set: Resource) -> str:
    return record_set.type.rsplit("/", 1)[-1].upper()


def zone_name_of(resource: Resource) -> str:
    """The zone name of a zone or record set resource."""
    parts = resource.id.split("/")
    return parts[8].lower()


def record_values(record_set: Resource) -> list[str]:
    """The record data as DNS text (IPs, host names, strings)."""
    props = record_set.properties
    rtype = record_type_of(record_set)
    if rtype == "A":
        return [r["ipv4Address"] for r in props.get("ARecords") or []]
    if rtype == "AAAA":
        return [r["ipv6Address"] for r in props.get("AAAARecords") or []]
    if rtype == "CNAME":
        cname = props.get("CNAMERecord") or {}
        return [cname["cname"]] if cname.get("cname") else []
    if rtype == "NS":
        return [r["nsdname"] for r in props.get("NSRecords") or []]
    if rtype == "TXT":
        return ["".join(r.get("value", [])) for r in props.get("TXTRecords") or []]
    return []


def _records_from_properties(record_type: str, props: dict[str, Any]) -> Any:
    """Validate and copy the type's records from a request's `properties`."""
    key = RECORD_PROPERTIES[record_type]
    value = props.get(key)
    if record_type == "CNAME":
        if value is None:
            return None
        if not isinstance(value, dict) or not isinstance(value.get("cname"), str) or not value["cname"]:
            raise DnsBadRequest("properties.CNAMERecord must be an object with a non-empty 'cname'.")
        return {"cname": value["cname"]}
    if record_type == "SOA":
        return dict(value) if isinstance(value, dict) else None
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
        raise DnsBadRequest(f"properties.{key} must be a list of objects.")
    if record_type in ("A", "AAAA"):
        field_name, version = ("ipv4Address", 4) if record_type == "A" else ("ipv6Address", 6)
        out = []
        for index, record in enumerate(value):
            address = record.get(field_name)
            try:
                parsed = ipaddress.ip_address(address) if isinstance(address, str) else None
            except ValueError:
                parsed = None
            if parsed is None or parsed.version != version:
                raise DnsBadRequest(
                    f"properties.{key}[{index}].{field_name}: {address!r} is not an IPv{version} address."
                )
            out.append({field_name: str(parsed)})
        return out
    return [dict(r) for r in value]


class DnsBackend(Backend):
    """The rules of Azure DNS over the shared store; used by the ARM routes and the DNS server."""

    @property
    def store(self) -> ResourceStore:
        return self.state.store

    # --- zones ---------------------------------------------------------------------------------

    def create_zone(
        self, subscription_id: str, resource_group: str, name: str, tags: dict[str, str] | None = None
    ) -> Resource:
        """Create a zone (idempotent) with the apex NS and SOA record sets Azure creates."""
        zid = zone_id(subscription_id, resource_group, name)
        with self.store.lock:
            self.store.require_group(subscription_id, resource_group)
            existing = self.store.get(zid)
            if existing is not None:
                return existing
            zone = Resource(
                id=zid,
                type=ZONE_TYPE,
                location="global",
                tags=dict(tags or {}),
                properties={
                    "maxNumberOfRecordSets": 10000,
                    "maxNumberOfRecordsPerRecordSet": 20,
                    "nameServers": [ns.rstrip(".") for ns in NAME_SERVERS],
                    "zoneType": "Public",
                },
                etag=new_etag(),
            )
            self.store.put(zone)
            self._put(zone, "@", "NS", 172800, {"NSRecords": [{"nsdname": ns} for ns in NAME_SERVERS]})
            soa = {
                "host": NAME_SERVERS[0],
                "email": "azuredns-hostmaster.microsoft.com",
                "serialNumber": 1,
                "refreshTime": 3600,
                "retryTime": 300,
                "expireTime": 2419200,
                "minimumTTL": 300,
            }
            self._put(zone, "@", "SOA", 3600, {"SOARecord": soa})
            return zone

    def get_zone(self, subscription_id: str, resource_group: str, name: str) -> Resource:
        """The zone (ARM's 404s otherwise); Azure DNS is global, so only a `global` outage of `dns`
        stops it answering (a regional one reaches it only through its group's home, `core.writes`)."""
        self.state.require_region_up(GLOBAL, "dns")
        zone = self.store.get(zone_id(subscription_id, resource_group, name))
        if zone is None:
            self.store.require_group(subscription_id, resource_group)
            raise ZoneNotFound(resource_group, name)
        return zone

    def zone_view(self, zone: Resource) -> Resource:
        """The zone with its live record-set count."""
        zone.properties["numberOfRecordSets"] = len(self.store.under(zone.id))
        return zone

    def list_zones(self, subscription_id: str, resource_group: str | None = None) -> list[Resource]:
        scope = group_id(subscription_id, resource_group) if resource_group else f"/subscriptions/{subscription_id}"
        return sorted((self.zone_view(z) for z in self.store.under(scope, ZONE_TYPE)), key=lambda z: z.key)

    # --- record sets ---------------------------------------------------------------------------

    def record_set_id(self, zone: Resource, name: str, record_type: str) -> str:
        return f"{zone.id}/{record_type}/{name}"

    def get_record_set(self, zone: Resource, name: str, record_type: str) -> Resource:
        record_type = normalise_type(record_type)
        record_set = self.store.get(self.record_set_id(zone, name, record_type))
        if record_set is None:
            raise RecordSetNotFound(zone.id.split("/")[4], zone_name_of(zone), name, record_type)
        return record_set

    def list_record_sets(
        self, zone: Resource, record_type: str | None = None, suffix: str | None = None
    ) -> list[Resource]:
        wanted = f"{ZONE_TYPE}/{normalise_type(record_type)}" if record_type else None
        out = sorted(self.store.under(zone.id, wanted), key=lambda r: (r.name.lower(), r.type))
        if suffix:
            out = [rs for rs in out if rs.name.lower().endswith(suffix.lower())]
        return out

    def put_record_set(
        self,
        zone: Resource,
        name: str,
        record_type: str,
        body: Any,
        if_match: str | None = None,
        if_none_match: str | None = None,
    ) -> tuple[Resource, bool]:
        """Create or replace a record set. Returns it and whether it was created."""
        record_type = normalise_type(record_type)
        props = _properties(body)
        ttl = _ttl(props.get("TTL"), DEFAULT_TTL)
        records = _records_from_properties(record_type, props)
        stray = [k for k in RECORD_PROPERTIES.values() if k != RECORD_PROPERTIES[record_type] and props.get(k)]
        if stray:
            raise DnsBadRequest(f"A {record_type} record set cannot carry {', '.join(stray)}.")
        own: dict[str, Any] = {RECORD_PROPERTIES[record_type]: records} if records is not None else {}
        if isinstance(props.get("metadata"), dict):
            own["metadata"] = dict(props["metadata"])
        with self.store.lock:
            existing = self.store.get(self.record_set_id(zone, name, record_type))
            _check_preconditions(existing, if_match, if_none_match)
            if existing is None:
                self._check_cname_exclusive(zone, name, record_type)
            record_set = self._put(zone, existing.name if existing else name, record_type, ttl, own)
            return record_set, existing is None

    def patch_record_set(
        self, zone: Resource, name: str, record_type: str, body: Any, if_match: str | None = None
    ) -> Resource:
        """Update the fields the body names; other fields keep their values."""
        record_type = normalise_type(record_type)
        props = _properties(body)
        with self.store.lock:
            existing = self.get_record_set(zone, name, record_type)
            _check_preconditions(existing, if_match, None)
            ttl = _ttl(props["TTL"], DEFAULT_TTL) if "TTL" in props else existing.properties["TTL"]
            key = RECORD_PROPERTIES[record_type]
            own = {k: v for k, v in existing.properties.items() if k in (key, "metadata")}
            if key in props:
                own[key] = _records_from_properties(record_type, props)
            if isinstance(props.get("metadata"), dict):
                own["metadata"] = dict(props["metadata"])
            return self._put(zone, existing.name, record_type, ttl, own)

    def delete_record_set(self, zone: Resource, name: str, record_type: str, if_match: str | None = None) -> bool:
        """Delete a record set; False when there was none (Azure answers 204 then)."""
        record_type = normalise_type(record_type)
        if name == "@" and record_type in ("SOA", "NS"):
            raise DnsBadRequest(f"The {record_type} record set at the zone apex cannot be deleted.")
        with self.store.lock:
            existing = self.store.get(self.record_set_id(zone, name, record_type))
            if existing is None and if_match is None:
                return False
            _check_preconditions(existing, if_match, None)
            self.store.delete(self.record_set_id(zone, name, record_type))
            self._bump_serial(zone)
            return True

    def _put(self, zone: Resource, name: str, record_type: str, ttl: int, own: dict[str, Any]) -> Resource:
        zname = zone_name_of(zone)
        fqdn = f"{zname}." if name == "@" else f"{name}.{zname}."
        properties = {"TTL": ttl, "fqdn": fqdn, "provisioningState": "Succeeded", **own}
        record_set = Resource(
            id=self.record_set_id(zone, name, record_type),
            type=f"{ZONE_TYPE}/{record_type}",
            location="global",
            properties=properties,
            etag=new_etag(),
        )
        self.store.put(record_set)
        if record_type != "SOA":
            self._bump_serial(zone)
        return record_set

    def _check_cname_exclusive(self, zone: Resource, name: str, record_type: str) -> None:
        # RFC 1034: a CNAME owns its name alone; Azure refuses the mix with 409 Conflict.
        for other in self.store.under(zone.id):
            other_type = record_type_of(other)
            if (
                other.name.lower() == name.lower()
                and other_type != record_type
                and "CNAME" in (record_type, other_type)
            ):
                raise RecordSetConflict(name, record_type, other_type)

    def _bump_serial(self, zone: Resource) -> None:
        soa = self.store.get(self.record_set_id(zone, "@", "SOA"))
        if soa is not None and isinstance(soa.properties.get("SOARecord"), dict):
            record = soa.properties["SOARecord"]
            record["serialNumber"] = int(record.get("serialNumber", 1)) + 1

    # --- lookups for the DNS wire server -------------------------------------------------------

    def find_zone_for(self, fqdn: str) -> Resource | None:
        """The most specific zone that contains `fqdn` (any subscription)."""
        fqdn = fqdn.rstrip(".").lower()
        zones = sorted(self.store.of_type(ZONE_TYPE), key=lambda z: (-len(zone_name_of(z)), z.key))
        for zone in zones:
            zname = zone_name_of(zone)
            if fqdn == zname or fqdn.endswith("." + zname):
                return zone
        return None

    def lookup(self, zone: Resource, fqdn: str) -> dict[str, Resource]:
        """The record sets at `fqdn` in `zone`, by type."""
        fqdn = fqdn.rstrip(".").lower()
        zname = zone_name_of(zone)
        relative = "@" if fqdn == zname else fqdn[: -len(zname) - 1]
        return {record_type_of(rs): rs for rs in self.store.under(zone.id) if rs.name.lower() == relative}


def _properties(body: Any) -> dict[str, Any]:
    props = body.get("properties") if isinstance(body, dict) else None
    if not isinstance(props, dict):
        raise DnsBadRequest("The request body must be a record set with a 'properties' object.")
    return props


def _ttl(value: Any, default: int) -> int:
    if value is None:
        return default
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 2147483647:
        raise DnsBadRequest(f"properties.TTL must be an integer from 0 to 2147483647, not {value!r}.")
    return value


def _check_preconditions(existing: Resource | None, if_match: str | None, if_none_match: str | None) -> None:
    """Azure DNS optimistic concurrency: If-Match names an ETag (or *), If-None-Match only *."""
    if if_match is not None:
        wanted = if_match.strip().strip('"')
        if existing is None:
            raise PreconditionFailed(f"The condition If-Match '{if_match}' was not met: the record set does not exist.")
        if wanted not in ("*", existing.etag):
            raise PreconditionFailed(
                f"The condition If-Match '{if_match}' was not met: the record set's ETag is '{existing.etag}'."
            )
    if if_none_match is not None and existing is not None:
        if if_none_match.strip() != "*":
            raise DnsBadRequest("If-None-Match supports only '*' for record sets.")
        raise PreconditionFailed("The condition If-None-Match '*' was not met: the record set already exists.")
