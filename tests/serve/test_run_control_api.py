"""`POST /api/runs/{instance}/pause|resume|cancel`: the HTTP API steers a run in flight.

The app's own trigger functions run behind serve's FunctionsHost with the real Durable client
(its binding served by the embedded host), against the emulator; what happened is read from the
host's instances and the emulator's request log.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from app_runs import app_host

from regionshift.contracts import RunReport, RunRequest
from regionshift.host import DurableHost, RuntimeStatus
from regionshift.names import Orchestrators
from regionshift.serve import FunctionsHost
from regionshift_emulator.harness import app_on_emulator, example_plan, writes

KEY = "run-control-test-key-0123456789"
RUN = "failover-contoso-web"
SLOW_EVIDENCE = {"data_loss": "allow", "outage_evidence": {"failed_probes": 3, "window_seconds": 3600}}


def wait_until(predicate: Any, what: str, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def call(functions: FunctionsHost, path: str, body: Any = None, key: str | None = KEY) -> tuple[int, Any]:
    headers = {"x-functions-key": key} if key else {}
    raw = json.dumps(body).encode() if body is not None else b""
    answer = functions.handle(
        "POST" if body is not None or path.endswith(("pause", "resume", "cancel")) else "GET", path, headers, raw
    )
    return answer.status, json.loads(answer.body) if answer.body else None


def probing(host: DurableHost) -> bool:
    return any(
        (s.custom_status or {}).get("state") == "probing"
        for s in host.list_instances(prefix=f"{RUN}:")
        if s.name == Orchestrators.SQL_BRANCH
    )


def test_pause_resume_and_cancel_through_the_http_api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import function_app

    plan = example_plan(**SLOW_EVIDENCE)
    with app_on_emulator(plan, {"outage": ["eastus2"]}, tmp_path, monkeypatch) as emu, app_host(tmp_path) as host:
        functions = FunctionsHost(function_app.app, host.serve_client_api(), function_key=KEY)
        try:
            request = RunRequest.new(plan, started_by="test", approved=True)
            host.start_new(Orchestrators.FAILOVER, request.model_dump(mode="json"), instance_id=RUN)
            wait_until(lambda: probing(host), "the SQL branch to probe the primary")

            assert call(functions, f"/api/runs/{RUN}/pause", key=None)[0] == 401
            assert call(functions, "/api/runs/failover-nope/pause")[0] == 404
            assert call(functions, f"/api/runs/{RUN}:readiness/pause")[0] == 400  # a part, not a run
            assert call(functions, f"/api/runs/{RUN}/pause", {"reason": 7})[0] == 400

            status, paused = call(functions, f"/api/runs/{RUN}/pause", {"reason": "a look at the lag"})
            assert status == 202, paused
            assert paused["instances"][0] == RUN and any(":sql" in i for i in paused["instances"])
            wait_until(lambda: host.get_status(RUN).runtime_status is RuntimeStatus.SUSPENDED, "the run to hold")
            shown = functions.handle("GET", f"/api/runs/{RUN}", {"x-functions-key": KEY}, b"")
            assert json.loads(shown.body)["runtime_status"] == "Suspended"
            assert call(functions, f"/api/runs/{RUN}/pause")[0] == 409

            status, resumed = call(functions, f"/api/runs/{RUN}/resume")
            assert status == 202, resumed
            wait_until(lambda: host.get_status(RUN).runtime_status is RuntimeStatus.RUNNING, "the run to go on")

            status, cancelled = call(functions, f"/api/runs/{RUN}/cancel", {"reason": "drill by mistake", "by": "ann"})
            assert status == 202, cancelled
            final = host.wait_for_completion(RUN, timeout=120)
            assert call(functions, f"/api/runs/{RUN}/cancel")[0] == 409
        finally:
            functions.close()
        report = RunReport.model_validate(final.output)
        assert report.cancelled["by"] == "api:ann (unverified)"
        assert report.cancelled["reason"] == "drill by mistake"
        assert {s.status for s in report.steps if s.kind in ("sql", "cosmos", "dns")} == {"skipped"}
        assert [w for w in writes(emu) if "Microsoft.Sql" in w["path"] or "/dnszones/" in w["path"]] == []
