"""Seed the network a plan's scale sets need in the secondary: subnets and backend pools.

The plan names them by id; they are pre-provisioned in the secondary region (the region every
`create` scale set is built in), each with its virtual network / load balancer and group.
"""

from __future__ import annotations

from regionshift.azure.ids import parse_resource_id
from regionshift_emulator.core.state import EmulatorState
from regionshift_emulator.services.network.models import NetworkBackend
from regionshift_emulator.services.resources.models import ResourceGroupsBackend


def ensure_group(state: EmulatorState, subscription_id: str, name: str, region: str) -> None:
    """Create a resource group unless it exists (the first declaration decides its region)."""
    groups = state.backend(ResourceGroupsBackend)
    if not groups.exists(subscription_id, name):
        groups.create_or_update(subscription_id, name, region)


def seed_scale_set_network(state: EmulatorState, subnet: str | None, backend_pool: str | None, region: str) -> None:
    network = state.backend(NetworkBackend)
    if subnet:
        rid = parse_resource_id(subnet)
        ensure_group(state, rid.subscription_id, rid.resource_group, region)
        network.ensure_subnet(str(rid), region)
    if backend_pool:
        rid = parse_resource_id(backend_pool)
        ensure_group(state, rid.subscription_id, rid.resource_group, region)
        network.ensure_backend_pool(str(rid), region)
