"""Seed a plan's DNS zones with its records pointing at the primary targets (pre-disaster state).

Zones are global; their resource groups exist already, each in its home region
(`regionshift_emulator.seed`: a group holding only DNS zones is homed in the primary).
"""

from __future__ import annotations

from typing import Any

from regionshift.plan import Plan
from regionshift_emulator.core.state import EmulatorState
from regionshift_emulator.services.dns.models import DnsBackend


def seed_dns(state: EmulatorState, plan: Plan) -> None:
    dns = state.backend(DnsBackend)
    for record in plan.dns_records:
        sub = plan.subscription_of(record)
        zone = dns.create_zone(sub, record.resource_group, record.zone)
        targets = record.targets("primary")
        props: dict[str, Any] = {"TTL": record.ttl}
        if record.type == "CNAME":
            props["CNAMERecord"] = {"cname": targets[0]}
        elif record.type == "A":
            props["ARecords"] = [{"ipv4Address": ip} for ip in targets]
        else:
            props["AAAARecords"] = [{"ipv6Address": ip} for ip in targets]
        dns.put_record_set(zone, record.name, record.type, {"properties": props})
