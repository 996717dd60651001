"""Long-running operations (core/lro.py): each provider's status and result URLs, Retry-After in
emulated seconds, and finished operations that keep answering. Raw HTTP, where the headers show."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from azure.mgmt.resource.resources import ResourceManagementClient

from regionshift.plan import Plan
from regionshift_emulator.server import Emulator
from regionshift_emulator.testing import raw, sdk_client, token_for

SUB = "00000000-0000-0000-0000-000000000000"
DR = f"/subscriptions/{SUB}/resourceGroups/rg-dr-cus"
ACCOUNT = f"{DR}/providers/Microsoft.DocumentDB/databaseAccounts/cosmos-orders"
WORKER = f"{DR}/providers/Microsoft.Compute/virtualMachineScaleSets/worker-cus"
FAILOVER = f"{DR}/providers/Microsoft.Sql/servers/sql-cus/failoverGroups/fg-orders/failover?api-version=2025-01-01"
TO_CENTRAL = {
    "failoverPolicies": [
        {"locationName": "centralus", "failoverPriority": 0},
        {"locationName": "eastus2", "failoverPriority": 1},
    ]
}


def call(emulator: Emulator, method: str, url_or_path: str, body: Any = None) -> tuple[int, dict[str, str], Any]:
    return raw(emulator, method, url_or_path.removeprefix(emulator.url), body=body, token=token_for(emulator))


def test_cosmos_operations_are_polled_on_operations_status_and_the_accounts_operation_results(
    fresh_emulator: Emulator,
) -> None:
    fresh_emulator.set_scenario({"latencies": {"cosmos.failoverPriorityChange": 300}})
    status, headers, _ = call(
        fresh_emulator, "POST", f"{ACCOUNT}/failoverPriorityChange?api-version=2026-03-15", TO_CENTRAL
    )
    base = f"{fresh_emulator.url}subscriptions/{SUB}"
    assert status == 202
    assert headers["Azure-AsyncOperation"].startswith(
        f"{base}/providers/Microsoft.DocumentDB/locations/eastus2/operationsStatus/"
    )
    assert headers["Location"].startswith(f"{fresh_emulator.url}{ACCOUNT.lstrip('/')}/operationResults/")
    running = call(fresh_emulator, "GET", headers["Location"])[0]
    fresh_emulator.advance(300)
    assert (running, call(fresh_emulator, "GET", headers["Location"])[0]) == (202, 204)
    assert call(fresh_emulator, "GET", headers["Azure-AsyncOperation"])[2]["status"] == "Succeeded"


def test_compute_polls_operations_and_its_location_adds_monitor_true(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario({"latencies": {"compute.vmss.delete": 90}})
    status, headers, _ = call(fresh_emulator, "DELETE", f"{WORKER}?api-version=2026-04-01")
    operations = f"{fresh_emulator.url}subscriptions/{SUB}/providers/Microsoft.Compute/locations/centralus/operations/"
    assert status == 202
    assert headers["Azure-AsyncOperation"].startswith(operations) and "monitor" not in headers["Azure-AsyncOperation"]
    assert headers["Location"].startswith(operations) and "?monitor=true&api-version=2026-04-01" in headers["Location"]
    during = (
        call(fresh_emulator, "GET", headers["Location"])[0],
        call(fresh_emulator, "GET", headers["Azure-AsyncOperation"])[2],
    )
    fresh_emulator.advance(90)
    assert (during[0], during[1]["status"]) == (202, "InProgress")
    assert call(fresh_emulator, "GET", headers["Location"])[0] == 204


def test_a_group_deletion_is_polled_on_its_deletion_job_only(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario({"latencies": {"resources.deleteGroup": 120}})
    status, headers, _ = call(fresh_emulator, "DELETE", f"{DR}?api-version=2025-04-01")
    token = headers["Location"].split("/operationresults/")[1].split("?")[0]
    job = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    assert (status, "Azure-AsyncOperation" in headers, job["jobId"]) == (
        202,
        False,
        "RESOURCEGROUPDELETIONJOB-RG-DR-CUS-CENTRALUS",
    )
    assert headers["Location"].startswith(f"{fresh_emulator.url}subscriptions/{SUB}/operationresults/")
    running = call(fresh_emulator, "GET", headers["Location"])[0]
    fresh_emulator.advance(120)
    assert (running, call(fresh_emulator, "GET", headers["Location"])[0]) == (202, 200)
    assert (
        sdk_client(fresh_emulator, ResourceManagementClient, SUB).resource_groups.check_existence("rg-dr-cus") is False
    )


@pytest.mark.parametrize(("latency", "retry_after"), [(30, "30"), (600, "60")])
def test_retry_after_is_the_remaining_emulated_duration_from_1_to_60(
    example_plan: Plan, tmp_path: Path, latency: float, retry_after: str
) -> None:
    # A slow clock keeps the emulated now still: 30 emulated seconds stay 30 (a real-seconds value at
    # this speed would be 30000, capped to 60).
    with Emulator(example_plan, {"speed": 0.001, "latencies": {"sql.failover": latency}}, workdir=tmp_path) as emu:
        status, headers, _ = call(emu, "POST", FAILOVER)
        polled = call(emu, "GET", headers["Azure-AsyncOperation"])[1]
    assert (status, headers["Retry-After"], polled["Retry-After"]) == (202, retry_after, retry_after)


def test_a_finished_operation_keeps_answering(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario({"latencies": {"sql.failover": 60}})
    _, headers, _ = call(fresh_emulator, "POST", FAILOVER)
    fresh_emulator.advance(7 * 24 * 3600)  # a week later
    status, poll_headers, body = call(fresh_emulator, "GET", headers["Azure-AsyncOperation"])
    result = call(fresh_emulator, "GET", headers["Location"])
    assert (status, body["status"], "Retry-After" in poll_headers, "endTime" in body) == (200, "Succeeded", False, True)
    assert (result[0], result[2]["properties"]["replicationRole"]) == (200, "Primary")


def test_an_operation_is_not_found_on_another_providers_url(fresh_emulator: Emulator) -> None:
    _, headers, _ = call(fresh_emulator, "POST", FAILOVER)
    op_id = headers["Azure-AsyncOperation"].split("/failoverGroupAzureAsyncOperation/")[1].split("?")[0]
    compute = f"/subscriptions/{SUB}/providers/Microsoft.Compute/locations/centralus/operations"
    wrong = f"{compute}/{op_id}?api-version=2026-04-01"
    status, _, body = call(fresh_emulator, "GET", wrong)
    assert (status, body["error"]["code"]) == (404, "ResourceNotFound")
