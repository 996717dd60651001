"""Network reads the scale sets depend on, over raw HTTPS (the app reads no network resource itself)."""

from __future__ import annotations

from regionshift_emulator.server import Emulator
from regionshift_emulator.testing import raw, token_for

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
NET = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-dr-cus/providers/Microsoft.Network"
API = "?api-version=2024-05-01"


def get(emulator: Emulator, path: str) -> tuple[int, dict[str, object]]:
    status, _, body = raw(emulator, "GET", NET + path + API, token=token_for(emulator))
    return status, body


def test_seeded_subnet_is_in_the_secondary(emulator: Emulator) -> None:
    status, vnet = get(emulator, "/virtualNetworks/vnet-cus")
    subnets = [s["name"] for s in vnet["properties"]["subnets"]]  # type: ignore[index]
    assert (status, vnet["location"], subnets) == (200, "centralus", ["web"])


def test_subnet_get_has_no_location(emulator: Emulator) -> None:
    status, subnet = get(emulator, "/virtualNetworks/vnet-cus/subnets/web")
    assert (status, subnet["type"], "location" in subnet) == (200, "Microsoft.Network/virtualNetworks/subnets", False)


def test_seeded_backend_pool_exists(emulator: Emulator) -> None:
    status, pool = get(emulator, "/loadBalancers/lb-cus/backendAddressPools/web")
    assert (status, pool["properties"]["provisioningState"]) == (200, "Succeeded")  # type: ignore[index]


def test_missing_subnet_is_not_found(emulator: Emulator) -> None:
    status, body = get(emulator, "/virtualNetworks/vnet-cus/subnets/nope")
    assert (status, body["error"]["code"]) == (404, "ResourceNotFound")  # type: ignore[index]


def test_put_virtual_network_with_a_bad_prefix_names_it(emulator: Emulator) -> None:
    body = {
        "location": "centralus",
        "properties": {"subnets": [{"name": "a", "properties": {"addressPrefix": "10.0.0/99"}}]},
    }
    status, _, answer = raw(emulator, "PUT", NET + "/virtualNetworks/v2" + API, body=body, token=token_for(emulator))
    assert (status, answer["error"]["code"]) == (400, "InvalidAddressPrefix")
    assert "properties.subnets[0].properties.addressPrefix" in answer["error"]["message"]
