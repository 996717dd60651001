"""Parsing Common Alert Schema payloads: every Microsoft sample shape parses; bad input gets reasons."""

import json
from pathlib import Path

import pytest

from regionshift.alerts import MAX_ALERT_BYTES, AlertPayloadError, parse_alert, read_signal

SAMPLES = sorted((Path(__file__).parent.parent / "fixtures" / "alerts").glob("*.json"))


def _sample(name: str) -> dict:
    return json.loads((Path(__file__).parent.parent / "fixtures" / "alerts" / f"{name}.json").read_text())


@pytest.mark.parametrize("path", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_every_sample_parses_and_classifies(path: Path) -> None:
    alert = parse_alert(path.read_bytes())
    signal = read_signal(alert)
    assert signal.alert_id == alert.data.essentials.alert_id
    assert signal.reason


@pytest.mark.parametrize(
    ("name", "actionable", "kind"),
    [
        ("metric_resolved", False, "metric"),
        ("metric_static", True, "metric"),
        ("log_v2", True, "log"),
        ("resource_health_platform_unavailable", True, "resource_health"),
        ("resource_health_available", False, "resource_health"),
        ("resource_health_user_initiated", False, "resource_health"),
        ("service_health_incident_active", True, "service_health"),
        ("service_health_test_action_resolved", False, "service_health"),
        ("service_health_maintenance", False, "service_health"),
    ],
)
def test_resolved_and_recovery_alerts_are_not_actionable(name: str, actionable: bool, kind: str) -> None:
    signal = read_signal(parse_alert(json.dumps(_sample(name))))
    assert (signal.kind, signal.actionable) == (kind, actionable)


def test_service_health_regions_come_from_the_string_encoded_impacted_services() -> None:
    signal = read_signal(parse_alert(json.dumps(_sample("service_health_incident_active"))))
    assert signal.service == "SQL Database"
    assert signal.regions == ("East US 2",)
    assert signal.tracking_id == "ABCD-123"


def _problems(body: bytes | str) -> list[str]:
    with pytest.raises(AlertPayloadError) as info:
        parse_alert(body)
    return info.value.problems


def test_oversized_payload_is_refused_before_parsing() -> None:
    problems = _problems(b" " * (MAX_ALERT_BYTES + 1))
    assert problems == [f"payload is {MAX_ALERT_BYTES + 1} bytes; the limit is {MAX_ALERT_BYTES}"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"", "payload is empty"),
        (b"{not json", "payload is not valid JSON"),
        (b"\xff\xfe", "payload is not UTF-8 text"),
        (b"[1, 2]", "payload must be a JSON object"),
        (b'{"schemaId": "a", "schemaId": "b"}', "duplicate key 'schemaId'"),
        (b"[" * 5000 + b"]" * 5000, "payload is not valid JSON"),
    ],
)
def test_malformed_bodies_say_what_is_wrong(body: bytes, expected: str) -> None:
    assert expected in _problems(body)[0]


def test_wrong_schema_id_names_the_fix() -> None:
    payload = _sample("metric_static")
    payload["schemaId"] = "Microsoft.Insights/activityLogs"
    assert "enable the common alert schema" in _problems(json.dumps(payload))[0]


def test_missing_and_mistyped_essentials_are_listed_by_path() -> None:
    payload = _sample("metric_static")
    del payload["data"]["essentials"]["alertId"]
    payload["data"]["essentials"]["monitorCondition"] = "Maybe"
    payload["data"]["essentials"]["firedDateTime"] = "yesterday"
    problems = _problems(json.dumps(payload))
    assert "data.essentials.alertId: is required" in problems
    assert "data.essentials.monitorCondition: must be one of 'Fired' or 'Resolved'" in problems
    assert any(p.startswith("data.essentials.firedDateTime:") for p in problems)


def test_unknown_top_level_key_is_refused_but_unknown_essentials_are_tolerated() -> None:
    payload = _sample("metric_static")
    payload["data"]["essentials"]["newFieldAzureAddedLater"] = "x"
    parse_alert(json.dumps(payload))
    payload["extra"] = 1
    assert _problems(json.dumps(payload)) == ["extra: unknown key (the common schema has only schemaId and data here)"]


def test_resource_health_without_health_status_is_refused_with_the_path() -> None:
    payload = _sample("resource_health_platform_unavailable")
    del payload["data"]["alertContext"]["properties"]["currentHealthStatus"]
    alert = parse_alert(json.dumps(payload))
    with pytest.raises(AlertPayloadError) as info:
        read_signal(alert)
    assert info.value.problems == ["data.alertContext.properties.currentHealthStatus: is required"]


def test_service_health_with_undecodable_impacted_services_is_refused() -> None:
    payload = _sample("service_health_incident_active")
    payload["data"]["alertContext"]["properties"]["impactedServices"] = "[{oops"
    with pytest.raises(AlertPayloadError) as info:
        read_signal(parse_alert(json.dumps(payload)))
    assert "impactedServices" in info.value.problems[0]
