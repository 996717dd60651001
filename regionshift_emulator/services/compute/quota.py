"""Compute vCPU quota: what a region uses and may use, per VM family and in total, and the refusal
of a create or scale-up that would go over it.

Use is counted from the scale sets the emulator holds in a region (capacity times vCPUs of their
size, from regionshift's size table: a size it does not know is not counted). Limits are
`DEFAULT_LIMITS` / `DEFAULT_FAMILY_LIMIT` unless the scenario's `quotas` sets them (every region
alike). The usage API (`usages.py`) reports these numbers; writes are held to them.

A write that needs more vCPUs than a limit leaves answers 409 `OperationNotAllowed`, family first,
then "Total Regional Cores", worded as Compute words it: "Operation could not be completed as it
results in exceeding approved standardDSv5Family Cores quota. Additional details - Deployment Model:
Resource Manager, Location: centralus, Current Limit: 8, Current Usage: 0, Additional Required: 12,
(Minimum) New Limit Required: 12. ..." (Learn, "Resolve errors for resource quotas"; the message as
Compute answers it, e.g. Azure/karpenter-provider-azure#192; older answers said "Operation results
in exceeding quota limits of Core").
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from regionshift.azure.skus import TOTAL_REGIONAL, vm_size
from regionshift_emulator.core.errors import ArmError
from regionshift_emulator.core.regions import short_name

if TYPE_CHECKING:
    from regionshift_emulator.core.state import EmulatorState

VMSS_TYPE = "Microsoft.Compute/virtualMachineScaleSets"
DEFAULT_FAMILY_LIMIT = 100
DEFAULT_LIMITS = {TOTAL_REGIONAL: 350}
QUOTA_HELP = "https://learn.microsoft.com/azure/quotas/per-vm-quota-requests"


def used(state: EmulatorState, location: str, *, skip_id: str | None = None) -> tuple[dict[str, int], dict[str, str]]:
    """(vCPUs in use by lower-cased family and `cores`, family spellings) in `location`."""
    location = short_name(location)
    counts: dict[str, int] = defaultdict(int)
    spelled = {TOTAL_REGIONAL: TOTAL_REGIONAL}
    for vmss in state.store.of_type(VMSS_TYPE):
        if vmss.location != location or (skip_id and vmss.key == skip_id.lower()):
            continue
        sku = vmss.extra.get("sku", {})
        size = vm_size(sku.get("name") or "")
        if size is not None:
            spelled[size.family.lower()] = size.family
            vcpus = int(sku.get("capacity") or 0) * size.vcpus
            counts[size.family.lower()] += vcpus
            counts[TOTAL_REGIONAL] += vcpus
    return counts, spelled


def limit(state: EmulatorState, name: str) -> int:
    """The limit of a family (or of `cores`), by any casing: the scenario's, else the default."""
    for key, value in state.scenario.quotas.items():
        if key.lower() == name.lower():
            return value
    return DEFAULT_LIMITS.get(name.lower(), DEFAULT_FAMILY_LIMIT)


def require_quota(state: EmulatorState, vmss_id: str, location: str, sku: dict[str, Any]) -> None:
    """409 OperationNotAllowed if the scale set at `sku` would take its region over a vCPU limit.

    Scaling in (or keeping the vCPUs a scale set has) is never refused, even over a lowered limit.
    """
    size = vm_size(sku.get("name") or "")
    if size is None:
        return  # a size the table does not know cannot be counted (and is not counted in use either)
    others, _ = used(state, location, skip_id=vmss_id)  # every other scale set in the region
    wanted = int(sku.get("capacity") or 0) * size.vcpus
    mine = _current(state, vmss_id)  # (family, vCPUs) the scale set holds now, if it exists
    for key, label in ((size.family.lower(), f"{size.family} Cores"), (TOTAL_REGIONAL, "Total Regional Cores")):
        held = mine[1] if mine and (key == TOTAL_REGIONAL or mine[0] == key) else 0
        cap = limit(state, size.family if key != TOTAL_REGIONAL else TOTAL_REGIONAL)
        if wanted > held and others.get(key, 0) + wanted > cap:
            raise ArmError(
                f"Operation could not be completed as it results in exceeding approved {label} quota. "
                f"Additional details - Deployment Model: Resource Manager, Location: {short_name(location)}, "
                f"Current Limit: {cap}, Current Usage: {others.get(key, 0) + held}, "
                f"Additional Required: {wanted - held}, (Minimum) New Limit Required: {others.get(key, 0) + wanted}. "
                f"Submit a request for Quota increase at {QUOTA_HELP} by specifying parameters listed in the "
                "'Details' section for deployment to succeed.",
                code="OperationNotAllowed",
                status=409,
            )


def _current(state: EmulatorState, vmss_id: str) -> tuple[str, int] | None:
    existing = state.store.get(vmss_id)
    if existing is None:
        return None
    sku = existing.extra.get("sku", {})
    size = vm_size(sku.get("name") or "")
    return (size.family.lower(), int(sku.get("capacity") or 0) * size.vcpus) if size else None
