"""`regionshift plan` shows the RTO forecast: from `--report-dir`'s reports of the plan, else
documented figures, and a warning when its p90 exceeds the plan's target."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from regionshift.cli.main import app
from regionshift.contracts import RunReport, StepOutcome
from regionshift_emulator.harness import EXAMPLE_PLAN, app_on_emulator, example_plan


def test_the_dry_run_forecasts_from_earlier_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    earlier = RunReport(
        operation="drill",
        plan="contoso-web",
        instance_id="drill-contoso-web",
        status="succeeded",
        started_at=t0,
        steps=[
            StepOutcome(
                kind="scale_set",
                resource="web",
                action="create",
                status="succeeded",
                started_at=t0 + timedelta(seconds=20),
                ended_at=t0 + timedelta(seconds=1220),
            )
        ],
    )
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "drill-contoso-web-20260101T000000Z.json").write_text(earlier.model_dump_json())
    with app_on_emulator(example_plan(), None, tmp_path / "emu", monkeypatch):
        result = CliRunner().invoke(app, ["plan", str(EXAMPLE_PLAN), "--json", "--report-dir", str(reports)])
    assert result.exit_code == 0, result.output
    forecast = json.loads(result.stdout)["forecast"]
    compute = next(leg for leg in forecast["legs"] if leg["phase"] == "fan_out")
    assert compute["key"] == "resource_group.create+scale_set.create"
    assert compute["p50_seconds"] == 5 + 1200  # the group's documented figure, then the drill's 1200 s
    start = forecast["legs"][0]
    assert (start["key"], start["p50_seconds"], start["samples"]) == ("phase.start", 20.0, 1)


def test_the_dry_run_warns_when_the_p90_exceeds_the_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = yaml.safe_load(EXAMPLE_PLAN.read_text())
    data["policy"]["rto_target_minutes"] = 5
    plan_path = tmp_path / "plan.yaml"
    plan_path.write_text(yaml.safe_dump(data))
    with app_on_emulator(example_plan(), None, tmp_path / "emu", monkeypatch):
        result = CliRunner().invoke(app, ["plan", str(plan_path), "--report-dir", str(tmp_path / "none")])
    assert result.exit_code == 0, result.output
    assert "RTO forecast (critical path)" in result.output
    assert "OVER the target of 5.0 min" in result.output
    assert "note: the p90 (" in result.output and "exceeds the RTO target (5.0 min)" in result.output
