"""Generated plans of any size, in realistic proportions, for scale tests and benchmarks.

Per ten resources: two SQL failover groups, two Cosmos DB accounts, three scale sets (two built
from the gallery image in the failover resource group, one pre-provisioned and scaled) and three
DNS records; spread over several subscriptions, and over resource groups of at most fifty
resources. Every permanent secondary resource (partner servers, Cosmos accounts, DNS zones,
the gallery, the network, pre-provisioned scale sets) lives in a group that also holds a partner
server or a secondary scale set, so the emulator's seed homes it in the secondary region (a group
homed in the primary could not be changed during the primary's outage); the primary servers live
in groups of their own, homed in the primary.
"""

from __future__ import annotations

from typing import Any

from regionshift.plan import Plan

PRIMARY, SECONDARY = "eastus2", "centralus"
GROUP_SIZE = 50


def subscription(index: int) -> str:
    return f"00000000-0000-0000-0000-{index:012d}"


def generated_plan(resources: int, *, subscriptions: int = 3, name: str = "estate", data_loss: str = "allow") -> Plan:
    """A valid plan with about `resources` entries (at least one of each kind)."""
    tenth = max(resources / 10, 0.1)
    counts = {
        "sql": max(1, round(2 * tenth)),
        "cosmos": max(1, round(2 * tenth)),
        "create": max(1, round(2 * tenth)),
        "scale": max(1, round(tenth)),
        "dns": max(1, round(3 * tenth)),
    }
    subs = [subscription(i) for i in range(max(1, subscriptions))]
    home = subs[0]  # the plan's subscription: the failover group, the image and the network

    def sub_of(i: int) -> str:
        return subs[i % len(subs)]

    def dr_group(i: int) -> str:
        return f"rg-dr-{i // GROUP_SIZE}"

    rid = f"/subscriptions/{home}/resourceGroups"
    data: dict[str, Any] = {
        "name": name,
        "subscription_id": home,
        "regions": {"primary": PRIMARY, "secondary": SECONDARY},
        "failover_resource_group": f"{name}-dr",
        "policy": {"data_loss": data_loss},
        "sql_failover_groups": [
            {
                "subscription_id": sub_of(i),
                "resource_group": f"rg-data-{i // GROUP_SIZE}",
                "server": f"sql-eus2-{i // 10}",
                "name": f"fg-{i}",
                "partner_server": f"sql-cus-{i // 10}",
                "partner_resource_group": dr_group(i),
            }
            for i in range(counts["sql"])
        ],
        "cosmos_accounts": [
            {"subscription_id": sub_of(i), "resource_group": dr_group(i), "name": f"cosmos-{name}-{i}"}
            for i in range(counts["cosmos"])
        ],
        "scale_sets": [
            {
                "name": f"web-{i}",
                "mode": "create",
                "capacity": 2,
                "sku": "Standard_D2s_v5",
                "image": f"{rid}/rg-dr-0/providers/Microsoft.Compute/galleries/gal/images/web/versions/1.0.0",
                "subnet": f"{rid}/rg-dr-0/providers/Microsoft.Network/virtualNetworks/vnet-cus/subnets/web",
            }
            for i in range(counts["create"])
        ]
        + [
            {
                "name": f"worker-{i}",
                "mode": "scale",
                "capacity": 2,
                "scale_set": f"{rid}/rg-compute-cus-{i // GROUP_SIZE}/providers/Microsoft.Compute"
                f"/virtualMachineScaleSets/worker-cus-{i}",
            }
            for i in range(counts["scale"])
        ],
        "dns_records": [
            {
                "subscription_id": sub_of(i % counts["sql"]),
                "resource_group": dr_group(i % counts["sql"]),  # beside a partner server
                # One zone of a name per estate: a zone of the same name in two resource groups is two
                # zones with name servers of their own, of which only one is delegated.
                "zone": f"{name}{i % counts['sql'] % len(subs)}-{i % counts['sql'] // GROUP_SIZE}.example.com",
                "name": f"app{i}",
                "type": "CNAME",
                "ttl": 60,
                "primary": f"app{i}-eus2.example.net",
                "secondary": f"app{i}-cus.example.net",
            }
            for i in range(counts["dns"])
        ],
    }
    return Plan.model_validate(data)
