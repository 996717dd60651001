"""The split-brain guard end to end: every branch succeeded, but right before DNS moves the guard
reads the targets again, finds one no longer in the secondary, and DNS stays on the primary.
(The rule on its own: tests/safety/test_rules.py::test_dns_moves_only_when_every_reading_is_in_the_target.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from app_runs import app_host
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.compute.models import VirtualMachineScaleSetUpdate

from regionshift.contracts import RunReport, RunRequest
from regionshift.names import Orchestrators
from regionshift_emulator.harness import app_on_emulator, example_plan, writes
from regionshift_emulator.testing import sdk_client, wait_until

SUB = "00000000-0000-0000-0000-000000000000"


def test_a_target_that_moves_after_its_branch_succeeded_keeps_dns_on_the_primary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = example_plan()
    # The SQL failover takes 10 s, so the scale set's branch has ended long before the guard runs.
    with app_on_emulator(plan, {"latencies": {"default": 0, "sql.failover": 10}}, tmp_path, monkeypatch) as emu:
        with app_host(tmp_path) as host:
            request = RunRequest.new(plan, started_by="test", approved=True).model_dump(mode="json")
            host.start_new(Orchestrators.FAILOVER, request, "failover-1")
            wait_until(
                lambda: (s := host.get_status("failover-1:compute:scale-worker")) is not None and s.is_terminal,
                timeout=60,
                what="the worker scale set's branch to end",
            )
            assert not writes(emu, "/dnszones/")
            # Someone else scales the worker tier back to zero while SQL is still failing over.
            scale_sets = sdk_client(emu, ComputeManagementClient, SUB).virtual_machine_scale_sets
            update = VirtualMachineScaleSetUpdate({"sku": {"capacity": 0}})
            scale_sets.begin_update("rg-dr-cus", "worker-cus", update).result()
            status = host.wait_for_completion("failover-1", timeout=120)
        report = RunReport.model_validate(status.output)
        branches = [s for s in report.steps if s.kind in ("sql", "cosmos", "scale_set", "resource_group")]
        assert branches and all(s.ok for s in branches), branches
        (guard,) = [s for s in report.steps if s.action == "split_brain_guard"]
        assert guard.status == "failed" and "worker" in guard.detail
        assert {s.status for s in report.steps if s.kind == "dns"} == {"skipped"}
        assert report.status == "failed"
        assert writes(emu, "/dnszones/") == []
