"""Seed the compute side of a plan's pre-disaster state.

For a `create` scale set: its gallery image version, in a gallery homed in the primary region
(`regionshift_emulator.seed` says why) and replicated (Completed) to both regions, and the
secondary's subnet and backend pool it names (through the network seed). For a `scale` scale set:
the scale set itself, pre-provisioned in the secondary with capacity 0 and `Succeeded`. Resource
groups exist already, each in the home region `regionshift_emulator.seed` gave it.
"""

from __future__ import annotations

import uuid

from regionshift.azure.ids import parse_resource_id
from regionshift.plan import Plan
from regionshift_emulator.core.regions import short_name
from regionshift_emulator.core.state import EmulatorState
from regionshift_emulator.core.store import Resource
from regionshift_emulator.services.compute.gallery import seed_image_version
from regionshift_emulator.services.compute.models import VMSS_TYPE
from regionshift_emulator.services.network.seed import seed_scale_set_network

DEFAULT_SKU = "Standard_D2s_v5"


def seed_compute(state: EmulatorState, plan: Plan) -> None:
    primary, secondary = short_name(plan.regions.primary), short_name(plan.regions.secondary)
    for scale_set in plan.scale_sets:
        if scale_set.mode == "create" and scale_set.image:
            seed_image_version(state.store, scale_set.image, primary, {secondary: "Completed"})
            seed_scale_set_network(state, scale_set.subnet, scale_set.backend_pool, secondary)
        elif scale_set.mode == "scale" and scale_set.scale_set:
            seed_idle_scale_set(state, scale_set.scale_set, secondary, scale_set.sku or DEFAULT_SKU)


def seed_idle_scale_set(state: EmulatorState, vmss_id: str, region: str, sku: str) -> Resource:
    """A scale set that exists with 0 instances (idempotent)."""
    rid = parse_resource_id(vmss_id)
    existing = state.store.get(vmss_id)
    if existing is not None:
        return existing
    return state.store.put(
        Resource(
            id=str(rid),
            type=VMSS_TYPE,
            location=short_name(region),
            extra={"sku": {"name": sku, "tier": "Standard", "capacity": 0}},
            properties={
                "orchestrationMode": "Uniform",
                "upgradePolicy": {"mode": "Manual"},
                "singlePlacementGroup": True,
                "overprovision": True,
                "provisioningState": "Succeeded",
                "uniqueId": str(uuid.uuid4()),
                "timeCreated": state.clock.iso(),
            },
            internal={"instances": [], "next": 0},
        )
    )
