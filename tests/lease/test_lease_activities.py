"""The lease activities on the embedded Durable host: two hosts, two state folders, one plan.

A small orchestration stands in for a run (the lead wires the activities into failover, failback and
drill): it takes the lease, waits until told to finish, and lets the lease go. Two hosts with
different state folders must exclude each other, which is what the local lease folder is for.
"""

from __future__ import annotations

import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

import azure.durable_functions as df
import pytest

import activities.lease
from regionshift.host import DurableHost
from regionshift.names import Activities

runs = df.Blueprint()


@runs.orchestration_trigger(context_name="context")
def leased_run(context: df.DurableOrchestrationContext) -> Generator[Any, Any, dict[str, Any]]:
    request = context.get_input()
    taken = yield context.call_activity(Activities.ACQUIRE_RUN_LEASE, request)
    if not taken["granted"]:
        return {"acquired": taken}
    yield context.wait_for_external_event("finish")
    released = yield context.call_activity(Activities.RELEASE_RUN_LEASE, request)
    return {"acquired": taken, "released": released}


def lease_app() -> df.DFApp:
    app = df.DFApp()
    app.register_functions(activities.lease.bp)
    app.register_functions(runs)
    return app


def run_request(plan: dict[str, Any], run_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "plan": plan,
        "operation": "failover",
        "instance_id": "failover-contoso-web",
        "run_id": run_id,
        "started_by": "cli:test",
        **extra,
    }


def test_two_hosts_with_their_own_state_folders_exclude_each_other(
    plan_context: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REGIONSHIFT_LEASE_DIR", str(tmp_path / "leases"))
    lease_file = tmp_path / "leases" / "contoso-web.lease"
    with (
        DurableHost(lease_app(), tmp_path / "laptop-a" / "durable.sqlite") as first,
        DurableHost(lease_app(), tmp_path / "laptop-b" / "durable.sqlite") as second,
    ):
        first.start_new("leased_run", run_request(plan_context, "run-a"), instance_id="failover-contoso-web")
        deadline = time.monotonic() + 60  # a bound on waiting for the first run's lease, not a speed target
        while not lease_file.exists():
            assert time.monotonic() < deadline, "the first run never took the lease"
            time.sleep(0.02)
        refused = second.start_new("leased_run", run_request(plan_context, "run-b"), instance_id="failover-contoso-web")
        outcome = second.wait_for_completion(refused, timeout=60).output["acquired"]
        assert (outcome["granted"], outcome["holder"]["run_id"]) == (False, "run-a")
        assert "held by failover run run-a" in outcome["detail"]

        first.raise_event("failover-contoso-web", "finish")
        done = first.wait_for_completion("failover-contoso-web", timeout=60).output
        assert done["acquired"]["granted"] and done["released"]["released"]
        assert not lease_file.exists()


def test_bad_input_is_a_refusal_with_one_line_not_an_error(plan_context: dict[str, Any]) -> None:
    outcome = activities.lease.acquire_run_lease(run_request(plan_context, ""))
    assert (outcome["granted"], outcome["error"]) == (False, True)
    assert outcome["detail"].startswith("bad lease request: run_id: String should have at least 1 character")
    assert activities.lease.release_run_lease({"plan": {}})["detail"].startswith("bad lease request: ")
