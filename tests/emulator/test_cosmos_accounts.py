"""Cosmos DB accounts through the real CosmosDBManagementClient (azure-mgmt-cosmosdb 10.0.0, api 2026-03-15)."""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.cosmosdb import CosmosDBManagementClient

from regionshift_emulator.server import Emulator
from regionshift_emulator.testing import sdk_client

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
