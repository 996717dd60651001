"""SQL failover groups through the real SqlManagementClient (azure-mgmt-sql 4.0.0, api 2025-01-01)."""

from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.sql import SqlManagementClient

from regionshift_emulator.server import Emulator
from regionshift_emulator.services.sql.models import NORMAL_LAG_SECONDS
from regionshift_emulator.testing import sdk_client

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
PRIMARY, SECONDARY, GROUP = "sql-eus2", "sql-cus", "fg-orders"
# Each server in its own region's group, as plans/example.yaml lays them out.
RG = {PRIMARY: "rg-data-eus2", SECONDARY: "rg-dr-cus"}


def client(emulator: Emulator) -> SqlManagementClient:
    return sdk_client(emulator, SqlManagementClient, SUBSCRIPTION)


def roles(emulator: Emulator) -> tuple[str, str]:
    groups = client(emulator).failover_groups
    return groups.get(RG[PRIMARY], PRIMARY, GROUP).replication_role, groups.get(
        RG[SECONDARY], SECONDARY, GROUP
    ).replication_role


def test_each_server_sees_its_own_role_and_its_partner(emulator: Emulator) -> None:
    group = client(emulator).failover_groups.get(RG[SECONDARY], SECONDARY, GROUP)
    partner = group.partner_servers[0]
    assert (group.replication_role, group.location) == ("Secondary", "Central US")
    assert (partner.id.endswith(f"/servers/{PRIMARY}"), partner.location, partner.replication_role) == (
        True,
        "East US 2",
        "Primary",
    )
    assert group.read_write_endpoint.failover_policy == "Manual"


def test_planned_failover_with_both_regions_up_swaps_roles(fresh_emulator: Emulator) -> None:
    result = client(fresh_emulator).failover_groups.begin_failover(RG[SECONDARY], SECONDARY, GROUP).result()
    assert result.replication_role == "Primary"
    assert roles(fresh_emulator) == ("Secondary", "Primary")


def test_planned_failover_fails_while_the_primary_region_is_down(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario({"latencies": {"default": 0}, "outage": ["eastus2"]})
    with pytest.raises(HttpResponseError) as caught:
        client(fresh_emulator).failover_groups.begin_failover(RG[SECONDARY], SECONDARY, GROUP).result()
    assert "OperationTimedOut" in str(caught.value)
    assert client(fresh_emulator).failover_groups.get(RG[SECONDARY], SECONDARY, GROUP).replication_role == "Secondary"


def test_forced_failover_works_with_the_primary_region_down(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario({"latencies": {"default": 0}, "outage": ["eastus2"]})
    groups = client(fresh_emulator).failover_groups
    result = groups.begin_force_failover_allow_data_loss(RG[SECONDARY], SECONDARY, GROUP).result()
    assert (result.replication_role, result.partner_servers[0].replication_role) == ("Primary", "Secondary")


def test_old_primary_comes_back_as_secondary_after_forced_failover(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario({"latencies": {"default": 0}, "outage": ["eastus2"]})
    client(fresh_emulator).failover_groups.begin_force_failover_allow_data_loss(
        RG[SECONDARY], SECONDARY, GROUP
    ).result()
    fresh_emulator.set_scenario({"latencies": {"default": 0}})  # the region is back
    assert roles(fresh_emulator) == ("Secondary", "Primary")


def test_forced_failover_during_outage_records_the_lag_as_data_loss(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario({"latencies": {"default": 0}, "outage": ["eastus2"]})
    client(fresh_emulator).failover_groups.begin_force_failover_allow_data_loss(
        RG[SECONDARY], SECONDARY, GROUP
    ).result()
    (group,) = fresh_emulator.state.snapshot()["services"]["sql"].values()
    assert group["data_loss_seconds"] == NORMAL_LAG_SECONDS  # what had not replicated when the region fell


def test_server_in_a_region_in_outage_answers_gateway_timeout(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario({"outage": ["eastus2"]})
    with pytest.raises(HttpResponseError) as caught:
        client(fresh_emulator).failover_groups.get(RG[PRIMARY], PRIMARY, GROUP)
    assert (caught.value.status_code, caught.value.error.code) == (504, "GatewayTimeout")


def test_failover_issued_on_the_primary_is_a_no_op(emulator: Emulator) -> None:
    result = client(emulator).failover_groups.begin_failover(RG[PRIMARY], PRIMARY, GROUP).result()
    assert result.replication_role == "Primary"
    assert roles(emulator) == ("Primary", "Secondary")


def test_unknown_failover_group_is_not_found(emulator: Emulator) -> None:
    with pytest.raises(HttpResponseError) as caught:
        client(emulator).failover_groups.get(RG[PRIMARY], PRIMARY, "no-such-group")
    assert (caught.value.status_code, caught.value.error.code) == (404, "ResourceNotFound")
