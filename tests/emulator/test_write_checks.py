"""Writes ARM refuses before a provider sees them: actions the caller's role excludes (403
AuthorizationFailed, core/writes.py) and creates or scale-ups over the vCPU quota (409
OperationNotAllowed, services/compute/quota.py), checked through the real SDK clients."""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.dns import DnsManagementClient
from azure.mgmt.sql import SqlManagementClient

from regionshift_emulator.server import Emulator
from regionshift_emulator.testing import scale_set_body, sdk_client

SUB = "00000000-0000-0000-0000-000000000000"
FAST: dict[str, Any] = {"latencies": {"default": 0}}
DR = f"/subscriptions/{SUB}/resourceGroups/rg-dr-cus/providers"


def definition(capacity: int) -> dict[str, Any]:
    return scale_set_body(
        image=f"{DR}/Microsoft.Compute/galleries/gal/images/web/versions/1.4.0",
        subnet=f"{DR}/Microsoft.Network/virtualNetworks/vnet-cus/subnets/web",
        backend_pool=f"{DR}/Microsoft.Network/loadBalancers/lb-cus/backendAddressPools/web",
        capacity=capacity,
        location="centralus",
    )


def code_of(exc: HttpResponseError) -> tuple[int | None, str | None]:
    return exc.status_code, exc.error.code if exc.error is not None else None


def scale_sets(emulator: Emulator) -> Any:
    return sdk_client(emulator, ComputeManagementClient, SUB).virtual_machine_scale_sets


def test_a_write_the_role_excludes_is_403_in_arms_words(fresh_emulator: Emulator) -> None:
    action = "Microsoft.Sql/servers/failoverGroups/forceFailoverAllowDataLoss/action"
    fresh_emulator.set_scenario({**FAST, "missing_permissions": [action]})
    groups = sdk_client(fresh_emulator, SqlManagementClient, SUB).failover_groups
    with pytest.raises(HttpResponseError) as caught:
        groups.begin_force_failover_allow_data_loss("rg-dr-cus", "sql-cus", "fg-orders").result()
    principal = fresh_emulator.state.issuer.principal_id
    scope = f"{DR}/Microsoft.Sql/servers/sql-cus/failoverGroups/fg-orders"
    assert code_of(caught.value) == (403, "AuthorizationFailed")
    assert caught.value.error.message.startswith(
        f"The client '{principal}' with object id '{principal}' does not have authorization to perform action "
        f"'{action}' over scope '{scope}' or the scope is invalid."
    )
    planned = groups.begin_failover("rg-dr-cus", "sql-cus", "fg-orders").result()  # another action: allowed
    assert planned.replication_role == "Primary"


def test_not_actions_match_wildcards_and_leave_reads_alone(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario({**FAST, "missing_permissions": ["microsoft.network/dnszones/*/write"]})
    records = sdk_client(fresh_emulator, DnsManagementClient, SUB).record_sets
    current = records.get("rg-dr-cus", "contoso.com", "www", "CNAME")
    with pytest.raises(HttpResponseError) as caught:
        records.create_or_update("rg-dr-cus", "contoso.com", "www", "CNAME", {"properties": {"TTL": 5}})
    assert code_of(caught.value) == (403, "AuthorizationFailed")
    assert records.get("rg-dr-cus", "contoso.com", "www", "CNAME").etag == current.etag


def test_a_create_over_the_family_quota_is_409_operation_not_allowed(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario({**FAST, "quotas": {"standardDSv5Family": 8}})
    with pytest.raises(HttpResponseError) as caught:
        scale_sets(fresh_emulator).begin_create_or_update("rg-dr-cus", "web", definition(5))  # 5 x 2 vCPUs
    assert code_of(caught.value) == (409, "OperationNotAllowed")
    assert caught.value.error.message.startswith(
        "Operation could not be completed as it results in exceeding approved standardDSv5Family Cores quota. "
        "Additional details - Deployment Model: Resource Manager, Location: centralus, Current Limit: 8, "
        "Current Usage: 0, Additional Required: 10, (Minimum) New Limit Required: 10."
    )
    made = scale_sets(fresh_emulator).begin_create_or_update("rg-dr-cus", "web", definition(4)).result()
    assert made.sku.capacity == 4  # exactly the limit fits


def test_a_scale_up_over_the_regional_quota_is_refused_and_a_scale_in_never_is(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario({**FAST, "quotas": {"cores": 6}})
    vmss = scale_sets(fresh_emulator)
    vmss.begin_update("rg-dr-cus", "worker-cus", {"sku": {"capacity": 3}}).result()  # 6 vCPUs
    with pytest.raises(HttpResponseError) as caught:
        vmss.begin_update("rg-dr-cus", "worker-cus", {"sku": {"capacity": 4}})
    assert code_of(caught.value) == (409, "OperationNotAllowed")
    assert "exceeding approved Total Regional Cores quota" in caught.value.error.message
    assert "Current Usage: 6, Additional Required: 2" in caught.value.error.message
    fresh_emulator.set_scenario({**FAST, "quotas": {"cores": 2}})  # lowered below what runs
    assert vmss.begin_update("rg-dr-cus", "worker-cus", {"sku": {"capacity": 2}}).result().sku.capacity == 2


def test_the_usage_api_reports_the_limits_writes_are_held_to(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario({**FAST, "quotas": {"standardDSv5Family": 8}})
    scale_sets(fresh_emulator).begin_create_or_update("rg-dr-cus", "web", definition(3)).result()
    usages = sdk_client(fresh_emulator, ComputeManagementClient, SUB).usage.list("centralus")
    family = next(u for u in usages if u.name.value == "standardDSv5Family")
    assert (family.current_value, family.limit) == (6, 8)
