"""`regionshift plan`: the dry run shows what a failover would do now and changes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from regionshift.cli.main import app
from regionshift_emulator.harness import EXAMPLE_PLAN, app_on_emulator, example_plan, writes

OUTAGE = {"outage": ["eastus2"]}


def dry_run(plan_path: Path = EXAMPLE_PLAN) -> tuple[int, list[dict[str, Any]]]:
    result = CliRunner().invoke(app, ["plan", str(plan_path), "--json"])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)["steps"]


def by_kind(steps: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [s for s in steps if s["kind"] == kind]


def test_plan_makes_no_write_request(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with app_on_emulator(example_plan(), OUTAGE, tmp_path, monkeypatch) as emu:
        result = CliRunner().invoke(app, ["plan", str(EXAMPLE_PLAN)])
        assert result.exit_code == 0, result.output
        assert len(emu.state.request_log) > 0  # it did read
        assert writes(emu) == []
    assert "nothing was changed (dry run)" in result.output


def test_both_regions_up_every_data_step_is_planned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with app_on_emulator(example_plan(), None, tmp_path, monkeypatch):
        code, steps = dry_run()
    assert code == 0
    assert [(s["action"], s["forced"], s["status"]) for s in by_kind(steps, "sql") + by_kind(steps, "cosmos")] == [
        ("planned_failover", False, "to_do"),
        ("planned_failover", False, "to_do"),
    ]
    assert [s["status"] for s in by_kind(steps, "dns")] == ["to_do", "to_do"]


def test_primary_outage_with_data_loss_allowed_shows_forced_steps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with app_on_emulator(example_plan(), OUTAGE, tmp_path, monkeypatch):
        code, steps = dry_run()
    assert code == 0
    assert [(s["action"], s["forced"]) for s in by_kind(steps, "sql") + by_kind(steps, "cosmos")] == [
        ("forced_failover", True),
        ("forced_failover", True),
    ]
    assert {s["action"]: s["status"] for s in by_kind(steps, "scale_set")} == {"scale": "to_do", "create": "to_do"}


def test_primary_outage_with_data_loss_forbidden_would_fail_and_keeps_dns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = yaml.safe_load(EXAMPLE_PLAN.read_text())
    data["policy"]["data_loss"] = "forbid"
    plan_path = tmp_path / "forbid.yaml"
    plan_path.write_text(yaml.safe_dump(data))
    with app_on_emulator(example_plan(), OUTAGE, tmp_path, monkeypatch):
        code, steps = dry_run(plan_path)
    assert code == 1
    assert [s["status"] for s in by_kind(steps, "sql") + by_kind(steps, "cosmos")] == ["would_fail", "would_fail"]
    assert [s["status"] for s in by_kind(steps, "dns")] == ["skipped", "skipped"]


def test_after_a_failover_every_step_is_already_done(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from regionshift.cli.runs import run_quietly
    from regionshift.names import Orchestrators
    from regionshift.settings import Settings

    plan = example_plan()
    with app_on_emulator(plan, None, tmp_path, monkeypatch):
        # A real failover on the embedded host (planned: every region answers), then the dry run.
        assert run_quietly(Orchestrators.FAILOVER, "failover-setup", plan, Settings.from_env()).status == "succeeded"
        code, steps = dry_run()
    assert code == 0
    assert {s["status"] for s in steps} == {"already_done"}
