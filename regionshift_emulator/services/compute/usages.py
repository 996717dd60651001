"""Compute quota: `GET /subscriptions/{s}/providers/Microsoft.Compute/locations/{loc}/usages`.

What the usage API (azure-mgmt-compute's `usage.list`) reports for a region: per VM family and for
"Total Regional vCPUs" (`cores`), the vCPUs in use and the limit. Use is counted from the scale sets
the emulator holds in that region (capacity times vCPUs of their size, from regionshift's size table);
limits are DEFAULT_LIMITS unless the scenario's `quotas` sets them (every region alike).
"""

from __future__ import annotations

from collections import defaultdict

from werkzeug.wrappers import Response

from regionshift.azure.skus import TOTAL_REGIONAL, vm_size
from regionshift_emulator.core.regions import short_name
from regionshift_emulator.core.routing import ArmRequest, Rule, json_response
from regionshift_emulator.services.compute.models import VMSS_TYPE

DEFAULT_FAMILY_LIMIT = 100
DEFAULT_LIMITS = {TOTAL_REGIONAL: 350}
# Families always listed (as Azure lists every family, used or not); the scenario may add more.
LISTED = ("standardBSFamily", "standardDSv3Family", "standardDSv5Family", "standardDv5Family", "standardESv5Family")


def usages(req: ArmRequest) -> Response:
    state = req.state
    location = short_name(req.params["location"])
    used: dict[str, int] = defaultdict(int)
    spelled = {TOTAL_REGIONAL: TOTAL_REGIONAL}
    for vmss in state.store.of_type(VMSS_TYPE):
        sku = vmss.extra.get("sku", {})
        size = vm_size(sku.get("name") or "")
        if vmss.location == location and size is not None:
            spelled[size.family.lower()] = size.family
            used[size.family.lower()] += int(sku.get("capacity") or 0) * size.vcpus
            used[TOTAL_REGIONAL.lower()] += int(sku.get("capacity") or 0) * size.vcpus
    quotas = {k.lower(): (k, v) for k, v in state.scenario.quotas.items()}
    names = {n.lower(): n for n in (*LISTED, *(k for k, _ in quotas.values()))}
    names.update({k: names.get(k, spelled[k]) for k in used})
    names[TOTAL_REGIONAL] = TOTAL_REGIONAL
    value = []
    for key, name in sorted(names.items()):
        limit = quotas[key][1] if key in quotas else DEFAULT_LIMITS.get(name, DEFAULT_FAMILY_LIMIT)
        local = "Total Regional vCPUs" if name == TOTAL_REGIONAL else f"{name} vCPUs"
        value.append(
            {
                "unit": "Count",
                "currentValue": used.get(key, 0),
                "limit": limit,
                "name": {"value": name, "localizedValue": local},
            }
        )
    return json_response({"value": value})


RULES = [
    Rule("/subscriptions/{subscriptionId}/providers/Microsoft.Compute/locations/{location}/usages", ["GET"], usages)
]
