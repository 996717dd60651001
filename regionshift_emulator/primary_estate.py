"""The primary's side of a plan's estate: what runs in the primary region before anything fails over.

A plan names the secondary's side (and the primary SQL servers); the workload itself runs in the
primary, and `regionshift discover` finds the pairs from there. So the seed also lays out, the way
people name such an estate (`regionshift.discovery.naming`: the same names with the region token
swapped):

- for every `create` scale set, a scale set running `capacity` instances in the primary, built from
  the plan's gallery image version, in a primary network (virtual network, subnet, load balancer
  and backend pool named as the secondary's, with the primary's region token);
- for every `scale` scale set, its primary counterpart running `capacity` instances;
- for every DNS record, the public IPs its targets are: for an A/AAAA record, one per address, in
  the region of the side it belongs to (the primary's and the secondary's); for a CNAME, one per
  host name, whose `reverseFqdn` is that host name ("a user-visible, fully qualified domain name
  that resolves to this public IP address", publicIpAddress.json).

Where the secondary name has no region token, the primary's is `<name>-<primary geo-code>`. The
primary's groups are homed in the primary; the failover resource group is never used.
"""

from __future__ import annotations

import hashlib
import ipaddress
import uuid
from typing import Any

from regionshift.azure.ids import parse_resource_id
from regionshift.discovery.naming import geo_code, swap_region
from regionshift.plan import DnsRecord, Plan, ScaleSet
from regionshift_emulator.core.regions import short_name
from regionshift_emulator.core.state import EmulatorState
from regionshift_emulator.core.store import Resource, group_id
from regionshift_emulator.services.compute.models import VMSS_TYPE
from regionshift_emulator.services.network.models import NetworkBackend
from regionshift_emulator.services.network.public_ips import ensure_public_ip
from regionshift_emulator.services.resources.models import ResourceGroupsBackend

DEFAULT_SKU = "Standard_D2s_v5"
# Addresses of the public IPs behind CNAME targets: the benchmarking range (RFC 2544), which no
# plan's A record uses by accident.
_HOST_ADDRESSES = (ipaddress.ip_network("198.18.0.0/16"), ipaddress.ip_network("198.19.0.0/16"))


class _Layout:
    """Names of the primary's counterparts of the plan's secondary names."""

    def __init__(self, state: EmulatorState, plan: Plan) -> None:
        self.state, self.plan = state, plan
        self.primary, self.secondary = short_name(plan.regions.primary), short_name(plan.regions.secondary)

    def name(self, secondary_name: str) -> str:
        return swap_region(secondary_name, self.secondary, self.primary) or f"{secondary_name}-{geo_code(self.primary)}"

    def group(self, subscription_id: str, secondary_group: str) -> str:
        """The primary's group beside `secondary_group`, created (homed in the primary) if new."""
        group = self.name(secondary_group)
        if group.lower() == self.plan.failover_resource_group.lower():
            group += "-primary"
        groups = self.state.backend(ResourceGroupsBackend)
        if not groups.exists(subscription_id, group):
            groups.create_or_update(subscription_id, group, self.primary)
        return group

    def counterpart(self, resource_id: str) -> str:
        """The id of a network resource's (or scale set's) counterpart in the primary."""
        rid = parse_resource_id(resource_id)
        group = self.group(rid.subscription_id, rid.resource_group)
        names = [self.name(rid.names[0]), *rid.names[1:]]  # a subnet or pool keeps its own name
        pairs = "/".join(f"{t}/{n}" for t, n in zip(rid.types, names, strict=True))
        return f"{group_id(rid.subscription_id, group)}/providers/{rid.namespace}/{pairs}"


def seed_primary_estate(state: EmulatorState, plan: Plan) -> None:
    layout = _Layout(state, plan)
    for scale_set in plan.scale_sets:
        _seed_scale_set(layout, scale_set)
    addresses: dict[str, int] = {"primary": 0, "secondary": 0}
    for record in plan.dns_records:
        _seed_endpoints(layout, record, addresses)


def _seed_scale_set(layout: _Layout, scale_set: ScaleSet) -> None:
    network = layout.state.backend(NetworkBackend)
    profile: dict[str, Any] = {}
    if scale_set.mode == "create" and scale_set.image and scale_set.subnet:
        subnet = layout.counterpart(scale_set.subnet)
        network.ensure_subnet(subnet, layout.primary)
        ip_config: dict[str, Any] = {"subnet": {"id": subnet}}
        if scale_set.backend_pool:
            pool = layout.counterpart(scale_set.backend_pool)
            network.ensure_backend_pool(pool, layout.primary)
            ip_config["loadBalancerBackendAddressPools"] = [{"id": pool}]
        rid = parse_resource_id(scale_set.subnet)
        vmss_id = (
            f"{group_id(rid.subscription_id, layout.group(rid.subscription_id, rid.resource_group))}"
            f"/providers/{VMSS_TYPE}/{scale_set.name}-{geo_code(layout.primary)}"
        )
        profile = {
            "storageProfile": {"imageReference": {"id": scale_set.image}},
            "networkProfile": {
                "networkInterfaceConfigurations": [
                    {
                        "name": "nic",
                        "properties": {"primary": True, "ipConfigurations": [{"name": "ip", "properties": ip_config}]},
                    }
                ]
            },
        }
        sku = scale_set.sku or DEFAULT_SKU
    elif scale_set.mode == "scale" and scale_set.scale_set:
        vmss_id = layout.counterpart(scale_set.scale_set)
        sku = scale_set.sku or DEFAULT_SKU
    else:
        return
    if layout.state.store.get(vmss_id) is not None:
        return
    instances = [
        {"instanceId": str(i), "vmId": str(uuid.uuid4()), "state": "Succeeded"} for i in range(scale_set.capacity)
    ]
    layout.state.store.put(
        Resource(
            id=vmss_id,
            type=VMSS_TYPE,
            location=layout.primary,
            extra={"sku": {"name": sku, "tier": "Standard", "capacity": scale_set.capacity}},
            properties={
                "orchestrationMode": "Uniform",
                "upgradePolicy": {"mode": "Manual"},
                "virtualMachineProfile": profile,
                "provisioningState": "Succeeded",
                "uniqueId": str(uuid.uuid4()),
                "timeCreated": layout.state.clock.iso(),
            },
            internal={"instances": instances, "next": scale_set.capacity},
        )
    )


def _slug(record: DnsRecord) -> str:
    slug = f"{'apex' if record.name == '@' else record.name}-{record.zone}".lower().replace(".", "-")
    if len(slug) > 60:  # a public IP's name is at most 80 characters
        slug = slug[:50] + "-" + hashlib.sha256(slug.encode()).hexdigest()[:8]
    return slug


def _seed_endpoints(layout: _Layout, record: DnsRecord, counters: dict[str, int]) -> None:
    subscription = layout.plan.subscription_of(record)
    store = layout.state.store
    for side, region in (("primary", layout.primary), ("secondary", layout.secondary)):
        group = layout.group(subscription, record.resource_group) if side == "primary" else record.resource_group
        targets = record.targets(side)  # type: ignore[arg-type]
        for index, target in enumerate(targets, 1):
            suffix = f"-{index}" if len(targets) > 1 else ""
            pip_id = (
                f"{group_id(subscription, group)}/providers/Microsoft.Network/publicIPAddresses/"
                f"pip-{_slug(record)}-{geo_code(region)}{suffix}"
            )
            if record.type == "CNAME":
                if any(
                    (r.properties.get("dnsSettings") or {}).get("reverseFqdn", "").rstrip(".").lower()
                    == target.rstrip(".").lower()
                    for r in store.of_type("Microsoft.Network/publicIPAddresses")
                ):
                    continue  # another record's host name: one public IP per host
                network = _HOST_ADDRESSES[0 if side == "primary" else 1]
                address = str(network[1 + counters[side]])
                counters[side] += 1
                ensure_public_ip(layout.state, pip_id, region, address, reverse_fqdn=target)
            elif not any(
                r.properties.get("ipAddress") == target for r in store.of_type("Microsoft.Network/publicIPAddresses")
            ):
                ensure_public_ip(layout.state, pip_id, region, target)
