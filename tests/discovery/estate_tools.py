"""Helpers of the discovery tests: discover an emulated estate, compare plans, add noise.

`resources` reduces a plan to what it fails over, in comparable sets, so a round trip (seed the
emulator from a plan, discover it back) compares what matters and not comments or order.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from regionshift.azure.clients import default_clients
from regionshift.discovery import Discovery, discover
from regionshift.discovery.writer import render, validated
from regionshift.plan import Plan
from regionshift_emulator.core.store import Resource
from regionshift_emulator.server import Emulator
from regionshift_emulator.services.compute.models import VMSS_TYPE
from regionshift_emulator.services.cosmos.models import CosmosBackend
from regionshift_emulator.services.dns.models import DnsBackend
from regionshift_emulator.services.network.public_ips import ensure_public_ip
from regionshift_emulator.services.resources.models import ResourceGroupsBackend
from regionshift_emulator.services.sql.models import SqlBackend


def discovered(plan: Plan, subscriptions: list[str] | None = None, **options: Any) -> tuple[Discovery, Plan, str]:
    """Discover the estate the environment's emulator serves, write it and read it back."""
    subs = subscriptions or [plan.subscription_id]
    found, _ = discover(default_clients(), subs, plan.regions.primary, plan.regions.secondary, **options)
    header = {
        "name": plan.name,
        "subscription_id": subs[0],
        "regions": {"primary": plan.regions.primary, "secondary": plan.regions.secondary},
        "failover_resource_group": plan.failover_resource_group,
    }
    text = render(found, header, written_at=datetime.now(UTC), sources="the test's emulator")
    return found, validated(text), text


def resources(plan: Plan) -> dict[str, set[tuple[Any, ...]]]:
    """What a plan fails over, kind by kind, with every field that says where and how."""

    def sub(entry: Any) -> str:
        return (entry.subscription_id or plan.subscription_id).lower()

    return {
        "sql": {
            (sub(g), g.resource_group, g.server, g.name, g.partner_server, g.partner_resource_group)
            for g in plan.sql_failover_groups
        },
        "cosmos": {(sub(a), a.resource_group, a.name) for a in plan.cosmos_accounts},
        "scale_sets": {
            (
                s.name,
                s.mode,
                s.capacity,
                s.sku if s.mode == "create" else None,
                s.image,
                s.subnet,
                s.backend_pool,
                s.scale_set,
            )
            for s in plan.scale_sets
        },
        "dns": {
            (
                sub(r),
                r.resource_group,
                r.zone,
                r.name,
                r.type,
                r.ttl,
                tuple(r.targets("primary")),
                tuple(sorted(r.targets("secondary"))),
            )
            for r in plan.dns_records
        },
    }


def add_noise(emulator: Emulator, subscription: str) -> dict[str, str]:
    """Resources that pair with nothing, in a group of their own: {what: its id or label}."""
    state = emulator.state
    group = f"/subscriptions/{subscription}/resourceGroups/rg-noise"
    with state.lock:
        state.backend(ResourceGroupsBackend).create_or_update(subscription, "rg-noise", "eastus2")
        sql = state.backend(SqlBackend)
        lonely = sql.add_server(f"{group}/providers/Microsoft.Sql/servers/sql-lonely-eus2", "eastus2")
        west_primary = sql.add_server(f"{group}/providers/Microsoft.Sql/servers/sql-reports-eus2", "eastus2")
        west = sql.add_server(f"{group}/providers/Microsoft.Sql/servers/sql-reports-wus", "westus")
        sql.add_failover_group(west_primary, west, "fg-reports", [])
        state.backend(CosmosBackend).add_account(
            f"{group}/providers/Microsoft.DocumentDB/databaseAccounts/cosmos-single", ["eastus2"]
        )
        idle = _vmss(state, f"{group}/providers/{VMSS_TYPE}/batch-eus2", "eastus2", 0)
        orphan = _vmss(state, f"{group}/providers/{VMSS_TYPE}/orphan-cus", "centralus", 0)
        far = _vmss(state, f"{group}/providers/{VMSS_TYPE}/edge-wus", "westus", 2)
        ensure_public_ip(
            state, f"{group}/providers/Microsoft.Network/publicIPAddresses/pip-mail-eus2", "eastus2", "20.9.9.9"
        )
        dns = state.backend(DnsBackend)
        zone = dns.create_zone(subscription, "rg-noise", "noise.example.org")
        dns.put_record_set(zone, "mail", "A", {"properties": {"TTL": 300, "ARecords": [{"ipv4Address": "1.2.3.4"}]}})
        dns.put_record_set(
            zone, "docs", "CNAME", {"properties": {"TTL": 300, "CNAMERecord": {"cname": "docs.example.net"}}}
        )
    return {
        "server without group": lonely.id,
        "group partnered in westus": "failover group fg-reports on sql-reports-eus2",
        "server in westus": west.id,
        "single-region account": f"{group}/providers/Microsoft.DocumentDB/databaseAccounts/cosmos-single",
        "idle primary scale set": idle,
        "unpaired secondary scale set": orphan,
        "scale set in westus": far,
        "record to a foreign address": "mail.noise.example.org A",
        "record to a foreign host": "docs.noise.example.org CNAME",
    }


def _vmss(state: Any, vmss_id: str, region: str, capacity: int) -> str:
    instances = [{"instanceId": str(i), "vmId": f"vm{i}", "state": "Succeeded"} for i in range(capacity)]
    state.store.put(
        Resource(
            id=vmss_id,
            type=VMSS_TYPE,
            location=region,
            extra={"sku": {"name": "Standard_D2s_v5", "tier": "Standard", "capacity": capacity}},
            properties={"provisioningState": "Succeeded", "virtualMachineProfile": {}},
            internal={"instances": instances, "next": capacity},
        )
    )
    return vmss_id
