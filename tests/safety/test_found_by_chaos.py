"""Safety bugs the chaos suite (reliability/) found, each pinned where it was found: on the embedded
host against the emulator, checked through the emulator's request log and state."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_runs import run_app

from regionshift_emulator.harness import app_on_emulator, example_plan, writes


def test_a_failover_stops_before_any_write_when_the_secondarys_cosmos_region_does_not_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only Cosmos DB is down in the secondary. ARM still answers for the account, so its metadata
    looked ready, and the failover moved SQL and built compute before the Cosmos branch found its
    target silent: data split between the regions. The readiness check now asks the target region
    itself, so nothing is written."""
    plan = example_plan(data_loss="allow")
    outage = [{"region": "centralus", "services": ["cosmos"]}]
    with app_on_emulator(plan, {"outage": outage}, tmp_path, monkeypatch) as emu:
        report = run_app(plan, tmp_path)
        assert report.status == "failed"
        assert "stopped before any write" in report.reason and "cosmos-orders" in report.reason
        assert writes(emu) == []
        (cosmos,) = [c for c in report.readiness if c.action == "cosmos_regions"]
        assert cosmos.status == "skipped" and cosmos.data["answered"] is False

