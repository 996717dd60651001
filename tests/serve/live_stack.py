"""A run a test can watch step by step: the real app behind serve's FunctionsHost, on the embedded
Durable host, against the emulator (primary down), started by a real Service Health alert.

Nothing is decided by timing. The run waits for approval until the test approves through the link
of the request that reached the webhook. The web scale set's creation (180 emulated seconds) does not
complete until the test moves the emulator's clock: the emulator runs at 1/1000 of real time, so the
branch is visibly running until `finish_compute()`. The first write of each DNS record is answered
503 with `Retry-After: DNS_HOLD_SECONDS`, which azure-core honours, so the DNS phase lasts that long
(the page refreshes every 2 s).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from serve_stack import EXAMPLE, Receiver, _server

from regionshift.host import DurableHost, ScaledClock
from regionshift.plan import load_plan
from regionshift.serve import FunctionsHost, serve_http
from regionshift_emulator.harness import app_on_emulator

KEY = "live-page-function-key-0123456789"
ALERT = Path(__file__).parent.parent / "fixtures" / "alerts" / "service_health_incident_active.json"
RUN = "failover-contoso-web"
DNS_HOLD_SECONDS = 20
SCENARIO: dict[str, Any] = {
    "outage": ["eastus2"],
    "speed": 0.001,  # the emulator's clock stands (almost) still: long operations wait for the test
    "latencies": {"default": 0, "compute.vmss.create": 180},
    # The first write of each DNS record answers 503 with Retry-After: the client waits, then writes again.
    "faults": [
        {
            "path": "*/providers/Microsoft.Network/dnszones/*",
            "method": "PUT",
            "status": 503,
            "retry_after": DNS_HOLD_SECONDS,
            "times": 2,
        }
    ],
}


class LiveStack:
    def __init__(self, tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self._stack = ExitStack()
        self.hooks = Receiver()
        hook_server = _server(self.hooks, hold=False)
        self._stack.callback(hook_server.shutdown)
        data = yaml.safe_load(EXAMPLE.read_text())
        data["policy"].update(
            approval="required",
            approval_webhooks=[{"url": f"http://127.0.0.1:{hook_server.server_port}/hook", "format": "json"}],
        )
        data["triggers"] = {"alerts": {"service_health": {"services": ["SQL Database"]}}}
        plan_path = tmp / "contoso-web.yaml"
        plan_path.write_text(yaml.safe_dump(data))
        monkeypatch.setenv("REGIONSHIFT_PLANS", str(plan_path))
        monkeypatch.setenv("REGIONSHIFT_APPROVAL_KEY", "live-page-approval-signing-key-0123456789abcdef")
        self.emulator = self._stack.enter_context(app_on_emulator(load_plan(plan_path), SCENARIO, tmp, monkeypatch))
        import function_app

        self.host = DurableHost(function_app.app, tmp / "durable.sqlite", clock=ScaledClock(60.0))
        self.host.start()
        self._stack.callback(self.host.stop)
        self.functions = FunctionsHost(function_app.app, self.host.serve_client_api(), function_key=KEY)
        self._stack.callback(self.functions.close)
        http = serve_http(self.functions)
        self._stack.callback(http.shutdown)
        self.url = f"http://127.0.0.1:{http.server_port}"
        monkeypatch.setenv("REGIONSHIFT_PUBLIC_URL", self.url)

    def close(self) -> None:
        self._stack.close()

    def page_url(self, instance: str = RUN) -> str:
        return f"{self.url}/api/runs/{instance}/page?code={KEY}"

    def call(self, method: str, path: str, body: bytes | None = None, *, form: bool = False) -> tuple[int, Any]:
        request = urllib.request.Request(self.url + path, data=body, method=method)
        if "/approvals/" not in path:
            request.add_header("x-functions-key", KEY)
        if body is not None:
            request.add_header("Content-Type", "application/x-www-form-urlencoded" if form else "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw, kind = response.read(), response.headers.get("Content-Type", "")
                return response.status, json.loads(raw) if "json" in kind else raw.decode()
        except urllib.error.HTTPError as exc:
            raw, kind = exc.read(), exc.headers.get("Content-Type", "")
            return exc.code, json.loads(raw) if "json" in kind and raw else raw.decode()

    def start_by_alert(self) -> None:
        status, body = self.call("POST", "/api/alerts", ALERT.read_bytes())
        assert status == 202 and [s["instance_id"] for s in body["started"]] == [RUN], body

    def approval_links(self) -> dict[str, Any]:
        """The approval request the webhook received (the test waits for it)."""
        return self.hooks.posts[-1]["links"] if self.hooks.posts else {}

    def approve(self, approver: str = "ana") -> None:
        link = urlsplit(self.approval_links()["approve"][0])
        status, body = self.call(
            "POST", f"{link.path}?{link.query}", f"approver={approver}&comment=primary+down".encode(), form=True
        )
        assert status == 202, body

    def finish_compute(self) -> None:
        """Let the scale set's creation complete: move the emulator's clock past its latency."""
        self.emulator.advance(600)
