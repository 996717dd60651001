"""A running app for the trigger tests: the real function_app on the embedded Durable host,
behind `regionshift serve`'s FunctionsHost over HTTP, with a webhook receiver for approval
requests and a "black hole" that stands in for Azure (it holds every request until the test
ends, so a started failover stays running and the test decides nothing by timing)."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

from regionshift.azure.clients import reset_default_clients
from regionshift.host import DurableHost, ScaledClock
from regionshift.serve import FunctionsHost, serve_http

KEY = "test-function-key-0123456789"
APPROVAL_KEY = "approval-signing-key-for-tests-0123456789"
EXAMPLE = Path(__file__).parent.parent.parent / "plans" / "example.yaml"


@dataclass
class Receiver:
    posts: list[dict[str, Any]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)


def _server(receiver: Receiver, hold: bool) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if hold:
                receiver.release.wait(60)
                self.send_response(503)
            else:
                receiver.posts.append(json.loads(body or b"{}"))
                self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_POST = do_PUT = _any

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def plan_yaml(policy: dict[str, Any], triggers: dict[str, Any]) -> str:
    data = yaml.safe_load(EXAMPLE.read_text())
    data["policy"] = {**data.get("policy", {}), **policy}
    data["triggers"] = triggers
    return yaml.safe_dump(data)


class Stack:
    def __init__(self, tmp: Path, monkeypatch: Any, policy: dict[str, Any], clock_speed: float = 1.0) -> None:
        self.hooks = Receiver()
        self.azure = Receiver()
        self._hook_server = _server(self.hooks, hold=False)
        self._azure_server = _server(self.azure, hold=True)
        hook_url = self.hooks_url = f"http://127.0.0.1:{self._hook_server.server_port}/hook"
        azure_url = f"http://127.0.0.1:{self._azure_server.server_port}"
        policy = {"approval_webhooks": [{"url": hook_url, "format": "json"}], **policy}
        triggers = {"alerts": {"rules": ["test-rule"], "service_health": {"services": ["SQL Database"]}}}
        (tmp / "plan.yaml").write_text(plan_yaml(policy, triggers))
        env = {
            "REGIONSHIFT_PLANS": str(tmp / "plan.yaml"),
            "REGIONSHIFT_APPROVAL_KEY": APPROVAL_KEY,
            "REGIONSHIFT_STATE_DIR": str(tmp),
            "REGIONSHIFT_LEASE_DIR": str(tmp / "leases"),
            # https, so azure-core first asks the (held) identity endpoint for a token.
            "REGIONSHIFT_ARM_ENDPOINT": f"https://127.0.0.1:{self._azure_server.server_port}/",
            "REGIONSHIFT_RETRY_TOTAL": "0",
            "IDENTITY_ENDPOINT": f"{azure_url}/token",
            "IDENTITY_HEADER": "x",
        }
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        reset_default_clients()
        import function_app

        clock = ScaledClock(clock_speed) if clock_speed != 1.0 else None
        self.host = DurableHost(function_app.app, tmp / "durable.sqlite", clock=clock)
        self.host.start()
        self.functions = FunctionsHost(function_app.app, self.host.serve_client_api(), function_key=KEY)
        self._http = serve_http(self.functions)
        self.url = f"http://127.0.0.1:{self._http.server_port}"
        monkeypatch.setenv("REGIONSHIFT_PUBLIC_URL", self.url)

    def close(self) -> None:
        self.azure.release.set()
        self._http.shutdown()
        self.functions.close()
        self.host.stop()
        self._hook_server.shutdown()
        self._azure_server.shutdown()
        reset_default_clients()

    def call(
        self,
        method: str,
        path: str,
        body: bytes | dict[str, Any] | None = None,
        *,
        key: str | None = KEY,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        url = path if path.startswith("http") else self.url + path
        request = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
        if key:
            request.add_header("x-functions-key", key)
        if isinstance(body, dict):
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, _decode(response.read(), response.headers.get("Content-Type", ""))
        except urllib.error.HTTPError as exc:
            return exc.code, _decode(exc.read(), exc.headers.get("Content-Type", ""))

    def wait_for(self, predicate: Any, what: str, timeout: float = 30.0) -> Any:
        """Wait for the system to reach a state (a bound on waiting, not a speed assertion)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}")


def _decode(raw: bytes, kind: str) -> Any:
    return json.loads(raw) if "json" in kind and raw else raw.decode("utf-8", "replace")
