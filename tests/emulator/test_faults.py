"""Injected faults for the chaos suite (core/faults.py): bursts of 429 with Retry-After, dropped
connections, slow answers, operations that fail after being accepted or never end, and random
choices that repeat for a seed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.compute import ComputeManagementClient

from regionshift.plan import Plan
from regionshift_emulator.server import Emulator
from regionshift_emulator.testing import logged, raw, sdk_client, token_for

SUB = "00000000-0000-0000-0000-000000000000"
SERVER = f"/subscriptions/{SUB}/resourceGroups/rg-data-eus2/providers/Microsoft.Sql/servers/sql-eus2"
WORKER = f"/subscriptions/{SUB}/resourceGroups/rg-dr-cus/providers/Microsoft.Compute/virtualMachineScaleSets/worker-cus"
SQL_API, COMPUTE_API = "?api-version=2025-01-01", "?api-version=2026-04-01"


def get_server(emulator: Emulator) -> tuple[int, dict[str, str], Any]:
    return raw(emulator, "GET", SERVER + SQL_API, token=token_for(emulator))


def scale_sets(emulator: Emulator) -> Any:
    return sdk_client(emulator, ComputeManagementClient, SUB).virtual_machine_scale_sets


def test_a_burst_of_429_carries_the_retry_after_it_was_given_then_ends(fresh_emulator: Emulator) -> None:
    fault = {"path": "*/servers/sql-eus2", "status": 429, "times": 2, "retry_after": 7}
    fresh_emulator.set_scenario({"faults": [fault]})
    answers = [get_server(fresh_emulator) for _ in range(3)]
    assert [(a[0], a[1].get("Retry-After")) for a in answers] == [(429, "7"), (429, "7"), (200, None)]
    assert answers[0][2]["error"]["code"] == "TooManyRequests"


def test_a_reset_fault_drops_the_connection(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario({"faults": [{"path": "*/servers/sql-eus2", "reset": True, "times": 1}]})
    with pytest.raises(OSError):
        get_server(fresh_emulator)
    assert get_server(fresh_emulator)[0] == 200
    assert [e.get("dropped") for e in logged(fresh_emulator, "/servers/sql-eus2")] == ["reset", None]


def test_hang_seconds_answers_late_but_answers(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario({"faults": [{"path": "*/servers/sql-eus2", "hang_seconds": 0.2}]})
    status, _, body = get_server(fresh_emulator)
    assert (status, body["name"]) == (200, "sql-eus2")


def test_hang_seconds_with_reset_holds_then_drops(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario({"faults": [{"path": "*/servers/sql-eus2", "hang_seconds": 0.2, "reset": True}]})
    with pytest.raises(OSError):
        get_server(fresh_emulator)
    assert [e.get("dropped") for e in logged(fresh_emulator, "/servers/sql-eus2")] == ["reset"]


def test_fail_operation_accepts_the_write_then_the_operation_fails(fresh_emulator: Emulator) -> None:
    fault = {"path": "*/virtualMachineScaleSets/worker-cus", "method": "PATCH", "fail_operation": True, "code": "Boom"}
    fresh_emulator.set_scenario({"latencies": {"default": 0}, "faults": [fault]})
    poller = scale_sets(fresh_emulator).begin_update("rg-dr-cus", "worker-cus", {"sku": {"capacity": 2}})
    with pytest.raises(HttpResponseError) as caught:
        poller.result()
    assert caught.value.error is not None and caught.value.error.code == "Boom"
    assert scale_sets(fresh_emulator).get("rg-dr-cus", "worker-cus").properties.provisioning_state == "Failed"


def test_never_complete_leaves_the_operation_in_progress_forever(fresh_emulator: Emulator) -> None:
    fault = {"path": "*/virtualMachineScaleSets/worker-cus", "method": "PATCH", "never_complete": True}
    fresh_emulator.set_scenario({"latencies": {"default": 0}, "faults": [fault]})
    token = token_for(fresh_emulator)
    status, headers, _ = raw(fresh_emulator, "PATCH", WORKER + COMPUTE_API, body={"sku": {"capacity": 2}}, token=token)
    fresh_emulator.advance(10 * 24 * 3600)  # ten emulated days
    poll = raw(fresh_emulator, "GET", headers["Azure-AsyncOperation"].removeprefix(fresh_emulator.url), token=token)
    vmss = raw(fresh_emulator, "GET", WORKER + COMPUTE_API, token=token)[2]
    assert (status, poll[2]["status"], poll[1]["Retry-After"]) == (200, "InProgress", "60")
    assert vmss["properties"]["provisioningState"] == "Updating"


def test_an_operation_fault_counts_only_requests_that_start_an_operation(fresh_emulator: Emulator) -> None:
    fault = {"path": "*/virtualMachineScaleSets/worker-cus", "fail_operation": True, "times": 1}
    fresh_emulator.set_scenario({"latencies": {"default": 0}, "faults": [fault]})
    scale_sets(fresh_emulator).get("rg-dr-cus", "worker-cus")  # a read starts nothing: not one of its times
    with pytest.raises(HttpResponseError):
        scale_sets(fresh_emulator).begin_update("rg-dr-cus", "worker-cus", {"sku": {"capacity": 1}}).result()
    again = scale_sets(fresh_emulator).begin_update("rg-dr-cus", "worker-cus", {"sku": {"capacity": 2}}).result()
    assert (again.sku.capacity, again.properties.provisioning_state) == (2, "Succeeded")


def _affected(plan: Plan, workdir: Path, seed: int) -> list[int]:
    fault = {"path": "*/servers/sql-eus2", "status": 503, "probability": 0.5}
    with Emulator(plan, {"seed": seed, "faults": [fault]}, workdir=workdir) as emu:
        return [get_server(emu)[0] for _ in range(16)]


def test_probabilities_repeat_for_a_seed_and_differ_between_seeds(example_plan: Plan, tmp_path: Path) -> None:
    first, again = _affected(example_plan, tmp_path / "a", 7), _affected(example_plan, tmp_path / "b", 7)
    other = _affected(example_plan, tmp_path / "c", 8)
    assert first == again and first != other
    assert set(first) == {200, 503}  # some requests met the fault, some did not
