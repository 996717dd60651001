"""The forecast against what a failover then measures, on the emulator with a scenario's latencies.

A first failover (the history) runs on one emulator; the forecast of the next is made, as `regionshift
plan` makes it, from a dry run on a fresh emulator with the same scenario and the first run's report;
then the next failover runs there and its RTO is measured. The forecast's p50 must land within 20%
of it, for a planned failover (every region up) and a forced one (the primary down: the evidence
window, then the data-loss actions). Host and emulator run on the same compressed clock (60x, as
`--simulate` does), so the latencies are Azure-sized and the runs take seconds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from app_runs import run_app

from regionshift.azure.clients import default_clients
from regionshift.azure.dryrun import preview_plan
from regionshift.forecast import dns_ttl, forecast, history_from_reports
from regionshift.forecast_history import recent_reports
from regionshift_emulator.harness import app_on_emulator, example_plan

LATENCIES = {
    "default": 0,
    "sql.failover": 120,
    "sql.forceFailover": 45,
    "cosmos.failoverPriorityChange": 240,
    "cosmos.offlineRegion": 90,
    "compute.vmss.create": 360,
    "compute.vmss.update": 150,
}
SCENARIOS: dict[str, dict[str, Any]] = {
    "planned": {"speed": 60, "latencies": LATENCIES},
    "forced": {"speed": 60, "latencies": LATENCIES, "outage": ["eastus2"]},
}


@pytest.mark.parametrize("case", sorted(SCENARIOS))
def test_the_forecast_lands_within_20_percent_of_the_measured_rto(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = example_plan(rto_target_minutes=30)
    scenario = SCENARIOS[case]
    first_dir, second_dir = tmp_path / "first", tmp_path / "second"
    with app_on_emulator(plan, scenario, first_dir, monkeypatch):
        first = run_app(plan, first_dir, instance_id="failover-contoso-web", timeout=300)
    assert first.status == "succeeded", first.reason
    history = history_from_reports(recent_reports(plan.context(), first_dir / "reports"))
    assert history["scale_set.create"] and history["phase.start"]

    with app_on_emulator(plan, scenario, second_dir, monkeypatch):
        predicted = forecast(plan, preview_plan(default_clients(), plan), history, dns_ttl=dns_ttl(plan))
        second = run_app(plan, second_dir, instance_id="failover-contoso-web", timeout=300)
    assert second.status == "succeeded", second.reason
    measured = second.rto_seconds
    assert measured is not None
    assert abs(predicted.p50_seconds - measured) <= 0.2 * measured, (predicted.model_dump(), measured)
    assert predicted.p50_seconds <= predicted.p90_seconds
    assert all(leg.samples > 0 for leg in predicted.legs), predicted.legs  # every figure is from the history
    assert second.rto_target_seconds == 1800 and not predicted.over_target
