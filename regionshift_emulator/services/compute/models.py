"""Virtual machine scale sets: create, scale and delete as long-running operations, with instances.

A create is checked up front the way Azure checks what matters for DR: the resource group
exists, the region answers (an outage answers as `core.outages` says, 504 GatewayTimeout by
default), the gallery image version has a completed replica in the scale set's region (404
GalleryImageNotFound), every subnet and backend pool exists in that region (400
InvalidResourceReference), and the region's vCPU quota holds the new capacity (409
OperationNotAllowed, `quota.py`; a scale-up is held to it too). Then the scale set is stored
`Creating` and an operation runs for the scenario's `compute.vmss.create` latency; its completion
makes the instances `Succeeded` / `PowerState/running`. Scaling adds instances that run once
`compute.vmss.update` has elapsed and removes surplus ones then. An operation that fails leaves the
scale set `Failed`, as Compute does. Instances are kept in `internal["instances"]`.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from regionshift_emulator.core.errors import ArmError, BadRequest
from regionshift_emulator.core.lro import COMPUTE, Operation
from regionshift_emulator.core.regions import UnknownRegion, short_name
from regionshift_emulator.core.service import Backend
from regionshift_emulator.core.store import Resource, group_id
from regionshift_emulator.services.compute.gallery import resolve_image
from regionshift_emulator.services.compute.quota import VMSS_TYPE, require_quota
from regionshift_emulator.services.network.models import (
    POOL_TYPE,
    SUBNET_TYPE,
    InvalidResourceReference,
    NetworkBackend,
)

SERVICE = "compute"
OPERATIONS = {"compute.vmss.create": 180.0, "compute.vmss.update": 120.0, "compute.vmss.delete": 90.0}
MAX_CAPACITY = 1000
_KEPT_TOP_LEVEL = ("zones", "identity", "plan", "extendedLocation")


class InvalidParameter(ArmError):
    status, code = 400, "InvalidParameter"

    def __init__(self, message: str, target: str) -> None:
        super().__init__(message)
        self.target = target

    def error(self) -> dict[str, Any]:
        return {**super().error(), "target": self.target}


class ComputeBackend(Backend):
    """Scale sets in the shared store; image and network checks read the gallery and network."""

    # --- reads ---------------------------------------------------------------------------------

    def scale_set_id(self, subscription_id: str, resource_group: str, name: str) -> str:
        return f"{group_id(subscription_id, resource_group)}/providers/{VMSS_TYPE}/{name}"

    def get(self, subscription_id: str, resource_group: str, name: str) -> Resource:
        vmss = self.state.store.require(self.scale_set_id(subscription_id, resource_group, name))
        self.state.require_region_up(vmss.location, SERVICE)
        return vmss

    def list_in_group(self, subscription_id: str, resource_group: str) -> list[Resource]:
        self.state.store.require_group(subscription_id, resource_group)
        found = self.state.store.under(group_id(subscription_id, resource_group), VMSS_TYPE)
        return sorted(found, key=lambda r: r.key)

    def list_in_subscription(self, subscription_id: str) -> list[Resource]:
        """VirtualMachineScaleSets_ListAll (azure-rest-api-specs `specification/compute/resource-manager/
        Microsoft.Compute/ComputeRP/stable/2024-07-01/virtualMachineScaleSet.json`, example
        `VirtualMachineScaleSet_ListAll_MinimumSet_Gen.json`): the subscription's scale sets in regions
        that answer; a region in outage is left out (harsher than Azure's undocumented partial answer)."""
        prefix = f"/subscriptions/{subscription_id}/".lower()
        found = [
            r
            for r in self.state.store.of_type(VMSS_TYPE)
            if r.key.startswith(prefix) and not self.state.region_down(r.location, SERVICE)
        ]
        return sorted(found, key=lambda r: r.key)

    # --- writes --------------------------------------------------------------------------------

    def create_or_update(
        self, subscription_id: str, resource_group: str, name: str, body: dict[str, Any]
    ) -> tuple[Resource, bool, Operation]:
        """PUT: validate, store as Creating / Updating, start the operation."""
        store = self.state.store
        store.require_group(subscription_id, resource_group)
        location = _location(body.get("location"))
        self.state.require_region_up(location, SERVICE)
        vmss_id = self.scale_set_id(subscription_id, resource_group, name)
        existing = store.get(vmss_id)
        if existing is not None and existing.location != location:
            raise BadRequest("Changing property 'location' is not allowed.", code="PropertyChangeNotAllowed")
        sku = _sku(body.get("sku"), required=True)
        properties = copy.deepcopy(body.get("properties") or {})
        if not isinstance(properties, dict):
            raise InvalidParameter("The 'properties' of a scale set must be an object.", "properties")
        self._check_references(vmss_id, location, properties)
        require_quota(self.state, vmss_id, location, sku)
        with store.lock:
            if existing is None:
                vmss = Resource(id=vmss_id, type=VMSS_TYPE, location=location, internal={"instances": [], "next": 0})
                properties["uniqueId"] = str(uuid.uuid4())
                properties["timeCreated"] = self.state.clock.iso()
            else:
                vmss = existing
                properties["uniqueId"] = existing.properties.get("uniqueId")
                properties["timeCreated"] = existing.properties.get("timeCreated")
            properties.setdefault("orchestrationMode", "Uniform")
            properties.setdefault("upgradePolicy", {"mode": "Manual"})
            properties.setdefault("singlePlacementGroup", True)
            properties.setdefault("overprovision", True)
            vmss.properties = properties
            vmss.tags = dict(body.get("tags") or {})
            vmss.extra = {"sku": sku, **{k: body[k] for k in _KEPT_TOP_LEVEL if k in body}}
            store.put(vmss)
            kind = "compute.vmss.create" if existing is None else "compute.vmss.update"
            op = self._change(vmss, kind, "Creating" if existing is None else "Updating")
        return vmss, existing is None, op

    def update(
        self, subscription_id: str, resource_group: str, name: str, body: dict[str, Any]
    ) -> tuple[Resource, Operation]:
        """PATCH: merge `sku`, `tags`, `properties` into the scale set and start the operation."""
        vmss = self.get(subscription_id, resource_group, name)
        if "location" in body and _location(body["location"]) != vmss.location:
            raise BadRequest("Changing property 'location' is not allowed.", code="PropertyChangeNotAllowed")
        sku = dict(vmss.extra.get("sku") or {})
        if body.get("sku") is not None:
            sku.update(_sku(body["sku"], required=False))
        patch_props = body.get("properties") or {}
        if not isinstance(patch_props, dict):
            raise InvalidParameter("The 'properties' of a scale set must be an object.", "properties")
        merged = _merge(copy.deepcopy(vmss.properties), patch_props)
        self._check_references(vmss.id, vmss.location, merged)
        require_quota(self.state, vmss.id, vmss.location, sku)
        with self.state.store.lock:
            vmss.properties = merged
            vmss.extra = {**vmss.extra, "sku": sku}
            if body.get("tags") is not None:
                vmss.tags = dict(body["tags"])
            op = self._change(vmss, "compute.vmss.update", "Updating")
        return vmss, op

    def delete(self, subscription_id: str, resource_group: str, name: str) -> Operation | None:
        """DELETE: None when there is nothing to delete (Azure answers 204)."""
        self.state.store.require_group(subscription_id, resource_group)
        vmss = self.state.store.get(self.scale_set_id(subscription_id, resource_group, name))
        if vmss is None:
            return None
        self.state.require_region_up(vmss.location, SERVICE)
        with self.state.store.lock:
            vmss.properties["provisioningState"] = "Deleting"
            for instance in vmss.internal["instances"]:
                instance["state"] = "Deleting"
            vmss.touch()

            def complete() -> None:
                self.state.store.delete_tree(vmss.id)

            return self.state.operations.start(
                kind="compute.vmss.delete",
                resource_id=vmss.id,
                location=vmss.location,
                duration=self.state.operation_duration("compute.vmss.delete"),
                complete=complete,
                style=COMPUTE,
                on_fail=lambda: _failed(vmss),
            )

    # --- rules ---------------------------------------------------------------------------------

    def _check_references(self, vmss_id: str, location: str, properties: dict[str, Any]) -> None:
        profile = properties.get("virtualMachineProfile") or {}
        image = ((profile.get("storageProfile") or {}).get("imageReference")) or {}
        if isinstance(image, dict) and isinstance(image.get("id"), str) and "/galleries/" in image["id"].lower():
            resolve_image(self.state.store, image["id"], location)
        network = self.state.backend(NetworkBackend)
        for ref, type_ in _network_references(profile):
            if network.find_in_region(ref, type_, location) is None:
                raise InvalidResourceReference(ref, vmss_id)

    def _change(self, vmss: Resource, kind: str, provisioning: str) -> Operation:
        """Move the instances towards `sku.capacity` and start the operation that settles them."""
        capacity = int(vmss.extra["sku"].get("capacity", 0))
        instances: list[dict[str, Any]] = vmss.internal["instances"]
        live = [i for i in instances if i["state"] != "Deleting"]
        for instance in live[capacity:]:
            instance["state"] = "Deleting"
        for _ in range(capacity - len(live)):
            instances.append({"instanceId": str(vmss.internal["next"]), "vmId": str(uuid.uuid4()), "state": "Creating"})
            vmss.internal["next"] += 1
        vmss.properties["provisioningState"] = provisioning
        generation = vmss.internal["generation"] = vmss.internal.get("generation", 0) + 1
        vmss.touch()

        def complete() -> None:
            current = self.state.store.get(vmss.id)
            if current is not vmss:
                return  # deleted (or replaced) meanwhile
            vmss.internal["instances"] = [
                {**i, "state": "Succeeded"} for i in vmss.internal["instances"] if i["state"] != "Deleting"
            ]
            if vmss.internal["generation"] == generation:
                vmss.properties["provisioningState"] = "Succeeded"
            vmss.touch()

        return self.state.operations.start(
            kind=kind,
            resource_id=vmss.id,
            location=vmss.location,
            duration=self.state.operation_duration(kind),
            complete=complete,
            style=COMPUTE,
            on_fail=lambda: _failed(vmss),
        )

    def snapshot(self) -> dict[str, Any]:
        return {
            vmss.id: {"instances": [f"{i['instanceId']}:{i['state']}" for i in vmss.internal.get("instances", [])]}
            for vmss in self.state.store.of_type(VMSS_TYPE)
        }


def _failed(vmss: Resource) -> None:
    """A failed operation leaves the scale set (and the instances it was starting) Failed."""
    vmss.properties["provisioningState"] = "Failed"
    for instance in vmss.internal.get("instances", []):
        if instance["state"] == "Creating":
            instance["state"] = "Failed"
    vmss.touch()


def _location(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidParameter("Required parameter 'location' is missing (null).", "location")
    try:
        return short_name(value)
    except UnknownRegion:
        raise BadRequest(
            f"The provided location '{value}' is not available for resource type '{VMSS_TYPE}'.",
            code="LocationNotAvailableForResourceType",
        ) from None


def _sku(value: Any, *, required: bool) -> dict[str, Any]:
    if value is None:
        if required:
            raise InvalidParameter("Required parameter 'sku' is missing (null).", "sku")
        return {}
    if not isinstance(value, dict):
        raise InvalidParameter("The 'sku' of a scale set must be an object.", "sku")
    if required and not value.get("name"):
        raise InvalidParameter("Required parameter 'sku.name' is missing (null).", "sku.name")
    capacity = value.get("capacity", 0 if required else None)
    if capacity is not None and (
        not isinstance(capacity, int) or isinstance(capacity, bool) or not 0 <= capacity <= MAX_CAPACITY
    ):
        raise InvalidParameter(
            f"The value {capacity!r} of parameter 'sku.capacity' is out of range. "
            f"The value must be between 0 and {MAX_CAPACITY}, inclusive.",
            "sku.capacity",
        )
    out = {k: value[k] for k in ("name", "tier") if value.get(k)}
    if capacity is not None:
        out["capacity"] = capacity
    if required:
        out.setdefault("tier", "Standard")
    return out


def _network_references(profile: dict[str, Any]) -> list[tuple[str, str]]:
    """(id, type) of every subnet and backend pool the scale set's NICs name."""
    refs: list[tuple[str, str]] = []
    nics = (profile.get("networkProfile") or {}).get("networkInterfaceConfigurations") or []
    for nic in nics if isinstance(nics, list) else []:
        ip_configs = ((nic or {}).get("properties") or {}).get("ipConfigurations") or []
        for ip_config in ip_configs if isinstance(ip_configs, list) else []:
            props = (ip_config or {}).get("properties") or {}
            subnet = (props.get("subnet") or {}).get("id")
            if isinstance(subnet, str):
                refs.append((subnet, SUBNET_TYPE))
            for pool in props.get("loadBalancerBackendAddressPools") or []:
                if isinstance(pool, dict) and isinstance(pool.get("id"), str):
                    refs.append((pool["id"], POOL_TYPE))
    return refs


def _merge(target: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """JSON merge of a PATCH body: objects merge key by key, anything else replaces."""
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)
    return target
