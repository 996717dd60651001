"""The alert webhook through `regionshift serve`, with the real Durable client classes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from serve_stack import KEY, Stack

FIXTURES = Path(__file__).parent.parent / "fixtures" / "alerts"


def _alert(name: str) -> bytes:
    return (FIXTURES / f"{name}.json").read_bytes()


@pytest.fixture
def stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    s = Stack(tmp_path, monkeypatch, {})
    yield s
    s.close()


def test_alert_without_a_function_key_is_refused(stack: Stack) -> None:
    assert stack.call("POST", "/api/alerts", _alert("metric_static"), key=None)[0] == 401
    assert stack.call("POST", "/api/alerts", _alert("metric_static"), key="wrong")[0] == 401
    assert stack.host.list_instances() == []


def test_function_key_in_the_query_string_is_accepted(stack: Stack) -> None:
    status, body = stack.call("POST", f"/api/alerts?code={KEY}", _alert("metric_resolved"), key=None)
    assert (status, body["started"]) == (202, [])


def test_malformed_alert_gets_400_with_the_reason(stack: Stack) -> None:
    payload = json.loads(_alert("metric_static"))
    del payload["data"]["essentials"]["firedDateTime"]
    status, body = stack.call("POST", "/api/alerts", json.dumps(payload).encode())
    assert status == 400
    assert body["problems"] == ["data.essentials.firedDateTime: is required"]
    assert stack.call("POST", "/api/alerts", b"{nope")[0] == 400


def test_oversized_request_is_refused_before_any_handler_runs(stack: Stack) -> None:
    status, body = stack.call("POST", "/api/alerts", b"x" * (2 * 1024 * 1024))
    assert status == 413
    assert "over" in body["error"]


def test_resolved_alert_and_unmatched_alert_start_nothing(stack: Stack) -> None:
    status, body = stack.call("POST", "/api/alerts", _alert("metric_resolved"))
    assert (status, body["started"], body["reason"]) == (202, [], "the alert is resolved")
    payload = json.loads(_alert("metric_static"))
    payload["data"]["essentials"]["alertRule"] = "unrelated-rule"
    status, body = stack.call("POST", "/api/alerts", json.dumps(payload).encode())
    assert (status, body["reason"]) == (202, "the alert matches no plan")
    assert stack.host.list_instances() == []


def test_a_burst_of_alerts_starts_exactly_one_run_and_records_the_rest(stack: Stack) -> None:
    bodies = [_alert("metric_static"), _alert("service_health_incident_active")] * 4
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda b: stack.call("POST", "/api/alerts", b), bodies))
    assert all(status == 202 for status, _ in answers)
    started = [s for _, body in answers for s in body["started"]]
    recorded = [r for _, body in answers for r in body["recorded"]]
    assert [s["instance_id"] for s in started] == ["failover-contoso-web"]
    assert [r["action"] for r in recorded] == ["recorded"] * 7
    assert [i.instance_id for i in stack.host.list_instances(name="failover")] == ["failover-contoso-web"]

    def alert_events() -> int:
        history = stack.host.get_history("failover-contoso-web")
        return sum(1 for e in history if e.get("EventType") == 15 and e.get("Name") == "alert") == 8

    stack.wait_for(alert_events, "all eight alerts in the run's history")


def test_status_of_the_started_run_and_the_list(stack: Stack) -> None:
    stack.call("POST", "/api/alerts", _alert("metric_static"))
    status, run = stack.call("GET", "/api/runs/failover-contoso-web")
    assert (status, run["name"], run["instance_id"]) == (200, "failover", "failover-contoso-web")
    status, listing = stack.call("GET", "/api/runs?limit=5")
    assert [r["instance_id"] for r in listing["runs"]] == ["failover-contoso-web"]
    assert stack.call("GET", "/api/runs/nope")[0] == 404
    assert stack.call("GET", "/api/runs?limit=many")[0] == 400


def test_manual_start_is_one_run_per_plan_and_refuses_unknowns(stack: Stack) -> None:
    status, body = stack.call("POST", "/api/plans/contoso-web/failover", {})
    assert (status, body["instance_id"]) == (202, "failover-contoso-web")
    status, body = stack.call("POST", "/api/plans/contoso-web/failover", {})
    assert status == 409
    assert stack.call("POST", "/api/plans/nope/failover")[0] == 404
    assert stack.call("POST", "/api/plans/contoso-web/explode")[0] == 404
    assert stack.call("POST", "/api/plans/contoso-web/failover", b"[1]")[0] in (400, 409)
    assert stack.call("GET", "/api/plans/contoso-web/failover")[0] == 405


def test_the_drill_timer_runs_through_the_admin_api_and_starts_one_drill_per_plan(stack: Stack) -> None:
    assert stack.call("POST", "/admin/functions/drill_schedule", b"", key=None)[0] == 401
    status, body = stack.call("POST", "/admin/functions/drill_schedule", b"")
    assert (status, body) == (202, {"ran": "drill_schedule"})
    status, body = stack.call("POST", "/admin/functions/drill_schedule", b"")  # a tick while it still runs
    assert status == 202
    top_level = [i for i in stack.host.list_instances() if ":" not in i.instance_id]
    assert [(i.instance_id, i.name) for i in top_level] == [("drill-contoso-web", "drill")]
