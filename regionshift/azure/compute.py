"""VM Scale Sets: create one in the failover (or drill) resource group, or scale a pre-provisioned one.

`create` builds the scale set from a Compute Gallery image version that must have a replica in
the secondary region, in a subnet pre-provisioned there. `scale` sets the capacity of a scale set
that already exists in the secondary (with 0 instances while idle). Either way the step is done
only when the scale set has succeeded provisioning with the wanted number of instances running.

Nothing here waits for Azure: `begin` starts the create or update and returns its handle; the
branch orchestration (orchestrators/scale_set.py) polls the operation, then `assess` until the
instances run, on durable timers. `assess` reads first, so a second run is a no-op, and a scale
set regionshift did not create (no `regionshift-plan` tag of this plan) is never changed in a
failover resource group.
"""

from __future__ import annotations

from typing import Any

from azure.core.exceptions import AzureError, HttpResponseError, ResourceNotFoundError
from azure.mgmt.compute.models import VirtualMachineScaleSet, VirtualMachineScaleSetUpdate

from regionshift.azure import lro
from regionshift.azure.clients import AzureClients
from regionshift.azure.ids import parse_resource_id
from regionshift.azure.outcomes import describe_error
from regionshift.azure.planned import PlannedStatus, PlannedStep
from regionshift.contracts import Begun, ScaleSetState
from regionshift.plan import PlanContext, ScaleSet
from regionshift.safety import Reading

PLAN_TAG = "regionshift-plan"
BUSY_STATES = {"creating", "updating", "deleting", "migrating"}


def scale_set_id(plan: PlanContext, scale_set: ScaleSet, resource_group: str) -> str:
    if scale_set.mode == "scale":
        return str(scale_set.scale_set)
    return (
        f"/subscriptions/{plan.subscription_id}/resourceGroups/{resource_group}"
        f"/providers/Microsoft.Compute/virtualMachineScaleSets/{scale_set.name}"
    )


def assess(
    clients: AzureClients, plan: PlanContext, scale_set: ScaleSet, resource_group: str, *, capacity: int | None = None
) -> ScaleSetState:
    """Where the scale set stands against the capacity wanted (the plan's, or `capacity`)."""
    wanted = scale_set.capacity if capacity is None else capacity
    vmss_id = parse_resource_id(scale_set_id(plan, scale_set, resource_group))
    state = ScaleSetState(resource=str(vmss_id), wanted=wanted)
    client = clients.compute(vmss_id.subscription_id)
    try:
        current = _get(client, vmss_id.resource_group, vmss_id.name)
        if current is None:
            if scale_set.mode == "scale":
                state.error = f"the pre-provisioned scale set {vmss_id.name} does not exist"
            state.done = wanted == 0
            return state
        state.exists = True
        state.capacity = current.sku.capacity if current.sku else None
        state.provisioning_state = str((current.properties.provisioning_state if current.properties else "") or "")
        if scale_set.mode == "create" and (current.tags or {}).get(PLAN_TAG) != plan.name:
            state.error = (
                f"{vmss_id.name} exists and was not created by regionshift for plan {plan.name}; not touching it"
            )
            return state
        state.in_progress = state.provisioning_state.lower() in BUSY_STATES
        if state.capacity != wanted or state.provisioning_state != "Succeeded":
            return state  # not there yet: no need to count its instances (one read less per look)
        vms = list(client.virtual_machine_scale_set_vms.list(vmss_id.resource_group, vmss_id.name))
    except AzureError as exc:
        state.error = f"{vmss_id.name} cannot be read: {describe_error(exc)}"
        return state
    state.running = sum(1 for vm in vms if vm.properties and vm.properties.provisioning_state == "Succeeded")
    state.done = (
        state.capacity == wanted and state.provisioning_state == "Succeeded" and state.running == wanted == len(vms)
    )
    return state


def begin(
    clients: AzureClients,
    plan: PlanContext,
    scale_set: ScaleSet,
    resource_group: str,
    *,
    capacity: int | None = None,
    tags: dict[str, str] | None = None,
) -> Begun:
    """Start the create (or the capacity update) that brings the scale set to `capacity`, after
    reading it. The state read is in `data["found"]` (the branch's look at it), and `data["wrote"]`
    says whether a write was sent."""
    found = assess(clients, plan, scale_set, resource_group, capacity=capacity)
    seen = {"found": found.model_dump(mode="json")}
    if found.error:
        return Begun(outcome="refused", detail=found.error, data=seen)
    if found.done:
        return Begun(outcome="done", detail=f"runs {found.running} instances", data=seen)
    if found.in_progress:
        return Begun(outcome="in_progress", detail=f"is {found.provisioning_state}", data=seen)
    if not found.exists and found.wanted == 0:
        return Begun(outcome="done", detail="does not exist, so nothing runs there", data=seen)
    vmss_id = parse_resource_id(found.resource)
    operations = clients.compute(vmss_id.subscription_id).virtual_machine_scale_sets
    try:
        if found.exists:
            if found.capacity == found.wanted:  # the capacity is right; Azure is still bringing instances up
                detail = f"{found.running} of {found.wanted} instances running"
                return Begun(outcome="in_progress", detail=detail, data=seen)
            update = VirtualMachineScaleSetUpdate({"sku": {"capacity": found.wanted}})
            handle = lro.start(
                vmss_id.subscription_id,
                lambda **kw: operations.begin_update(vmss_id.resource_group, vmss_id.name, update, **kw),
            )
            what = f"scaling from {found.capacity} to {found.wanted} instances"
        else:
            definition = VirtualMachineScaleSet(_definition(plan, scale_set, found.wanted, tags or {}))
            handle = lro.start(
                vmss_id.subscription_id,
                lambda **kw: operations.begin_create_or_update(vmss_id.resource_group, vmss_id.name, definition, **kw),
            )
            what = f"creating with {found.wanted} instances"
    except HttpResponseError as exc:
        if exc.status_code == 409:
            return Begun(outcome="in_progress", detail=describe_error(exc), data={**seen, "wrote": True})
        transient = exc.status_code is None or exc.status_code >= 500 or exc.status_code == 429
        return Begun(outcome="refused", detail=describe_error(exc), data={**seen, "retry": transient, "wrote": True})
    except AzureError as exc:  # no answer at all (a dropped connection): the branch reads again and retries
        return Begun(outcome="refused", detail=describe_error(exc), data={**seen, "retry": True, "wrote": True})
    if handle is None:
        return Begun(outcome="in_progress", detail=what, data={**seen, "wrote": True})
    return Begun(outcome="started", handle=handle, detail=what, data={**seen, "wrote": True})


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
        "tags": {**tags, PLAN_TAG: plan.name},
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


def readings(
    clients: AzureClients,
    plan: PlanContext,
    scale_sets: list[ScaleSet],
    resource_group: str,
    capacity: int | None = None,
) -> list[Reading]:
    """Is each scale set still there with its capacity, provisioned, right now? (the split-brain
    guard before DNS). One list of each resource group's scale sets, not a read of each: the guard
    runs on the critical path, right after a thousand branches' last reads, and ARM's read budget is
    per subscription (a list page is one read). Each branch counted its running instances when it
    ended; the guard asks what can have changed since (deleted, scaled, failed, replaced)."""
    groups: dict[tuple[str, str], dict[str, Any] | str] = {}  # by name, or why the list failed
    ids = [parse_resource_id(scale_set_id(plan, s, resource_group)) for s in scale_sets]
    for rid in ids:
        key = (rid.subscription_id, rid.resource_group)
        if key in groups:
            continue
        try:
            pages = clients.compute(rid.subscription_id).virtual_machine_scale_sets.list(rid.resource_group)
            groups[key] = {v.name.lower(): v for v in pages if v.name}
        except ResourceNotFoundError:
            groups[key] = {}  # the group is gone, and every scale set with it
        except AzureError as exc:
            groups[key] = describe_error(exc)
    found: list[Reading] = []
    for scale_set, rid in zip(scale_sets, ids, strict=True):
        wanted = scale_set.capacity if capacity is None else capacity
        label = f"scale set {scale_set.name}"
        listed = groups[(rid.subscription_id, rid.resource_group)]
        if isinstance(listed, str):
            found.append(Reading(resource=label, in_target=False, detail=f"cannot be read: {listed}"))
            continue
        vmss = listed.get(rid.name.lower())
        if vmss is None:
            found.append(Reading(resource=label, in_target=wanted == 0, detail="absent"))
            continue
        have = vmss.sku.capacity if vmss.sku else None
        state = str((vmss.properties.provisioning_state if vmss.properties else "") or "")
        ours = scale_set.mode != "create" or (vmss.tags or {}).get(PLAN_TAG) == plan.name
        detail = f"{have} of {wanted} instances ({state or 'no state'})" if ours else "not created by regionshift"
        found.append(Reading(resource=label, in_target=ours and have == wanted and state == "Succeeded", detail=detail))
    return found


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
    """What a failover would do to the scale set now, read-only: the branch's first read."""
    found = assess(clients, plan, scale_set, resource_group, capacity=capacity)
    name = parse_resource_id(found.resource).name
    action = "create" if scale_set.mode == "create" and not found.exists else "scale"

    def planned(status: PlannedStatus, detail: str) -> PlannedStep:
        return PlannedStep(kind="scale_set", resource=found.resource, action=action, status=status, detail=detail)

    if found.error:
        return planned("would_fail", found.error)
    if found.done:
        return planned("already_done", f"{name} runs {found.running} instances" if found.exists else "nothing to do")
    if not found.exists:
        return planned("to_do", f"create {name} ({scale_set.sku}) with {found.wanted} instances")
    return planned("to_do", f"scale {name} from {found.capacity} to {found.wanted} instances")
