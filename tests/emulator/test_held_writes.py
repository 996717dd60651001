"""A held request that carries a body (a PUT, a PATCH) is answered late, like a held GET: the body
waiting in the socket is not a client that went away (found by the chaos suite: every DNS write
under `hang_seconds` was dropped instead of answered)."""

from __future__ import annotations

from azure.mgmt.compute.models import VirtualMachineScaleSetUpdate

from regionshift_emulator.server import Emulator
from regionshift_emulator.testing import logged, sdk_client

SUB = "00000000-0000-0000-0000-000000000000"


def test_a_held_write_with_a_body_is_answered_late_and_applied(fresh_emulator: Emulator) -> None:
    from azure.mgmt.compute import ComputeManagementClient

    fresh_emulator.set_scenario(
        {"latencies": {"default": 0}, "faults": [{"path": "*/worker-cus", "hang_seconds": 0.3}]}
    )
    scale_sets = sdk_client(fresh_emulator, ComputeManagementClient, SUB).virtual_machine_scale_sets
    update = VirtualMachineScaleSetUpdate({"sku": {"capacity": 2}})
    scale_sets.begin_update("rg-dr-cus", "worker-cus", update).result()
    assert scale_sets.get("rg-dr-cus", "worker-cus").sku.capacity == 2
    patches = [e for e in logged(fresh_emulator, "/worker-cus") if e["method"] == "PATCH"]
    assert [(p["status"], p.get("dropped")) for p in patches] == [(200, None)]
