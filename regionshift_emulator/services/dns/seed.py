"""Seed a plan's DNS zones with its records pointing at the primary targets (pre-disaster state).

Zones are global; their resource groups are made in the primary region unless they exist.
"""

from __future__ import annotations

from typing import Any

from regionshift.plan import Plan
from regionshift_emulator.core.regions import short_name
from regionshift_emulator.core.state import EmulatorState
from regionshift_emulator.services.dns.models import DnsBackend
from regionshift_emulator.services.network.seed import ensure_group


def seed_dns(state: EmulatorState, plan: Plan) -> None:
    dns = state.backend(DnsBackend)
    primary = short_name(plan.regions.primary)
    for record in plan.dns_records:
        sub = plan.subscription_of(record)
        ensure_group(state, sub, record.resource_group, primary)
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
