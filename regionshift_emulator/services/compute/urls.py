"""Routes of Microsoft.Compute: scale sets, their VMs, gallery image versions."""

from regionshift_emulator.core.routing import Rule
from regionshift_emulator.services.compute import responses, usages

_GROUP = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}"
_VMSS = _GROUP + "/providers/Microsoft.Compute/virtualMachineScaleSets/{vmScaleSetName}"
_IMAGE = _GROUP + "/providers/Microsoft.Compute/galleries/{galleryName}/images/{galleryImageName}"
_VERSION = _IMAGE + "/versions/{galleryImageVersionName}"

RULES = [
    Rule(
        "/subscriptions/{subscriptionId}/providers/Microsoft.Compute/virtualMachineScaleSets",
        ["GET"],
        responses.list_all,
    ),
    Rule(_GROUP + "/providers/Microsoft.Compute/virtualMachineScaleSets", ["GET"], responses.list_in_group),
    Rule(_VMSS, ["GET"], responses.get),
    Rule(_VMSS, ["PUT"], responses.create_or_update),
    Rule(_VMSS, ["PATCH"], responses.update),
    Rule(_VMSS, ["DELETE"], responses.delete),
    Rule(_VMSS + "/instanceView", ["GET"], responses.instance_view),
    Rule(_VMSS + "/virtualMachines", ["GET"], responses.list_vms),
    Rule(_VMSS + "/virtualMachines/{instanceId}", ["GET"], responses.get_vm),
    Rule(_VMSS + "/virtualMachines/{instanceId}/instanceView", ["GET"], responses.get_vm_instance_view),
    Rule(_IMAGE + "/versions", ["GET"], responses.list_image_versions),
    Rule(_VERSION, ["GET"], responses.get_image_version),
    *usages.RULES,
]
