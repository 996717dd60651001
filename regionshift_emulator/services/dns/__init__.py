"""Azure DNS: zones and A / AAAA / CNAME / NS / SOA / TXT record sets with ETags, plus a real DNS
server (`dns_server.EmulatorDnsServer`) answering for the emulated zones. Global: only an outage of
region `global` applies to it."""

from regionshift_emulator.core.service import ServiceSpec
from regionshift_emulator.services.dns.models import DnsBackend
from regionshift_emulator.services.dns.urls import RULES

SERVICE = ServiceSpec(name="dns", namespace="Microsoft.Network", backend=DnsBackend, rules=RULES)
