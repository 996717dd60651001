"""VM Scale Sets: create one in the failover (or drill) resource group, or scale a pre-provisioned one.

`create` builds the scale set from a Compute Gallery image version that must have a replica in
the secondary region, in a subnet pre-provisioned there. `scale` sets the capacity of a scale set
that already exists in the secondary (with 0 instances while idle). Either way the step is done
only when the scale set has succeeded provisioning with the wanted number of instances; reading
first makes a second run a no-op.
"""

from __future__ import annotations

import time
from typing import Any

from azure.core.exceptions import AzureError, ResourceNotFoundError
from azure.mgmt.compute.models import VirtualMachineScaleSet, VirtualMachineScaleSetUpdate

from regionshift.azure.clients import AzureClients
from regionshift.azure.ids import parse_resource_id
from regionshift.azure.outcomes import Step, StepFailed, azure_call, describe_error
from regionshift.azure.planned import PlannedStatus, PlannedStep
from regionshift.contracts import StepOutcome
from regionshift.plan import PlanContext, ScaleSet

INSTANCES_WAIT_SECONDS = 900


def scale_set_id(plan: PlanContext, scale_set: ScaleSet, resource_group: str) -> str:
    if scale_set.mode == "scale":
        return str(scale_set.scale_set)
    return (
        f"/subscriptions/{plan.subscription_id}/resourceGroups/{resource_group}"
        f"/providers/Microsoft.Compute/virtualMachineScaleSets/{scale_set.name}"
    )


def provision(
    clients: AzureClients,
    plan: PlanContext,
    scale_set: ScaleSet,
    resource_group: str,
    *,
    capacity: int | None = None,
    tags: dict[str, str] | None = None,
) -> StepOutcome:
    """Bring the scale set to `capacity` instances (the plan's by default; 0 quiesces it)."""
    wanted = scale_set.capacity if capacity is None else capacity
    vmss_id = parse_resource_id(scale_set_id(plan, scale_set, resource_group))
    step = Step("scale_set", str(vmss_id), "create" if scale_set.mode == "create" else "scale")
    client = clients.compute(vmss_id.subscription_id)
    try:
        with azure_call():
            current = _get(client, vmss_id.resource_group, vmss_id.name)
        if current is None and scale_set.mode == "scale":
            return step.failed(f"the pre-provisioned scale set {vmss_id.name} does not exist")
        if current is None and wanted == 0:
            step.action = "scale"
            return step.already(f"{vmss_id.name} does not exist, so nothing runs there", capacity=0)
        if current is not None:
            have = current.sku.capacity if current.sku else None
            state = current.properties.provisioning_state if current.properties else None
            step.action = "scale"
            if have == wanted and state == "Succeeded":
                return step.already(f"{vmss_id.name} runs {have} instances", capacity=have)
            with azure_call():
                client.virtual_machine_scale_sets.begin_update(
                    vmss_id.resource_group, vmss_id.name, VirtualMachineScaleSetUpdate({"sku": {"capacity": wanted}})
                ).result()
        else:
            with azure_call():
                client.virtual_machine_scale_sets.begin_create_or_update(
                    vmss_id.resource_group,
                    vmss_id.name,
                    VirtualMachineScaleSet(_definition(plan, scale_set, wanted, tags or {})),
                ).result()
        running = _wait_for_instances(clients, vmss_id.subscription_id, vmss_id.resource_group, vmss_id.name, wanted)
        verb = "created with" if step.action == "create" else "scaled to"
        return step.done(f"{vmss_id.name} {verb} {wanted} instances ({running} running)", capacity=wanted)
    except StepFailed as exc:
        return step.failed(str(exc))


def _get(client: Any, resource_group: str, name: str) -> Any:
    try:
        return client.virtual_machine_scale_sets.get(resource_group, name)
    except ResourceNotFoundError:
        return None


def _definition(plan: PlanContext, scale_set: ScaleSet, capacity: int, tags: dict[str, str]) -> dict[str, Any]:
    """The scale set as the REST API takes it (JSON): image, network, capacity."""
    ip_config: dict[str, Any] = {"subnet": {"id": scale_set.subnet}}
    if scale_set.backend_pool:
        ip_config["loadBalancerBackendAddressPools"] = [{"id": scale_set.backend_pool}]
    return {
        "location": plan.regions.secondary,
        "tags": tags,
        "sku": {"name": scale_set.sku, "capacity": capacity},
        "properties": {
            "upgradePolicy": {"mode": "Manual"},
            "virtualMachineProfile": {
                "storageProfile": {"imageReference": {"id": scale_set.image}},
                "networkProfile": {
                    "networkInterfaceConfigurations": [
                        {
                            "name": f"{scale_set.name}-nic",
                            "properties": {
                                "primary": True,
                                "ipConfigurations": [{"name": "ipconfig1", "properties": ip_config}],
                            },
                        }
                    ]
                },
            },
        },
    }


def _wait_for_instances(clients: AzureClients, sub: str, resource_group: str, name: str, wanted: int) -> int:
    """Poll the scale set's VMs until `wanted` of them have succeeded provisioning."""
    client = clients.compute(sub)
    deadline = time.monotonic() + INSTANCES_WAIT_SECONDS
    while True:
        with azure_call():
            vms = list(client.virtual_machine_scale_set_vms.list(resource_group, name))
        running = sum(1 for vm in vms if vm.properties and vm.properties.provisioning_state == "Succeeded")
        if running >= wanted and len(vms) == wanted:
            return running
        if time.monotonic() > deadline:
            raise StepFailed(f"{name}: {running} of {wanted} instances running after {INSTANCES_WAIT_SECONDS}s")
        time.sleep(min(clients.settings.polling_interval, 5))


def describe(clients: AzureClients, plan: PlanContext, scale_set: ScaleSet, resource_group: str) -> dict[str, object]:
    vmss_id = parse_resource_id(scale_set_id(plan, scale_set, resource_group))
    state: dict[str, object] = {"kind": "scale_set", "name": vmss_id.name, "resource_group": vmss_id.resource_group}
    try:
        current = _get(clients.compute(vmss_id.subscription_id), vmss_id.resource_group, vmss_id.name)
    except AzureError as exc:
        return {**state, "error": describe_error(exc)}
    if current is None:
        return {**state, "exists": False}
    return {
        **state,
        "exists": True,
        "location": current.location,
        "capacity": current.sku.capacity if current.sku else None,
        "provisioning_state": current.properties.provisioning_state if current.properties else None,
    }


def preview_provision(
    clients: AzureClients, plan: PlanContext, scale_set: ScaleSet, resource_group: str, *, capacity: int | None = None
) -> PlannedStep:
    """What `provision` would do now, read-only."""
    wanted = scale_set.capacity if capacity is None else capacity
    vmss_id = parse_resource_id(scale_set_id(plan, scale_set, resource_group))
    action = "create" if scale_set.mode == "create" else "scale"

    def planned(status: PlannedStatus, act: str, detail: str) -> PlannedStep:
        return PlannedStep(kind="scale_set", resource=str(vmss_id), action=act, status=status, detail=detail)

    try:
        current = _get(clients.compute(vmss_id.subscription_id), vmss_id.resource_group, vmss_id.name)
    except AzureError as exc:
        return planned("would_fail", action, f"{vmss_id.name} cannot be read: {describe_error(exc)}")
    if current is None and scale_set.mode == "scale":
        return planned("would_fail", "scale", f"the pre-provisioned scale set {vmss_id.name} does not exist")
    if current is None and wanted == 0:
        return planned("already_done", "scale", f"{vmss_id.name} does not exist, so nothing runs there")
    if current is None:
        return planned("to_do", "create", f"create {vmss_id.name} ({scale_set.sku}) with {wanted} instances")
    have = current.sku.capacity if current.sku else None
    state = current.properties.provisioning_state if current.properties else None
    if have == wanted and state == "Succeeded":
        return planned("already_done", "scale", f"{vmss_id.name} runs {have} instances")
    return planned("to_do", "scale", f"scale {vmss_id.name} from {have} to {wanted} instances")
