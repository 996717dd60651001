"""Drift: the plan against the estate, through the real SDK clients on the emulator."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml
from estate_tools import add_noise
from typer.testing import CliRunner

from regionshift.azure.clients import default_clients
from regionshift.cli.main import app
from regionshift.contracts import StepOutcome
from regionshift.discovery.drift import check_drift
from regionshift.plan import Plan
from regionshift_emulator.estates import generated_plan, subscription
from regionshift_emulator.harness import EXAMPLE_PLAN, example_plan
from regionshift_emulator.server import Emulator
from regionshift_emulator.services.compute.gallery import set_replica
from regionshift_emulator.services.sql.models import SqlBackend

Start = Callable[..., Emulator]
SUB = "00000000-0000-0000-0000-000000000000"
GROUP = f"/subscriptions/{SUB}/resourceGroups"


def findings(plan: Plan) -> list[StepOutcome]:
    return [c for c in check_drift(default_clients(), plan) if c.status != "succeeded"]


def kinds(plan: Plan) -> list[tuple[str, str]]:
    return [(c.data.get("drift", c.status), c.resource) for c in findings(plan)]


def test_an_estate_seeded_from_the_plan_has_no_drift(estate: Start) -> None:
    estate(example_plan())
    (outcome,) = check_drift(default_clients(), example_plan())
    assert (outcome.action, outcome.status) == ("drift", "succeeded")
    assert outcome.detail == "no drift: the plan covers all 6 pairs discovered"


def test_a_generated_estate_with_noise_has_no_drift(estate: Start) -> None:
    plan = generated_plan(100, subscriptions=3)
    add_noise(estate(plan), subscription(1))
    (outcome,) = check_drift(default_clients(), plan)
    assert outcome.status == "succeeded", outcome.detail


def test_a_failover_group_added_in_the_primary_is_not_in_the_plan(estate: Start) -> None:
    emulator = estate(example_plan())
    sql = emulator.state.backend(SqlBackend)
    primary = emulator.state.store.require(f"{GROUP}/rg-data-eus2/providers/Microsoft.Sql/servers/sql-eus2")
    partner = emulator.state.store.require(f"{GROUP}/rg-dr-cus/providers/Microsoft.Sql/servers/sql-cus")
    sql.add_failover_group(primary, partner, "fg-billing", [])
    (finding,) = findings(example_plan())
    assert (finding.data["drift"], finding.resource) == ("not_in_plan", "failover group fg-billing on sql-eus2")
    assert finding.data["entry"]["partner_server"] == "sql-cus"
    assert "pairs eastus2 with centralus but is not in the plan" in finding.detail


def test_resources_of_the_plan_that_are_gone_are_missing(estate: Start) -> None:
    emulator = estate(example_plan())
    store = emulator.state.store
    store.delete(f"{GROUP}/rg-dr-cus/providers/Microsoft.DocumentDB/databaseAccounts/cosmos-orders")
    store.delete(f"{GROUP}/rg-dr-cus/providers/Microsoft.Compute/virtualMachineScaleSets/worker-cus")
    store.delete(f"{GROUP}/rg-dr-cus/providers/Microsoft.Network/dnsZones/contoso.com/A/api")
    found = kinds(example_plan())
    assert ("missing", f"{GROUP}/rg-dr-cus/providers/Microsoft.Compute/virtualMachineScaleSets/worker-cus") in found
    assert ("missing", f"{GROUP}/rg-dr-cus/providers/Microsoft.DocumentDB/databaseAccounts/cosmos-orders") in found
    assert ("missing", "api.contoso.com A") in found
    assert len(found) == 3, found  # worker-eus2 is still the plan's `worker`: no second finding


def test_an_image_replica_gone_from_the_secondary_is_replica_missing(estate: Start) -> None:
    emulator = estate(example_plan())
    set_replica(emulator.state.store, str(example_plan().scale_sets[0].image), "centralus", None)
    found = findings(example_plan())
    assert ("replica_missing", str(example_plan().scale_sets[0].image)) in [
        (c.data.get("drift"), c.resource) for c in found
    ]


def test_a_partner_that_changed_is_reported(estate: Start) -> None:
    estate(example_plan())
    data = example_plan().model_dump(mode="json")
    data["sql_failover_groups"][0]["partner_server"] = "sql-cus-old"
    (finding,) = findings(Plan.model_validate(data))
    assert finding.data["drift"] == "changed"
    assert "the plan names partner sql-cus-old" in finding.detail


def test_during_an_outage_of_the_primary_nothing_is_called_missing(estate: Start) -> None:
    estate(example_plan(), {"outage": ["eastus2"]})
    found = findings(example_plan())
    assert [c for c in found if c.data.get("drift") == "missing"] == []
    assert all(c.status == "skipped" for c in found), found  # unknown: the primary does not answer


def run_check(tmp_path: Path, plan_path: Path, *extra: str) -> object:
    return CliRunner().invoke(app, ["check", str(plan_path), "--report-dir", str(tmp_path / "reports"), *extra])


def test_check_drift_fails_on_drift_and_warns_when_drift_is_advisory(estate: Start, tmp_path: Path) -> None:
    emulator = estate(example_plan())
    emulator.state.store.delete(f"{GROUP}/rg-dr-cus/providers/Microsoft.Network/dnsZones/contoso.com/A/api")
    failing = run_check(tmp_path, EXAMPLE_PLAN, "--drift")
    assert failing.exit_code == 1, failing.output  # type: ignore[attr-defined]
    assert "drift" in failing.output and "api.contoso.com A" in failing.output  # type: ignore[attr-defined]
    data = yaml.safe_load(EXAMPLE_PLAN.read_text())
    data["policy"]["advisory_checks"] = ["drift", "dns_record"]
    advisory = tmp_path / "advisory.yaml"
    advisory.write_text(yaml.safe_dump(data))
    warned = run_check(tmp_path, advisory, "--drift")
    assert warned.exit_code == 0, warned.output  # type: ignore[attr-defined]
    assert "FAIL (advisory)" in warned.output  # type: ignore[attr-defined]


def test_check_without_drift_does_not_read_the_estate(estate: Start, tmp_path: Path) -> None:
    emulator = estate(example_plan())
    result = run_check(tmp_path, EXAMPLE_PLAN)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    listed = [e for e in emulator.state.request_log if e["path"].endswith("/virtualMachineScaleSets")]
    assert listed == []
