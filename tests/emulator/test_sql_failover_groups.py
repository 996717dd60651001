"""SQL failover groups through the real SqlManagementClient (azure-mgmt-sql 4.0.0, api 2025-01-01)."""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.sql import SqlManagementClient

from regionshift_emulator.server import Emulator
from regionshift_emulator.services.sql.models import NORMAL_LAG_SECONDS
from regionshift_emulator.testing import raw, sdk_client, token_for

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
PRIMARY_RG, PRIMARY, SECONDARY_RG, SECONDARY, GROUP = "rg-data-eus2", "sql-eus2", "rg-dr-cus", "sql-cus", "fg-orders"
OUTAGE: dict[str, Any] = {"latencies": {"default": 0}, "outage": ["eastus2"]}


def client(emulator: Emulator) -> SqlManagementClient:
    return sdk_client(emulator, SqlManagementClient, SUBSCRIPTION)


def on_primary(emulator: Emulator) -> Any:
    return client(emulator).failover_groups.get(PRIMARY_RG, PRIMARY, GROUP)


def on_secondary(emulator: Emulator) -> Any:
    return client(emulator).failover_groups.get(SECONDARY_RG, SECONDARY, GROUP)


def roles(emulator: Emulator) -> tuple[str, str]:
    return on_primary(emulator).replication_role, on_secondary(emulator).replication_role


def force_to_secondary(emulator: Emulator) -> Any:
    groups = client(emulator).failover_groups
    return groups.begin_force_failover_allow_data_loss(SECONDARY_RG, SECONDARY, GROUP).result()


def group_state(emulator: Emulator) -> dict[str, Any]:
    (group,) = emulator.state.snapshot()["services"]["sql"].values()
    return dict(group)


def code_of(exc: HttpResponseError) -> tuple[int | None, str | None]:
    return exc.status_code, exc.error.code if exc.error is not None else None


def test_each_server_sees_its_own_role_and_its_partner(emulator: Emulator) -> None:
    group = on_secondary(emulator)
    partner = group.partner_servers[0]
    assert (group.replication_role, group.location) == ("Secondary", "Central US")
    assert (partner.id.endswith(f"/servers/{PRIMARY}"), partner.location, partner.replication_role) == (
        True,
        "East US 2",
        "Primary",
    )
    assert (group.read_write_endpoint.failover_policy, group.replication_state) == ("Manual", "CATCH_UP")


def test_planned_failover_with_both_regions_up_swaps_roles(fresh_emulator: Emulator) -> None:
    result = client(fresh_emulator).failover_groups.begin_failover(SECONDARY_RG, SECONDARY, GROUP).result()
    assert result.replication_role == "Primary"
    assert roles(fresh_emulator) == ("Secondary", "Primary")
    assert group_state(fresh_emulator)["data_loss_seconds"] == 0.0


def test_planned_failover_fails_while_the_primary_region_is_down(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario(OUTAGE)
    with pytest.raises(HttpResponseError) as caught:
        client(fresh_emulator).failover_groups.begin_failover(SECONDARY_RG, SECONDARY, GROUP).result()
    assert "OperationTimedOut" in str(caught.value)
    assert on_secondary(fresh_emulator).replication_role == "Secondary"


def test_forced_failover_works_with_the_primary_region_down(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario(OUTAGE)
    result = force_to_secondary(fresh_emulator)
    assert (result.replication_role, result.partner_servers[0].replication_role) == ("Primary", "Secondary")


def test_old_primary_comes_back_as_secondary_after_forced_failover(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario(OUTAGE)
    force_to_secondary(fresh_emulator)
    fresh_emulator.set_scenario({"latencies": {"default": 0}})  # the region is back
    assert roles(fresh_emulator) == ("Secondary", "Primary")


def test_forced_failover_during_outage_records_the_lag_as_data_loss(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario(OUTAGE)
    force_to_secondary(fresh_emulator)
    assert group_state(fresh_emulator)["data_loss_seconds"] == NORMAL_LAG_SECONDS  # not replicated when it fell


def test_server_in_a_region_in_outage_answers_gateway_timeout(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario({"outage": ["eastus2"]})
    with pytest.raises(HttpResponseError) as caught:
        on_primary(fresh_emulator)
    assert code_of(caught.value) == (504, "GatewayTimeout")


@pytest.mark.parametrize("forced", [False, True])
def test_failover_sent_to_the_current_primary_is_400(fresh_emulator: Emulator, forced: bool) -> None:
    groups = client(fresh_emulator).failover_groups
    begin = groups.begin_force_failover_allow_data_loss if forced else groups.begin_failover
    with pytest.raises(HttpResponseError) as caught:
        begin(PRIMARY_RG, PRIMARY, GROUP).result()
    assert code_of(caught.value) == (400, "FailoverGroupFailoverRequestOnPrimary")
    assert roles(fresh_emulator) == ("Primary", "Secondary")


def test_unknown_failover_group_is_not_found(emulator: Emulator) -> None:
    with pytest.raises(HttpResponseError) as caught:
        client(emulator).failover_groups.get(PRIMARY_RG, PRIMARY, "no-such-group")
    assert code_of(caught.value) == (404, "ResourceNotFound")


def test_second_failover_while_one_runs_is_409_busy(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario({"latencies": {"sql.failover": 60}})
    groups = client(fresh_emulator).failover_groups
    groups.begin_failover(SECONDARY_RG, SECONDARY, GROUP, polling=False)
    with pytest.raises(HttpResponseError) as caught:
        groups.begin_force_failover_allow_data_loss(SECONDARY_RG, SECONDARY, GROUP, polling=False)
    assert code_of(caught.value) == (409, "FailoverGroupBusy")
    fresh_emulator.advance(60)
    assert roles(fresh_emulator) == ("Secondary", "Primary")  # the first one went through


def test_failover_right_after_a_forced_failover_is_409_busy_until_the_group_settles(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario({"latencies": {"default": 0, "sql.busyAfterForcedFailover": 300}})
    force_to_secondary(fresh_emulator)
    groups = client(fresh_emulator).failover_groups
    with pytest.raises(HttpResponseError) as caught:
        groups.begin_failover(PRIMARY_RG, PRIMARY, GROUP, polling=False)
    assert code_of(caught.value) == (409, "FailoverGroupBusy")
    fresh_emulator.advance(300)
    groups.begin_failover(PRIMARY_RG, PRIMARY, GROUP).result()
    assert roles(fresh_emulator) == ("Primary", "Secondary")


def test_replication_is_suspended_after_a_forced_failover_until_the_old_primary_reconnects(
    fresh_emulator: Emulator,
) -> None:
    latencies = {"default": 0, "sql.reconnect": 60, "sql.catchUp": 120}
    fresh_emulator.set_scenario({**OUTAGE, "latencies": latencies})
    force_to_secondary(fresh_emulator)
    during = on_secondary(fresh_emulator).replication_state
    fresh_emulator.set_scenario({"latencies": latencies})  # the old primary's region is back
    back = (on_secondary(fresh_emulator).replication_state, on_primary(fresh_emulator).replication_state)
    fresh_emulator.advance(60)  # reconnected as secondary: catching up
    catching_up = on_secondary(fresh_emulator).replication_state, group_state(fresh_emulator)["replication_lag_seconds"]
    fresh_emulator.advance(120)
    assert (during, back) == ("SUSPENDED", ("SUSPENDED", "SUSPENDED"))
    assert catching_up[0] == "CATCH_UP" and catching_up[1] > NORMAL_LAG_SECONDS
    assert (on_secondary(fresh_emulator).replication_state, group_state(fresh_emulator)["link"]) == (
        "CATCH_UP",
        "healthy",
    )
    assert group_state(fresh_emulator)["replication_lag_seconds"] == NORMAL_LAG_SECONDS


def test_planned_failover_back_before_the_old_primary_reconnected_times_out(fresh_emulator: Emulator) -> None:
    latencies = {"default": 0, "sql.reconnect": 600, "sql.busyAfterForcedFailover": 0}
    fresh_emulator.set_scenario({**OUTAGE, "latencies": latencies})
    force_to_secondary(fresh_emulator)
    fresh_emulator.set_scenario({"latencies": latencies})  # back, but not reconnected for 600 s
    with pytest.raises(HttpResponseError) as caught:
        client(fresh_emulator).failover_groups.begin_failover(PRIMARY_RG, PRIMARY, GROUP).result()
    assert "OperationTimedOut" in str(caught.value)
    assert roles(fresh_emulator) == ("Secondary", "Primary")


def test_failover_is_polled_on_the_urls_sql_names(fresh_emulator: Emulator) -> None:
    # The spec example (FailoverGroupFailover.json) answers 202 with a resource-group-scoped Location.
    fresh_emulator.set_scenario({"latencies": {"sql.failover": 60}})
    path = (
        f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{SECONDARY_RG}/providers/Microsoft.Sql/servers/{SECONDARY}"
        f"/failoverGroups/{GROUP}/failover?api-version=2025-01-01"
    )
    status, headers, _ = raw(fresh_emulator, "POST", path, token=token_for(fresh_emulator))
    base = f"{fresh_emulator.url}subscriptions/{SUBSCRIPTION}"
    assert status == 202
    assert headers["Azure-AsyncOperation"].startswith(
        f"{base}/providers/Microsoft.Sql/locations/centralus/failoverGroupAzureAsyncOperation/"
    )
    assert headers["Location"].startswith(
        f"{base}/resourceGroups/{SECONDARY_RG}/providers/Microsoft.Sql/locations/centralus/failoverGroupOperationResults/"
    )
    result = raw(
        fresh_emulator, "GET", headers["Location"].removeprefix(fresh_emulator.url), token=token_for(fresh_emulator)
    )
    assert result[0] == 202  # still running: the result URL answers 202
