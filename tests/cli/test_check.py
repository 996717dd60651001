"""`regionshift check`: a table of pass/fail with reasons, a report, and the exit code that says
whether a required check failed. Run in process against an emulator the test holds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from regionshift.cli.main import app
from regionshift.plan import load_plan
from regionshift_emulator.harness import EXAMPLE_PLAN, app_on_emulator, example_plan, writes

DENIED = "Microsoft.DocumentDB/databaseAccounts/failoverPriorityChange/action"


def run_check(tmp_path: Path, plan_path: Path = EXAMPLE_PLAN, *extra: str) -> Any:
    args = ["check", str(plan_path), "--report-dir", str(tmp_path / "reports"), *extra]
    return CliRunner().invoke(app, args)


def test_all_checks_pass_exit_0_with_a_table_and_a_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with app_on_emulator(example_plan(), None, tmp_path, monkeypatch) as emu:
        result = run_check(tmp_path)
        assert writes(emu) == []
    assert result.exit_code == 0, result.output
    assert "Readiness checks" in result.output
    assert "contoso-web: ready" in result.output
    assert "15 passed, 0 failed, 0 unknown of 15" in result.output
    (report,) = (tmp_path / "reports").glob("check-contoso-web-*.json")
    body = json.loads(report.read_text())
    assert body["operation"] == "check" and body["status"] == "succeeded"
    assert len(body["readiness"]) == 15


def test_a_failing_required_check_exits_1_and_names_the_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with app_on_emulator(example_plan(), {"missing_permissions": [DENIED]}, tmp_path, monkeypatch):
        result = run_check(tmp_path, EXAMPLE_PLAN, "--json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["status"] == "failed"
    assert DENIED in report["reason"]


def test_a_failing_advisory_check_exits_0(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = yaml.safe_load(EXAMPLE_PLAN.read_text())
    data["policy"]["advisory_checks"] = ["permissions"]
    plan_path = tmp_path / "advisory.yaml"
    plan_path.write_text(yaml.safe_dump(data))
    with app_on_emulator(example_plan(), {"missing_permissions": [DENIED]}, tmp_path, monkeypatch):
        result = run_check(tmp_path, plan_path)
    assert result.exit_code == 0, result.output
    assert "FAIL (advisory)" in result.output


def test_an_unknown_advisory_check_name_is_bad_input(tmp_path: Path) -> None:
    data = yaml.safe_load(EXAMPLE_PLAN.read_text())
    data["policy"]["advisory_checks"] = ["quota"]
    plan_path = tmp_path / "typo.yaml"
    plan_path.write_text(yaml.safe_dump(data))
    result = run_check(tmp_path, plan_path)
    assert result.exit_code == 2
    assert "advisory_checks" in result.output


def test_simulate_checks_a_seeded_emulator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGIONSHIFT_STATE_DIR", str(tmp_path / "state"))
    result = run_check(tmp_path, EXAMPLE_PLAN, "--simulate")
    assert result.exit_code == 0, result.output


def test_a_secondary_that_does_not_answer_is_not_ready_and_nothing_unknown_counts_as_passed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with app_on_emulator(example_plan(), {"outage": ["centralus"]}, tmp_path, monkeypatch):
        result = run_check(tmp_path)
        as_json = run_check(tmp_path, EXAMPLE_PLAN, "--json")
    assert result.exit_code == 1, result.output
    assert "unknown that a failover into centralus depends on" in result.output
    report = json.loads(as_json.stdout)
    unknown = [c for c in report["readiness"] if c["status"] == "skipped"]
    passed = [c for c in report["readiness"] if c["status"] == "succeeded"]
    assert unknown and f"{len(passed)} passed, 0 failed, {len(unknown)} unknown of 15" in result.output
    assert report["status"] == "failed" and "unknown: " in report["reason"]


def test_a_plan_in_the_old_layout_is_not_ready_and_is_told_how_to_fix_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Cosmos DB and DNS in a group homed in the primary: a failover could not change them in an outage.
    data = yaml.safe_load(EXAMPLE_PLAN.read_text())
    data["cosmos_accounts"][0]["resource_group"] = "rg-data-eus2"
    for record in data["dns_records"]:
        record["resource_group"] = "rg-data-eus2"
    plan_path = tmp_path / "old.yaml"
    plan_path.write_text(yaml.safe_dump(data))
    with app_on_emulator(load_plan(plan_path), None, tmp_path, monkeypatch):
        result = run_check(tmp_path, plan_path, "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    (homed,) = [c for c in report["readiness"] if c["action"] == "resource_group_region" and c["status"] == "failed"]
    assert homed["data"]["holds"] == ["Cosmos DB account cosmos-orders", "DNS zone contoso.com"]
    assert "rg-data-eus2 is homed in eastus2, the primary" in report["reason"]
