"""A plan of 300 resources fails over on the embedded host, within the Durable extension's limits.

The host enforces what Azure's extension enforces (custom status at most 16 KB, the function
timeout of host.json, ...): a large plan that passed here without them could fail in Azure after
the data moved. Branches go in batches, so no history grows with the plan.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from app_runs import app_host

from regionshift.contracts import RunReport, RunRequest
from regionshift.names import Orchestrators
from regionshift_emulator.estates import generated_plan
from regionshift_emulator.harness import app_on_emulator

QUOTA = {"standardDSv5Family": 10**6, "cores": 10**6}


def test_a_plan_of_300_resources_fails_over_within_the_extensions_limits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = generated_plan(300)
    with app_on_emulator(plan, {"outage": [plan.regions.primary], "quotas": QUOTA}, tmp_path, monkeypatch) as emu:
        with app_host(tmp_path) as host:  # bounded by host.json, as the Functions host is
            request = RunRequest.new(plan, approved=True, started_by="test")
            host.start_new(Orchestrators.FAILOVER, request.model_dump(mode="json"), "failover-300")
            status = host.wait_for_completion("failover-300", timeout=900)
            parent_events = len(host.get_history("failover-300"))
        assert status.output is not None, status.failure
        report = RunReport.model_validate(status.output)
        assert report.status == "succeeded", report.reason
        state = emu.state.snapshot()
        sql = state["services"]["sql"]
        assert len(sql) == len(plan.sql_failover_groups)
        assert all("-cus-" in g["primary"] for g in sql.values())  # every primary is now in the secondary
        cosmos = state["services"]["cosmos"]
        assert {a["write_region"] for a in cosmos.values()} == {"centralus"}
        assert len([s for s in report.steps if s.kind == "dns" and s.status == "succeeded"]) == len(plan.dns_records)
    # Batches of 25: the run's own history stays short whatever the plan's size.
    assert parent_events < 200, parent_events
