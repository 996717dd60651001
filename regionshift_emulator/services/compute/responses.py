"""Scale sets, their VMs and gallery image versions over HTTP (azure-mgmt-compute 39, 2026-04-01).

Compute models nest under `properties`. PUT answers 201 (create) or 200 (update) and PATCH 200,
each with the scale set as it is now (`Creating` / `Updating`) and `Azure-AsyncOperation`;
DELETE answers 202 (204 when there is nothing). Secrets (`adminPassword`) are never rendered.
"""

from __future__ import annotations

import copy
from typing import Any

from werkzeug.wrappers import Response

from regionshift_emulator.core.errors import ResourceNotFound
from regionshift_emulator.core.routing import ArmRequest, empty_response, json_response, paged_response
from regionshift_emulator.core.store import Resource
from regionshift_emulator.services.compute.gallery import GALLERY_TYPE, VERSION_TYPE, render_version, version_key
from regionshift_emulator.services.compute.models import SERVICE, ComputeBackend

_STATUS = {
    "Creating": ("ProvisioningState/creating", "Provisioning in progress", "PowerState/starting", "VM starting"),
    "Succeeded": ("ProvisioningState/succeeded", "Provisioning succeeded", "PowerState/running", "VM running"),
    "Deleting": ("ProvisioningState/deleting", "Deleting", "PowerState/deallocating", "VM deallocating"),
    "Failed": ("ProvisioningState/failed", "Provisioning failed", "PowerState/stopped", "VM stopped"),
}


def _backend(req: ArmRequest) -> ComputeBackend:
    return req.backend(ComputeBackend)


def _ids(req: ArmRequest) -> tuple[str, str, str]:
    p = req.params
    return p["subscriptionId"], p["resourceGroupName"], p["vmScaleSetName"]


def render_scale_set(vmss: Resource) -> dict[str, Any]:
    body = vmss.render(with_etag=True)
    profile = body["properties"].get("virtualMachineProfile")
    if isinstance(profile, dict) and isinstance(profile.get("osProfile"), dict):
        body["properties"] = copy.deepcopy(body["properties"])
        body["properties"]["virtualMachineProfile"]["osProfile"].pop("adminPassword", None)
    return body


def _status(code: str, display: str, time: str | None = None) -> dict[str, Any]:
    status = {"code": code, "level": "Info", "displayStatus": display}
    if time:
        status["time"] = time
    return status


def _vm_instance_view(instance: dict[str, Any], time: str) -> dict[str, Any]:
    prov, prov_text, power, power_text = _STATUS[instance["state"]]
    return {"statuses": [_status(prov, prov_text, time), _status(power, power_text)]}


def _render_vm(vmss: Resource, instance: dict[str, Any], time: str, expand: bool) -> dict[str, Any]:
    sku = vmss.extra.get("sku", {})
    properties: dict[str, Any] = {
        "latestModelApplied": True,
        "vmId": instance["vmId"],
        "provisioningState": instance["state"],
        "hardwareProfile": {"vmSize": sku.get("name")},
    }
    if expand:
        properties["instanceView"] = _vm_instance_view(instance, time)
    return {
        "id": f"{vmss.id}/virtualMachines/{instance['instanceId']}",
        "name": f"{vmss.name}_{instance['instanceId']}",
        "type": "Microsoft.Compute/virtualMachineScaleSets/virtualMachines",
        "location": vmss.location,
        "instanceId": instance["instanceId"],
        "sku": {k: v for k, v in sku.items() if k in ("name", "tier")},
        "properties": properties,
    }


def get(req: ArmRequest) -> Response:
    return json_response(render_scale_set(_backend(req).get(*_ids(req))))


# Scale set lists are pageable (`x-ms-pageable` with `nextLinkName: nextLink` in the Compute REST
# spec, virtualMachineScaleSet.json: VirtualMachineScaleSets_List and _ListAll). How many a page
# holds ARM does not document: the emulator pages early, harsher than Azure is likely to be, so
# that a caller that reads one page for the whole list, or counts a list as one read, fails here.
PAGE_SIZE = 50


def _paged(req: ArmRequest, found: list[Resource]) -> Response:
    return paged_response(req, found, PAGE_SIZE, render_scale_set)


def list_in_group(req: ArmRequest) -> Response:
    p = req.params
    return _paged(req, _backend(req).list_in_group(p["subscriptionId"], p["resourceGroupName"]))


def list_all(req: ArmRequest) -> Response:
    return _paged(req, _backend(req).list_in_subscription(req.params["subscriptionId"]))


def create_or_update(req: ArmRequest) -> Response:
    vmss, created, op = _backend(req).create_or_update(*_ids(req), req.json())
    return req.state.operations.accepted(op, req, status=201 if created else 200, body=render_scale_set(vmss))


def update(req: ArmRequest) -> Response:
    vmss, op = _backend(req).update(*_ids(req), req.json())
    return req.state.operations.accepted(op, req, status=200, body=render_scale_set(vmss))


def delete(req: ArmRequest) -> Response:
    op = _backend(req).delete(*_ids(req))
    if op is None:
        return empty_response(204)
    return req.state.operations.accepted(op, req, status=202)


def instance_view(req: ArmRequest) -> Response:
    vmss = _backend(req).get(*_ids(req))
    instances = vmss.internal.get("instances", [])
    counts: dict[str, int] = {}
    for instance in instances:
        code = _STATUS[instance["state"]][0]
        counts[code] = counts.get(code, 0) + 1
    state = vmss.properties.get("provisioningState", "Succeeded")
    return json_response(
        {
            "virtualMachine": {"statusesSummary": [{"code": c, "count": n} for c, n in sorted(counts.items())]},
            "statuses": [
                _status(f"ProvisioningState/{state.lower()}", f"Provisioning {state.lower()}", req.state.clock.iso())
            ],
        }
    )


def list_vms(req: ArmRequest) -> Response:
    vmss = _backend(req).get(*_ids(req))
    expand = (req.request.args.get("$expand") or "").lower() == "instanceview"
    now = req.state.clock.iso()
    return json_response({"value": [_render_vm(vmss, i, now, expand) for i in vmss.internal.get("instances", [])]})


def _instance(req: ArmRequest) -> tuple[Resource, dict[str, Any]]:
    vmss = _backend(req).get(*_ids(req))
    for instance in vmss.internal.get("instances", []):
        if instance["instanceId"] == req.params["instanceId"]:
            return vmss, instance
    raise ResourceNotFound(
        f"The Resource 'Microsoft.Compute/virtualMachineScaleSets/{vmss.name}/virtualMachines/"
        f"{req.params['instanceId']}' under resource group '{req.params['resourceGroupName']}' was not found."
    )


def get_vm(req: ArmRequest) -> Response:
    vmss, instance = _instance(req)
    expand = (req.request.args.get("$expand") or "").lower() == "instanceview"
    return json_response(_render_vm(vmss, instance, req.state.clock.iso(), expand))


def get_vm_instance_view(req: ArmRequest) -> Response:
    _, instance = _instance(req)
    return json_response(_vm_instance_view(instance, req.state.clock.iso()))


def get_image_version(req: ArmRequest) -> Response:
    p = req.params
    version_id = req.resource_id(
        f"{GALLERY_TYPE}/{p['galleryName']}/images/{p['galleryImageName']}/versions/{p['galleryImageVersionName']}"
    )
    version = req.state.store.require(version_id)
    req.state.require_region_up(version.location, SERVICE)
    return json_response(render_version(version, req.request.args.get("$expand")))


def list_image_versions(req: ArmRequest) -> Response:
    """GalleryImageVersions_ListByGalleryImage (azure-rest-api-specs `specification/compute/
    resource-manager/Microsoft.Compute/GalleryRP/stable/2024-03-03/GalleryRP.json`, example
    `galleryExamples/GalleryImageVersion_ListByGalleryImage.json`): the versions of an image
    definition, asked of the gallery's home region as a version read is."""
    p = req.params
    image_id = req.resource_id(f"{GALLERY_TYPE}/{p['galleryName']}/images/{p['galleryImageName']}")
    image = req.state.store.require(image_id)
    req.state.require_region_up(image.location, SERVICE)
    versions = sorted(req.state.store.under(image_id, VERSION_TYPE), key=lambda v: version_key(v.name))
    return json_response({"value": [render_version(v, None) for v in versions]})
