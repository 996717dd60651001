"""End to end: `regionshift serve --simulate` as a user runs it, in a process of its own.

A real Service Health alert is POSTed to the webhook; the failover waits for approval, whose
request lands on a local webhook with signed links; a person approves through the link; the
failover then runs through the real SDK clients against the emulator (primary down) and the
status API returns its report.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from serve_stack import Receiver, _server

ROOT = Path(__file__).resolve().parents[2]
KEY = "serve-e2e-function-key-0123456789"
ALERT = ROOT / "tests" / "fixtures" / "alerts" / "service_health_incident_active.json"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _call(url: str, body: bytes | None = None, *, key: str | None = KEY, form: bool = False) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET")
    if key:
        request.add_header("x-functions-key", key)
    request.add_header("Content-Type", "application/x-www-form-urlencoded" if form else "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw[:1] in (b"{", b"[") else raw.decode()
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        return exc.code, json.loads(raw) if raw[:1] in (b"{", b"[") else raw.decode()


def _wait(predicate: Any, what: str, timeout: float = 120) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_an_alert_through_serve_fails_over_on_the_emulator_after_approval(tmp_path: Path) -> None:
    hooks = Receiver()
    hook_server = _server(hooks, hold=False)
    plan = yaml.safe_load((ROOT / "plans" / "example.yaml").read_text())
    plan["policy"].update(
        approval="required",
        approval_webhooks=[{"url": f"http://127.0.0.1:{hook_server.server_port}/hook", "format": "json"}],
    )
    plan["triggers"] = {"alerts": {"service_health": {"services": ["SQL Database"]}}}
    plan_path = tmp_path / "plan.yaml"
    plan_path.write_text(yaml.safe_dump(plan))
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REGIONSHIFT_", "IDENTITY_"))}
    env.update(
        REGIONSHIFT_FUNCTION_KEY=KEY,
        REGIONSHIFT_APPROVAL_KEY="serve-e2e-approval-signing-key-0123456789abcdef",
        REGIONSHIFT_STATE_DIR=str(tmp_path / "state"),
        REGIONSHIFT_LEASE_DIR=str(tmp_path / "leases"),
    )
    serve = subprocess.Popen(
        [sys.executable, "-m", "regionshift", "serve", "--plan", str(plan_path), "--simulate", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(lambda: _ready(base, serve), "serve to answer")
        status, started = _call(f"{base}/api/alerts", ALERT.read_bytes())
        assert status in (200, 202), started
        assert [s["instance_id"] for s in started["started"]] == ["failover-contoso-web"], started

        request = _wait(lambda: hooks.posts[-1] if hooks.posts else None, "the approval request")
        approve = urlsplit(request["links"]["approve"][0])
        status, _ = _call(
            f"{base}{approve.path}?{approve.query}", b"approver=ana&comment=primary+down", key=None, form=True
        )
        assert status == 202

        def finished() -> Any:
            code, body = _call(f"{base}/api/runs/failover-contoso-web")
            return body if code == 200 and body["runtime_status"] == "Completed" else None

        run = _wait(finished, "the failover to complete")
        report = run["report"]
        assert report["status"] == "succeeded", report["reason"]
        assert report["started_by"].startswith("alert")
        kinds = {s["kind"] for s in report["steps"]}
        assert {"approval", "sql", "cosmos", "scale_set", "dns"} <= kinds
        (approval,) = [s for s in report["steps"] if s["kind"] == "approval"]
        assert "ana" in approval["detail"]
    finally:
        serve.terminate()
        serve.wait(timeout=30)
        hook_server.shutdown()


def _ready(base: str, serve: subprocess.Popen[str]) -> bool:
    if serve.poll() is not None:
        raise AssertionError(f"serve exited: {serve.stderr.read() if serve.stderr else ''}")
    try:
        return _call(f"{base}/api/runs")[0] == 200
    except (urllib.error.URLError, ConnectionError):
        return False
