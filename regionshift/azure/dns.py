"""Azure DNS: point a record at one side's targets, guarded by the record set's ETag, and ask the
zone's authoritative name servers whether clients are told the new targets.

The record is read first; if it already points where it should, nothing is written. The write
carries the ETag that was read (If-Match), so a concurrent change by someone else makes it fail
with 412 instead of being overwritten blindly; regionshift then reads again and retries once.

ARM accepting a write is not clients seeing it: "changes take effect" on Azure DNS's name servers
within about 60 seconds (Azure DNS FAQ, Learn), and resolvers that cached the old answer keep it
for its TTL. So `verify` asks the zone's own name servers (its `nameServers` in ARM, "Zones - Get",
azure-rest-api-specs dns/resource-manager/Microsoft.Network/stable/2018-05-01/dns.json), each
directly and without recursion, as a resolver of a client would after its cache expired; the
setting `REGIONSHIFT_DNS_SERVERS` (`host[:port],...`) names other servers instead (the emulator's
DNS server, or a split-horizon zone's servers). Every server must answer the new targets: a server
that does not answer, or answers the old ones, is what some clients are told.
"""

from __future__ import annotations

import ipaddress
from typing import Literal

import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import dns.resolver
from azure.core.exceptions import AzureError, HttpResponseError
from azure.mgmt.dns.models import AaaaRecord, ARecord, CnameRecord, RecordSet

from regionshift.azure.clients import AzureClients
from regionshift.azure.outcomes import Step, StepFailed, azure_call, describe_error
from regionshift.azure.planned import PlannedStatus, PlannedStep
from regionshift.contracts import DnsVerification, NameServerAnswer, StepOutcome
from regionshift.plan import DnsRecord, PlanContext

QUERY_TIMEOUT = 3.0  # seconds for one server's answer (UDP, then TCP if truncated)
DNS_PORT = 53

Side = Literal["primary", "secondary"]


def record_label(record: DnsRecord) -> str:
    return f"{record.fqdn} {record.type}"


def current_targets(record_set: RecordSet, record_type: str) -> list[str]:
    if record_type == "CNAME":
        cname = record_set.cname_record.cname if record_set.cname_record else None
        return [cname.rstrip(".")] if cname else []
    if record_type == "A":
        return sorted(r.ipv4_address for r in record_set.a_records or [] if r.ipv4_address)
    return sorted(r.ipv6_address for r in record_set.aaaa_records or [] if r.ipv6_address)


def _same(a: list[str], b: list[str]) -> bool:
    return sorted(x.rstrip(".").lower() for x in a) == sorted(x.rstrip(".").lower() for x in b)


def _record_set(record: DnsRecord, targets: list[str]) -> RecordSet:
    if record.type == "CNAME":
        return RecordSet(ttl=record.ttl, cname_record=CnameRecord(cname=targets[0]))
    if record.type == "A":
        return RecordSet(ttl=record.ttl, a_records=[ARecord(ipv4_address=ip) for ip in targets])
    return RecordSet(ttl=record.ttl, aaaa_records=[AaaaRecord(ipv6_address=ip) for ip in targets])


def switch(clients: AzureClients, plan: PlanContext, record: DnsRecord, side: Side) -> StepOutcome:
    step = Step("dns", record_label(record), f"switch_to_{side}")
    client = clients.dns(plan.subscription_of(record))
    wanted = record.targets(side)
    try:
        for _attempt in range(2):
            with azure_call():
                existing = client.record_sets.get(record.resource_group, record.zone, record.name, record.type)
            before = current_targets(existing, record.type)
            if _same(before, wanted) and existing.ttl == record.ttl:
                return step.already(f"already points at {', '.join(wanted)}", targets=wanted)
            try:
                client.record_sets.create_or_update(
                    record.resource_group,
                    record.zone,
                    record.name,
                    record.type,
                    _record_set(record, wanted),
                    if_match=existing.etag,
                )
            except HttpResponseError as exc:
                if exc.status_code == 412:
                    continue  # changed under us: read again and decide again
                raise StepFailed(describe_error(exc)) from exc
            return step.done(
                f"{', '.join(before) or 'nothing'} → {', '.join(wanted)} (TTL {record.ttl}s)",
                previous=before,
                targets=wanted,
                # Clients that cached the old answer keep it this long (the RTO counts it: steps.report).
                previous_ttl=existing.ttl,
            )
        return step.failed("the record kept changing under us (ETag mismatch twice); not overwriting it")
    except StepFailed as exc:
        return step.failed(str(exc))


def describe(clients: AzureClients, plan: PlanContext, record: DnsRecord) -> dict[str, object]:
    state: dict[str, object] = {"kind": "dns", "record": record_label(record)}
    try:
        rs = clients.dns(plan.subscription_of(record)).record_sets.get(
            record.resource_group, record.zone, record.name, record.type
        )
    except AzureError as exc:
        return {**state, "error": describe_error(exc)}
    targets = current_targets(rs, record.type)
    side = (
        "primary"
        if _same(targets, record.targets("primary"))
        else ("secondary" if _same(targets, record.targets("secondary")) else "other")
    )
    return {**state, "targets": targets, "points_at": side, "ttl": rs.ttl}


def preview_switch(clients: AzureClients, plan: PlanContext, record: DnsRecord, side: Side) -> PlannedStep:
    """What `switch` would do now, read-only."""
    wanted = record.targets(side)

    def planned(status: PlannedStatus, detail: str, **data: object) -> PlannedStep:
        return PlannedStep(
            kind="dns",
            resource=record_label(record),
            action=f"switch_to_{side}",
            status=status,
            detail=detail,
            data=data,
        )

    try:
        existing = clients.dns(plan.subscription_of(record)).record_sets.get(
            record.resource_group, record.zone, record.name, record.type
        )
    except AzureError as exc:
        return planned("would_fail", f"the record cannot be read: {describe_error(exc)}")
    before = current_targets(existing, record.type)
    if _same(before, wanted) and existing.ttl == record.ttl:
        return planned("already_done", f"already points at {', '.join(wanted)}", targets=wanted)
    return planned(
        "to_do",
        f"{', '.join(before) or 'nothing'} → {', '.join(wanted)} (TTL {record.ttl}s)",
        previous=before,
        targets=wanted,
    )


# -- what the authoritative name servers answer ----------------------------------------------------


def parse_servers(text: str) -> list[tuple[str, int]]:
    """`host[:port],...` (IPv6 as `[addr]:port`) as (host, port) pairs."""
    servers: list[tuple[str, int]] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        host, port = item, DNS_PORT
        if item.startswith("["):
            host, _, rest = item[1:].partition("]")
            port = int(rest[1:]) if rest.startswith(":") else DNS_PORT
        elif item.count(":") == 1:
            host, _, text_port = item.partition(":")
            port = int(text_port)
        servers.append((host, port))
    return servers


def _address(host: str) -> str:
    """An IP address to ask: the host itself, else its first IPv4 address from this machine's resolver."""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return str(dns.resolver.resolve(host, "A", lifetime=QUERY_TIMEOUT)[0])


def zone_name_servers(clients: AzureClients, plan: PlanContext, record: DnsRecord) -> list[tuple[str, int]]:
    """The zone's authoritative name servers, from ARM (`properties.nameServers`)."""
    with azure_call():
        zone = clients.dns(plan.subscription_of(record)).zones.get(record.resource_group, record.zone)
    return [(name.rstrip("."), DNS_PORT) for name in zone.name_servers or []]


def ask(host: str, port: int, record: DnsRecord) -> NameServerAnswer:
    """One server's authoritative answer for the record's name and type (no recursion asked)."""
    label = host if port == DNS_PORT else f"{host}:{port}"
    try:
        address = _address(host)
        if address != host:
            label = f"{label} ({address})"
        query = dns.message.make_query(record.fqdn, record.type)
        query.flags &= ~dns.flags.RD  # authoritative data only, as a resolver asks an authority
        reply, _ = dns.query.udp_with_fallback(query, address, timeout=QUERY_TIMEOUT, port=port)
    except (dns.exception.DNSException, OSError, ValueError) as exc:
        return NameServerAnswer(server=label, answered=False, detail=f"no answer ({type(exc).__name__}: {exc})")
    rcode = reply.rcode()
    if rcode not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
        return NameServerAnswer(server=label, answered=False, detail=f"refused to answer ({dns.rcode.to_text(rcode)})")
    wanted_type = dns.rdatatype.from_text(record.type)
    for rrset in reply.answer:
        if rrset.rdtype == wanted_type and rrset.name.to_text().rstrip(".").lower() == record.fqdn.lower():
            targets = sorted(_rdata_text(r) for r in rrset)
            return NameServerAnswer(
                server=label,
                answered=True,
                targets=targets,
                ttl=rrset.ttl,
                detail=f"{', '.join(targets)} (TTL {rrset.ttl}s)",
            )
    word = "NXDOMAIN" if rcode == dns.rcode.NXDOMAIN else f"no {record.type} record"
    return NameServerAnswer(server=label, answered=True, detail=word)


def _rdata_text(rdata: object) -> str:
    target = getattr(rdata, "target", None)  # CNAME
    if target is not None:
        return str(target.to_text()).rstrip(".")
    return str(getattr(rdata, "address", rdata))


def verify(
    clients: AzureClients, plan: PlanContext, record: DnsRecord, side: Side, servers_setting: str = ""
) -> DnsVerification:
    """Ask every authoritative server (the setting's, else the zone's) what it answers for the
    record; `changed` when all of them answer `side`'s targets."""
    try:
        servers = parse_servers(servers_setting) if servers_setting else zone_name_servers(clients, plan, record)
    except (StepFailed, ValueError) as exc:
        return DnsVerification(changed=False, error=f"the zone's name servers are not known: {exc}")
    if not servers:
        return DnsVerification(changed=False, error=f"zone {record.zone} names no name servers")
    wanted = record.targets(side)
    answers = [ask(host, port, record) for host, port in servers]
    changed = all(a.answered and _same(a.targets, wanted) for a in answers)
    return DnsVerification(changed=changed, servers=answers)
