"""Seed the network a plan's scale sets need in the secondary: subnets and backend pools.

The plan names them by id; they are pre-provisioned in the secondary region (the region every
`create` scale set is built in), each with its virtual network / load balancer. Their resource
groups exist already (`regionshift_emulator.seed`).
"""

from __future__ import annotations

from regionshift.azure.ids import parse_resource_id
from regionshift_emulator.core.state import EmulatorState
from regionshift_emulator.services.network.models import NetworkBackend


def seed_scale_set_network(state: EmulatorState, subnet: str | None, backend_pool: str | None, region: str) -> None:
    network = state.backend(NetworkBackend)
    if subnet:
        network.ensure_subnet(str(parse_resource_id(subnet)), region)
    if backend_pool:
        network.ensure_backend_pool(str(parse_resource_id(backend_pool)), region)
