"""infra/ wires Azure Monitor to the app: an action group that calls /api/alerts in the Common Alert
Schema with a function key kept in Key Vault, a Resource Health alert on the primary's SQL servers
and a Service Health alert for the primary region, both matching what the example plan names."""

from __future__ import annotations

from typing import Any

from bicep import INFRA, bicepparam, parse

from regionshift.azure.regions import display_name
from regionshift.plan import load_plan

ALERTS = INFRA / "modules" / "alerts.bicep"
EXAMPLE = INFRA.parent / "plans" / "example.yaml"


def _resources() -> dict[str, Any]:
    return parse(ALERTS)["resources"]


def _flat(value: Any) -> str:
    return str(value)


def _rule(name: str, only_when: str) -> dict[str, Any]:
    """A conditional resource's config, after checking what it is conditioned on."""
    config = _resources()[name]["config"]
    assert only_when in _flat(config["condition"]), f"{name} is not deployed only when {only_when} is set"
    return dict(config["config"])


def test_the_action_group_calls_the_alert_webhook_in_the_common_alert_schema() -> None:
    group = _resources()["actionGroup"]["config"]
    (receiver,) = group["properties"]["webhookReceivers"]
    assert receiver["useCommonAlertSchema"] is True
    uri = _flat(receiver["serviceUri"])
    assert "/api/alerts?code=" in uri and "alertWebhookKey" in uri and "defaultHostName" in uri


def test_the_webhook_key_is_a_function_key_of_its_own_and_kept_in_key_vault() -> None:
    resources = _resources()
    assert resources["webhookKey"]["type"] == "Microsoft.Web/sites/host/functionKeys"
    assert "alertWebhookKey" in _flat(resources["webhookKey"]["config"]["properties"]["value"])
    secret = resources["webhookKeySecret"]
    assert secret["type"] == "Microsoft.KeyVault/vaults/secrets"
    assert "alertWebhookKey" in _flat(secret["config"]["properties"]["value"])
    params = parse(ALERTS)["parameters"]["alertWebhookKey"]
    assert any(d["type"] == "secure" for d in params["decorators"])


def test_resource_health_alert_on_the_primary_sql_servers() -> None:
    alert = _rule("sqlResourceHealth", "primarySqlServerIds")
    conditions = alert["properties"]["condition"]["allOf"]
    assert {"field": "category", "equals": "ResourceHealth"} in conditions
    assert "Unavailable" in _flat(conditions) and "primarySqlServerIds" in _flat(alert["properties"]["scopes"])
    assert "actionGroup" in _flat(alert["properties"]["actions"])


def test_service_health_alert_for_incidents_in_the_primary_region() -> None:
    alert = _rule("primaryServiceHealth", "primaryRegionDisplayName")
    conditions = alert["properties"]["condition"]["allOf"]
    assert {"field": "category", "equals": "ServiceHealth"} in conditions
    assert {"field": "properties.incidentType", "equals": "Incident"} in conditions
    fields = [c.get("field") for c in conditions]
    assert "properties.impactedServices[*].ImpactedRegions[*].RegionName" in fields
    assert "SQL Database" in _flat(parse(ALERTS)["parameters"]["serviceHealthServices"]["default"])


def test_the_parameters_name_the_example_plans_primary() -> None:
    plan = load_plan(EXAMPLE)
    values = bicepparam()
    group = plan.sql_failover_groups[0]
    expected = (
        f"/subscriptions/{plan.subscription_id}/resourceGroups/{group.resource_group}"
        f"/providers/Microsoft.Sql/servers/{group.server}"
    )
    assert values["primarySqlServerIds"] == [expected]
    assert values["primaryRegionDisplayName"] == display_name(plan.regions.primary)
    modules = parse(INFRA / "main.bicep")["modules"]
    assert modules["alerts"]["detail"]["path"] == "modules/alerts.bicep"
