"""The approval request and page carry the failover's RTO forecast, against the plan's target."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from serve_stack import Stack

from regionshift.approvals.wire import ApprovalInput
from regionshift.names import Orchestrators
from triggers.common import load_plans

APPROVAL_ID = "failover-contoso-web:approval"


@pytest.fixture
def stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    monkeypatch.setenv("REGIONSHIFT_REPORT_DIR", str(tmp_path / "no-reports"))  # no history: documented figures
    s = Stack(tmp_path, monkeypatch, {"rto_target_minutes": 10})
    yield s
    s.close()


def _request(stack: Stack, forced: bool) -> dict[str, Any]:
    plan = load_plans()["contoso-web"]
    args = ApprovalInput(plan=plan.model_dump(mode="json"), run_instance_id="failover-contoso-web", forced=forced)
    stack.host.start_new(Orchestrators.APPROVAL, args.model_dump(mode="json"), instance_id=APPROVAL_ID)
    stack.wait_for(lambda: stack.hooks.posts, "the approval request on the webhook")
    return stack.hooks.posts[-1]


def test_the_request_and_the_page_show_the_forecast_and_that_it_is_over_the_target(stack: Stack) -> None:
    request = _request(stack, forced=True)
    forecast = request["forecast"]
    # Cosmos DB's documented bound (15 min) is the critical path; the target is 10 min.
    assert forecast["over_target"] is True and forecast["target_seconds"] == 600
    assert forecast["critical"] == "1 Cosmos DB account(s)"
    assert forecast["summary"].startswith("forecast RTO p50 ")
    stack.wait_for(
        lambda: (stack.host.get_status(APPROVAL_ID).custom_status or {}).get("phase") == "awaiting_approval",
        "the approval to wait",
    )
    link = urlsplit(request["links"]["approve"][0])
    status, page = stack.call("GET", f"{link.path}?{link.query}", key=None)
    assert status == 200
    assert "Forecast: RTO p50" in page and "OVER the target of 10.0 min" in page
    assert "exceeds the RTO target" in page
