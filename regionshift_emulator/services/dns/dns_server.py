"""A real DNS server (UDP and TCP, loopback) answering for the emulated Azure DNS zones.

It answers from `DnsBackend`'s current state at every query, with each record set's TTL, so a
test can resolve `www.contoso.com` with an ordinary resolver and watch it move from the primary
to the secondary target after a record set update. It is authoritative for the emulated zones
(AA set; NXDOMAIN for names absent from a zone; NOERROR with no answer for a name that exists
without the asked type) and REFUSED for every other name: it is not a recursive resolver. CNAMEs
are followed while the target stays inside the emulated zones, as an authoritative server does.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from dnslib import AAAA, CNAME, NS, QTYPE, RCODE, RR, SOA, TXT, A, DNSRecord
from dnslib.server import BaseResolver, DNSHandler, DNSLogger, DNSServer

from regionshift_emulator.core.store import Resource
from regionshift_emulator.services.dns.models import DnsBackend, record_type_of, record_values, zone_name_of

log = logging.getLogger(__name__)
_MAX_CNAME_CHAIN = 8


def _rdata(record_set: Resource) -> list[Any]:
    """dnslib rdata objects for a record set."""
    rtype = record_type_of(record_set)
    values = record_values(record_set)
    if rtype == "A":
        return [A(v) for v in values]
    if rtype == "AAAA":
        return [AAAA(v) for v in values]
    if rtype == "CNAME":
        return [CNAME(v) for v in values]
    if rtype == "NS":
        return [NS(v) for v in values]
    if rtype == "TXT":
        return [TXT(v) for v in values]
    soa = record_set.properties.get("SOARecord")
    if rtype == "SOA" and isinstance(soa, dict):
        times = (
            int(soa.get("serialNumber", 1)),
            int(soa.get("refreshTime", 3600)),
            int(soa.get("retryTime", 300)),
            int(soa.get("expireTime", 2419200)),
            int(soa.get("minimumTTL", 300)),
        )
        return [SOA(soa.get("host", "ns1-01.azure-dns.com."), soa.get("email", "hostmaster"), times)]
    return []


def _ttl(record_set: Resource) -> int:
    return int(record_set.properties.get("TTL", 3600))


class ZoneResolver(BaseResolver):
    """Resolves queries against the emulator's DNS zones (read at query time)."""

    def __init__(self, backend: DnsBackend) -> None:
        self.backend = backend

    def resolve(self, request: DNSRecord, handler: DNSHandler) -> DNSRecord:
        reply = request.reply()
        reply.header.ra = 0  # authoritative only, never recursive
        qname = str(request.q.qname)
        qtype = QTYPE[request.q.qtype]
        zone = self.backend.find_zone_for(qname)
        if zone is None:
            reply.header.aa = 0
            reply.header.rcode = RCODE.REFUSED
            return reply
        name = qname
        for _ in range(_MAX_CNAME_CHAIN):
            at_name = self.backend.lookup(zone, name)
            if not at_name:
                if name == qname:
                    reply.header.rcode = RCODE.NXDOMAIN
                    self._add_soa(reply, zone)
                return reply
            wanted = at_name.get(qtype) if qtype != "ANY" else None
            if wanted is not None or qtype == "ANY":
                for record_set in [wanted] if wanted is not None else list(at_name.values()):
                    rtype = getattr(QTYPE, record_type_of(record_set))
                    for rdata in _rdata(record_set):
                        reply.add_answer(RR(name, rtype, rdata=rdata, ttl=_ttl(record_set)))
                return reply
            cname = at_name.get("CNAME")
            targets = record_values(cname) if cname is not None else []
            if cname is None or not targets:
                self._add_soa(reply, zone)  # NODATA: the name exists without this type
                return reply
            target = targets[0]
            reply.add_answer(RR(name, QTYPE.CNAME, rdata=CNAME(target), ttl=_ttl(cname)))
            next_zone = self.backend.find_zone_for(target)
            if next_zone is None:
                return reply  # the target is outside the emulated zones: the client resolves it
            zone, name = next_zone, target
        return reply

    def _add_soa(self, reply: DNSRecord, zone: Resource) -> None:
        soa = self.backend.lookup(zone, zone_name_of(zone)).get("SOA")
        if soa is not None:
            for rdata in _rdata(soa):
                reply.add_auth(RR(zone_name_of(zone) + ".", QTYPE.SOA, rdata=rdata, ttl=_ttl(soa)))


class _QuietLogger(DNSLogger):
    """dnslib logs every packet to stdout by default; send it to logging at debug level."""

    def __init__(self) -> None:
        super().__init__(log="-request,-reply,-truncated,-error,-recv,-send,-data", prefix=False)

    def log_error(self, handler: DNSHandler, e: Exception) -> None:
        log.debug("DNS request error: %s", e)


class EmulatorDnsServer:
    """UDP + TCP DNS servers on one loopback port. `start()` then `address` ("127.0.0.1:PORT")."""

    def __init__(self, backend: DnsBackend, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self._resolver = ZoneResolver(backend)
        self._wanted_port = port
        self._udp: DNSServer | None = None
        self._tcp: DNSServer | None = None
        self._threads: list[threading.Thread] = []
        self.port = 0

    def start(self) -> None:
        logger = _QuietLogger()
        # Take a free UDP port first, then the same number for TCP; retry if TCP's is taken.
        for _ in range(20):
            udp = DNSServer(self._resolver, address=self.host, port=self._wanted_port, logger=logger)
            port = udp.server.server_address[1]
            try:
                tcp = DNSServer(self._resolver, address=self.host, port=port, tcp=True, logger=logger)
            except OSError:
                udp.server.server_close()
                if self._wanted_port:
                    raise
                continue
            self._udp, self._tcp, self.port = udp, tcp, port
            for server in (udp, tcp):
                # A short poll interval: stop() (every test's teardown) then takes milliseconds.
                thread = threading.Thread(
                    target=server.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
                )
                thread.start()
                self._threads.append(thread)
            return
        raise OSError("no free port for the DNS server (UDP and TCP on the same number)")

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def stop(self) -> None:
        for server in (self._udp, self._tcp):
            if server is not None:
                server.server.shutdown()
                server.server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._udp = self._tcp = None
        self._threads = []
