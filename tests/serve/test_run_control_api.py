"""`POST /api/runs/{instance}/pause|resume|cancel`: the HTTP API steers a run in flight.

The app's own trigger functions run behind serve's FunctionsHost with the real Durable client
(its binding served by the embedded host), against the emulator; what happened is read from the
host's instances and the emulator's request log.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from app_runs import probing_failover, wait_until

from regionshift.contracts import RunReport
from regionshift.host import RuntimeStatus
from regionshift.serve import FunctionsHost
from regionshift_emulator.harness import writes

KEY = "run-control-test-key-0123456789"
RUN = "failover-contoso-web"


def call(functions: FunctionsHost, path: str, body: Any = None, key: str | None = KEY) -> tuple[int, Any]:
    headers = {"x-functions-key": key} if key else {}
    raw = json.dumps(body).encode() if body is not None else b""
    answer = functions.handle(
        "POST" if body is not None or path.endswith(("pause", "resume", "cancel")) else "GET", path, headers, raw
    )
    return answer.status, json.loads(answer.body) if answer.body else None


def test_pause_resume_and_cancel_through_the_http_api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import function_app

    with probing_failover(tmp_path, monkeypatch, RUN) as (emu, host):
        functions = FunctionsHost(function_app.app, host.serve_client_api(), function_key=KEY)
        try:
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
