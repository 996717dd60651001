"""Matching alerts to plans through `triggers.alerts`."""

import json
from pathlib import Path

import yaml

from regionshift.alerts import match_plans, parse_alert, read_signal
from regionshift.plan import parse_plan

FIXTURES = Path(__file__).parent.parent / "fixtures"
EXAMPLE = (Path(__file__).parent.parent.parent / "plans" / "example.yaml").read_text()
SUB = "aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e"
VM = f"/subscriptions/{SUB}/resourceGroups/test-RG/providers/Microsoft.Compute/virtualMachines/test-VM"


def _plan(name: str, triggers: dict, primary: str = "eastus2"):
    data = yaml.safe_load(EXAMPLE)
    data["name"] = name
    data["regions"]["primary"] = primary
    data["triggers"] = triggers
    return parse_plan(yaml.safe_dump(data))


def _signal(name: str, **essentials):
    payload = json.loads((FIXTURES / "alerts" / f"{name}.json").read_text())
    payload["data"]["essentials"].update(essentials)
    return read_signal(parse_alert(json.dumps(payload)))


def test_rule_name_matches_case_insensitively_and_rule_id_by_its_last_segment() -> None:
    by_name = _plan("a", {"alerts": {"rules": ["TEST-RULE"]}})
    rule_id = f"/subscriptions/{SUB}/resourceGroups/rg/providers/microsoft.insights/metricAlerts/test-rule"
    by_id = _plan("b", {"alerts": {"rules": [rule_id]}})
    other = _plan("c", {"alerts": {"rules": ["another-rule"]}})
    matched = match_plans(_signal("metric_static"), [by_name, by_id, other])
    assert [p.name for p, _ in matched] == ["a", "b"]


def test_target_resource_id_matches_regardless_of_case() -> None:
    plan = _plan("a", {"alerts": {"targets": [VM]}})
    assert match_plans(_signal("metric_static", alertRule="x"), [plan])[0][1] == f"target {VM}"


def test_service_health_matches_the_primary_region_by_default() -> None:
    plan = _plan("a", {"alerts": {"service_health": {"services": ["SQL Database"]}}})
    elsewhere = _plan("b", {"alerts": {"service_health": {}}}, primary="westeurope")
    matched = match_plans(_signal("service_health_incident_active"), [plan, elsewhere])
    assert [(p.name, why) for p, why in matched] == [("a", "service health: SQL Database in East US 2")]


def test_service_health_for_another_service_does_not_match() -> None:
    plan = _plan("a", {"alerts": {"service_health": {"services": ["Azure Cosmos DB"]}}})
    assert match_plans(_signal("service_health_incident_active"), [plan]) == []


def test_plan_without_triggers_matches_nothing() -> None:
    data = yaml.safe_load(EXAMPLE)
    assert match_plans(_signal("metric_static"), [parse_plan(yaml.safe_dump(data))]) == []
