"""Cosmos DB accounts through the real CosmosDBManagementClient (azure-mgmt-cosmosdb 10.0.0, api 2026-03-15)."""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.cosmosdb import CosmosDBManagementClient

from regionshift_emulator.server import Emulator
from regionshift_emulator.testing import raw, sdk_client

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
RG, ACCOUNT = "rg-dr-cus", "cosmos-orders"
TO_CENTRAL: dict[str, Any] = {
    "failoverPolicies": [
        {"locationName": "centralus", "failoverPriority": 0},
        {"locationName": "eastus2", "failoverPriority": 1},
    ]
}


def accounts(emulator: Emulator) -> Any:
    return sdk_client(emulator, CosmosDBManagementClient, SUBSCRIPTION).database_accounts


def write_region(emulator: Emulator) -> str:
    return str(accounts(emulator).get(RG, ACCOUNT).write_locations[0].location_name)


def test_account_lists_regions_by_display_name_and_priority(emulator: Emulator) -> None:
    account = accounts(emulator).get(RG, ACCOUNT)
    policies = [(p.location_name, p.failover_priority) for p in account.failover_policies]
    assert policies == [("East US 2", 0), ("Central US", 1)]
    assert (account.provisioning_state, account.enable_automatic_failover) == ("Succeeded", True)


def test_priority_change_moves_the_write_region(fresh_emulator: Emulator) -> None:
    accounts(fresh_emulator).begin_failover_priority_change(RG, ACCOUNT, TO_CENTRAL).result()
    assert write_region(fresh_emulator) == "Central US"


def test_priority_change_is_refused_during_a_write_region_outage(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario({"latencies": {"default": 0}, "outage": ["eastus2"]})
    with pytest.raises(HttpResponseError) as caught:
        accounts(fresh_emulator).begin_failover_priority_change(RG, ACCOUNT, TO_CENTRAL).result()
    assert caught.value.status_code == 503
    assert write_region(fresh_emulator) == "East US 2"


def test_priority_change_must_cover_every_region(emulator: Emulator) -> None:
    body = {"failoverPolicies": [{"locationName": "centralus", "failoverPriority": 0}]}
    with pytest.raises(HttpResponseError) as caught:
        accounts(emulator).begin_failover_priority_change(RG, ACCOUNT, body).result()
    assert caught.value.status_code == 400


def test_offlining_the_write_region_moves_writes_to_the_next_priority(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario({"latencies": {"default": 0}, "outage": ["eastus2"]})
    accounts(fresh_emulator).begin_offline_region(RG, ACCOUNT, {"region": "East US 2"}).result()
    account = accounts(fresh_emulator).get(RG, ACCOUNT)
    assert [loc.location_name for loc in account.write_locations] == ["Central US"]
    assert [loc.location_name for loc in account.read_locations] == ["Central US"]


def test_an_offline_region_stays_offline_after_the_outage(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario({"latencies": {"default": 0}, "outage": ["eastus2"]})
    accounts(fresh_emulator).begin_offline_region(RG, ACCOUNT, {"region": "East US 2"}).result()
    fresh_emulator.set_scenario({"latencies": {"default": 0}})
    with pytest.raises(HttpResponseError):
        accounts(fresh_emulator).begin_online_region(RG, ACCOUNT, {"region": "East US 2"}).result()
    account = accounts(fresh_emulator).get(RG, ACCOUNT)
    assert [loc.location_name for loc in account.read_locations] == ["Central US"]


def test_service_managed_failover_after_a_long_write_region_outage(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario({"outage": ["eastus2"], "cosmos_automatic_failover_after": 600})
    assert write_region(fresh_emulator) == "East US 2"
    fresh_emulator.advance(600)
    assert write_region(fresh_emulator) == "Central US"


# --- regional data-plane endpoints (services/cosmos/dataplane.py) ------------------------------------


def probe(emulator: Emulator, endpoint: str) -> tuple[int, Any] | str:
    """GET a documentEndpoint without credentials, as the app's probes do: (status, body) or "dropped"."""
    try:
        status, _, body = raw(emulator, "GET", endpoint.removeprefix(emulator.url))
    except OSError:
        return "dropped"
    return status, body


def endpoints(emulator: Emulator) -> dict[str, str]:
    account = accounts(emulator).get(RG, ACCOUNT)
    return {loc.location_name: loc.document_endpoint for loc in account.locations} | {
        "global": account.document_endpoint
    }


def test_every_region_has_a_document_endpoint_served_by_the_emulator(emulator: Emulator) -> None:
    found = endpoints(emulator)
    base = f"{emulator.url}_dataplane/cosmos/"
    assert found == {
        "East US 2": f"{base}cosmos-orders-eastus2/",
        "Central US": f"{base}cosmos-orders-centralus/",
        "global": f"{base}cosmos-orders/",
    }


def test_an_endpoint_without_credentials_is_401_as_cosmos_answers(emulator: Emulator) -> None:
    answer = probe(emulator, endpoints(emulator)["Central US"])
    assert isinstance(answer, tuple) and answer[0] == 401
    assert answer[1]["code"] == "Unauthorized" and answer[1]["message"].startswith(
        "Required Header authorization is missing"
    )


@pytest.mark.parametrize(("mode", "down"), [("timeout", 504), ("error", 503), ("reset", "dropped")])
def test_the_endpoint_of_a_down_region_follows_the_outage_mode(fresh_emulator: Emulator, mode: str, down: Any) -> None:
    found = endpoints(fresh_emulator)
    fresh_emulator.set_scenario({"outage": [{"region": "eastus2", "services": ["cosmos"], "mode": mode}]})
    east = probe(fresh_emulator, found["East US 2"])
    assert (east if east == "dropped" else east[0], probe(fresh_emulator, found["Central US"])[0]) == (down, 401)


def test_the_global_endpoint_follows_the_write_region(fresh_emulator: Emulator) -> None:
    found = endpoints(fresh_emulator)
    fresh_emulator.set_scenario({"outage": ["eastus2"]})
    while_east_writes = probe(fresh_emulator, found["global"])
    fresh_emulator.set_scenario({"latencies": {"default": 0}, "outage": ["eastus2"]})
    accounts(fresh_emulator).begin_offline_region(RG, ACCOUNT, {"region": "East US 2"}).result()
    assert (while_east_writes[0], probe(fresh_emulator, found["global"])[0]) == (504, 401)


def test_locations_show_priority_zone_redundancy_and_a_region_taken_offline(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario({"latencies": {"default": 0}, "outage": ["eastus2"]})
    accounts(fresh_emulator).begin_offline_region(RG, ACCOUNT, {"region": "East US 2"}).result()
    account = accounts(fresh_emulator).get(RG, ACCOUNT)
    shown = {
        (loc.location_name, loc.failover_priority, loc.is_zone_redundant, loc.provisioning_state)
        for loc in account.locations
    }
    assert shown == {("Central US", 0, False, "Succeeded"), ("East US 2", 1, False, "Offline")}
    assert [loc.location_name for loc in account.read_locations] == ["Central US"]
