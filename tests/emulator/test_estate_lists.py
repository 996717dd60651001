"""The subscription-wide lists discovery reads, through the real SDK clients (or raw HTTPS where the app
has no client: Microsoft.Network), and the primary's side of the seeded estate they show."""

from __future__ import annotations

from typing import Any

from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.cosmosdb import CosmosDBManagementClient

from regionshift.plan import Plan
from regionshift_emulator.server import Emulator
from regionshift_emulator.testing import raw, sdk_client, token_for

SUB = "00000000-0000-0000-0000-000000000000"
NETWORK_API = "?api-version=2024-05-01"


def network(emulator: Emulator, path: str) -> tuple[int, Any]:
    status, _, body = raw(emulator, "GET", f"/subscriptions/{SUB}{path}{NETWORK_API}", token=token_for(emulator))
    return status, body


def test_cosmos_accounts_are_listed_by_subscription_and_by_group(emulator: Emulator, example_plan: Plan) -> None:
    client = sdk_client(emulator, CosmosDBManagementClient, SUB)
    listed = [(a.name, [loc.location_name for loc in a.locations]) for a in client.database_accounts.list()]
    in_group = [a.name for a in client.database_accounts.list_by_resource_group("rg-dr-cus")]
    assert listed == [("cosmos-orders", ["East US 2", "Central US"])]
    assert in_group == [example_plan.cosmos_accounts[0].name]
    assert list(client.database_accounts.list_by_resource_group("rg-data-eus2")) == []


def test_scale_sets_of_both_regions_are_listed_for_the_subscription(emulator: Emulator) -> None:
    client = sdk_client(emulator, ComputeManagementClient, SUB)
    listed = {(v.name, v.location, v.sku.capacity) for v in client.virtual_machine_scale_sets.list_all()}
    # worker-cus is the plan's idle secondary; web-eus2 and worker-eus2 run in the primary.
    assert listed == {("worker-cus", "centralus", 0), ("web-eus2", "eastus2", 4), ("worker-eus2", "eastus2", 2)}


def test_the_primary_scale_set_runs_the_plan_image_in_the_primary_network(
    emulator: Emulator, example_plan: Plan
) -> None:
    client = sdk_client(emulator, ComputeManagementClient, SUB)
    vmss = client.virtual_machine_scale_sets.get("rg-dr-eus2", "web-eus2")
    nic = vmss.virtual_machine_profile.network_profile.network_interface_configurations[0]
    assert vmss.virtual_machine_profile.storage_profile.image_reference.id == example_plan.scale_sets[0].image
    assert nic.ip_configurations[0].subnet.id.endswith(
        "/rg-dr-eus2/providers/Microsoft.Network/virtualNetworks/vnet-eus2/subnets/web"
    )
    assert len(list(client.virtual_machine_scale_set_vms.list("rg-dr-eus2", "web-eus2"))) == 4


def test_image_versions_are_listed_by_image(emulator: Emulator) -> None:
    client = sdk_client(emulator, ComputeManagementClient, SUB)
    versions = [v.name for v in client.gallery_image_versions.list_by_gallery_image("rg-dr-cus", "gal", "web")]
    assert versions == ["1.4.0"]


def test_public_ips_are_listed_with_their_addresses_and_reverse_fqdns(emulator: Emulator) -> None:
    status, body = network(emulator, "/providers/Microsoft.Network/publicIPAddresses")
    found = {
        (
            p["name"],
            p["location"],
            p["properties"]["ipAddress"],
            p["properties"].get("dnsSettings", {}).get("reverseFqdn"),
        )
        for p in body["value"]
    }
    assert status == 200
    assert ("pip-api-contoso-com-eus2", "eastus2", "20.1.2.3", None) in found
    assert {("pip-api-contoso-com-cus-1", "52.4.5.6"), ("pip-api-contoso-com-cus-2", "52.4.5.7")} <= {
        (name, ip) for name, _, ip, _ in found
    }
    assert {(n, r) for n, _, _, r in found if r} == {
        ("pip-www-contoso-com-eus2", "web-eus2.contoso.net."),
        ("pip-www-contoso-com-cus", "web-cus.contoso.net."),
    }


def test_a_public_ip_is_read_by_group_and_by_name(emulator: Emulator) -> None:
    status, listed = network(emulator, "/resourceGroups/rg-dr-cus/providers/Microsoft.Network/publicIPAddresses")
    got, pip = network(
        emulator, "/resourceGroups/rg-dr-cus/providers/Microsoft.Network/publicIPAddresses/pip-www-contoso-com-cus"
    )
    assert (status, got) == (200, 200)
    assert {p["name"] for p in listed["value"]} == {
        "pip-www-contoso-com-cus",
        "pip-api-contoso-com-cus-1",
        "pip-api-contoso-com-cus-2",
    }
    assert (pip["properties"]["publicIPAddressVersion"], pip["sku"]["name"]) == ("IPv4", "Standard")


def test_virtual_networks_and_load_balancers_of_both_regions_are_listed(emulator: Emulator) -> None:
    _, vnets = network(emulator, "/providers/Microsoft.Network/virtualNetworks")
    _, lbs = network(emulator, "/providers/Microsoft.Network/loadBalancers")
    assert {
        (v["name"], v["location"], tuple(s["name"] for s in v["properties"]["subnets"])) for v in vnets["value"]
    } == {
        ("vnet-cus", "centralus", ("web",)),
        ("vnet-eus2", "eastus2", ("web",)),
    }
    assert {(lb["name"], lb["location"]) for lb in lbs["value"]} == {("lb-cus", "centralus"), ("lb-eus2", "eastus2")}


def test_lists_leave_out_a_region_in_outage(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario({"outage": ["eastus2"]})
    compute = sdk_client(fresh_emulator, ComputeManagementClient, SUB)
    scale_sets = {v.name for v in compute.virtual_machine_scale_sets.list_all()}
    _, pips = network(fresh_emulator, "/providers/Microsoft.Network/publicIPAddresses")
    _, vnets = network(fresh_emulator, "/providers/Microsoft.Network/virtualNetworks")
    assert scale_sets == {"worker-cus"}
    assert {p["location"] for p in pips["value"]} == {"centralus"}
    assert [v["name"] for v in vnets["value"]] == ["vnet-cus"]


def test_a_public_ip_in_a_region_in_outage_does_not_answer(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario({"outage": ["eastus2"]})
    status, body = network(
        fresh_emulator,
        "/resourceGroups/rg-dr-eus2/providers/Microsoft.Network/publicIPAddresses/pip-api-contoso-com-eus2",
    )
    assert (status, body["error"]["code"]) == (504, "GatewayTimeout")


def test_an_unknown_network_api_version_is_refused_for_public_ips(emulator: Emulator) -> None:
    status, _, body = raw(
        emulator,
        "GET",
        f"/subscriptions/{SUB}/providers/Microsoft.Network/publicIPAddresses?api-version=2099-01-01",
        token=token_for(emulator),
    )
    assert (status, body["error"]["code"]) == (400, "NoRegisteredProviderFound")
