"""Compute quota: `GET /subscriptions/{s}/providers/Microsoft.Compute/locations/{loc}/usages`.

What the usage API (azure-mgmt-compute's `usage.list`) reports for a region: per VM family and for
"Total Regional vCPUs" (`cores`), the vCPUs in use and the limit, as `quota.py` counts them (the
same numbers writes are held to).
"""

from __future__ import annotations

from werkzeug.wrappers import Response

from regionshift.azure.skus import TOTAL_REGIONAL
from regionshift_emulator.core.regions import short_name
from regionshift_emulator.core.routing import ArmRequest, Rule, json_response
from regionshift_emulator.services.compute.quota import limit, used

# Families always listed (as Azure lists every family, used or not); the scenario may add more.
LISTED = ("standardBSFamily", "standardDSv3Family", "standardDSv5Family", "standardDv5Family", "standardESv5Family")


def usages(req: ArmRequest) -> Response:
    state = req.state
    counts, spelled = used(state, short_name(req.params["location"]))
    names = {n.lower(): n for n in (*LISTED, *state.scenario.quotas)}
    names.update({k: names.get(k, spelled[k]) for k in counts})
    names[TOTAL_REGIONAL] = TOTAL_REGIONAL
    value = []
    for key, name in sorted(names.items()):
        local = "Total Regional vCPUs" if name == TOTAL_REGIONAL else f"{name} vCPUs"
        value.append(
            {
                "unit": "Count",
                "currentValue": counts.get(key, 0),
                "limit": limit(state, name),
                "name": {"value": name, "localizedValue": local},
            }
        )
    return json_response({"value": value})


RULES = [
    Rule("/subscriptions/{subscriptionId}/providers/Microsoft.Compute/locations/{location}/usages", ["GET"], usages)
]
