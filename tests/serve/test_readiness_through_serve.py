"""The scheduled readiness check through `regionshift serve`, in a process of its own, against an
emulator the test holds: a scenario set on the running emulator through its admin API breaks a
check, which is posted exactly once; clearing it is posted exactly once.

The ticks are fired through serve's admin API (`POST /admin/functions/readiness_schedule`, as the
Functions host offers it), so the test decides when the timer fires, not the clock; the schedule
itself is set far away so that it never fires during the test."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import yaml
from app_runs import wait_until
from webhooks import WebhookReceiver

from regionshift.plan import load_plan
from regionshift.serve.server import DEFAULT_SCHEDULES
from regionshift_emulator.harness import EXAMPLE_PLAN
from regionshift_emulator.server import Emulator
from regionshift_emulator.testing import raw

ROOT = Path(__file__).resolve().parents[2]
KEY = "readiness-serve-function-key-0123456789"
READINESS = "/api/plans/contoso-web/readiness"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _call(url: str, method: str = "GET") -> tuple[int, Any]:
    request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    request.add_header("x-functions-key", KEY)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def test_a_check_that_breaks_is_posted_once_and_its_clearing_once(tmp_path: Path) -> None:
    with (
        WebhookReceiver() as hooks,
        Emulator(load_plan(EXAMPLE_PLAN), {"latencies": {"default": 0}}, workdir=tmp_path) as emu,
    ):
        plan = yaml.safe_load(EXAMPLE_PLAN.read_text())
        plan["policy"]["notification_webhooks"] = [{"url": hooks.url, "format": "json"}]
        plan_path = tmp_path / "plan.yaml"
        plan_path.write_text(yaml.safe_dump(plan))
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("REGIONSHIFT_", "IDENTITY_"))}
        env.update(emu.env)
        env.update(
            REGIONSHIFT_FUNCTION_KEY=KEY,
            REGIONSHIFT_APPROVAL_KEY="readiness-serve-approval-signing-key-0123456789abcdef",
            REGIONSHIFT_STATE_DIR=str(tmp_path / "state"),
            REGIONSHIFT_LEASE_DIR=str(tmp_path / "leases"),
            REGIONSHIFT_RETRY_TOTAL="1",
            REGIONSHIFT_CHECK_SCHEDULE="0 0 0 1 1 *",  # once a year: the test fires the ticks itself
        )
        serve = subprocess.Popen(
            [sys.executable, "-m", "regionshift", "serve", "--plan", str(plan_path), "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        base = f"http://127.0.0.1:{port}"

        def tick(after: str | None) -> dict[str, Any]:
            status, _ = _call(f"{base}/admin/functions/readiness_schedule", "POST")
            assert status == 202

            def done() -> Any:
                code, body = _call(base + READINESS)
                fresh = code == 200 and not body["checking"] and body["taken_at"] != after
                return body if fresh else None

            return dict(wait_until(done, "the scheduled check to finish", timeout=120))

        def scenario(body: dict[str, Any]) -> None:
            status, _, _ = raw(emu, "PUT", "/_emulator/scenario", body={"latencies": {"default": 0}, **body})
            assert status == 200

        try:
            wait_until(lambda: _alive(base, serve), "serve to answer", timeout=120)
            status, nothing = _call(base + READINESS)
            assert (status, "has not run it yet" in nothing["error"]) == (404, True)
            healthy = tick(None)
            assert (healthy["ready"], healthy["drift"], hooks.posts) == (True, False, [])

            scenario({"quotas": {"standardDSv5Family": 0}})  # the secondary's quota is gone
            broken = tick(healthy["taken_at"])
            again = tick(broken["taken_at"])
            assert (broken["ready"], broken["change"], again["change"]) == (False, "broke", None)
            assert [p["change"] for p in hooks.posts] == ["broke"]

            scenario({})
            cleared = tick(again["taken_at"])
            assert (cleared["ready"], cleared["change"]) == (True, "cleared")
            assert [p["change"] for p in hooks.posts] == ["broke", "cleared"]
            assert hooks.posts[0]["stopping"][0]["check"] == "compute_quota"
        finally:
            serve.terminate()
            serve.wait(timeout=30)


def _alive(base: str, serve: subprocess.Popen[str]) -> bool:
    if serve.poll() is not None:
        raise AssertionError(f"serve exited: {serve.stderr.read() if serve.stderr else ''}")
    try:
        return _call(f"{base}/api/runs")[0] == 200
    except (urllib.error.URLError, ConnectionError):
        return False


def test_serve_runs_the_readiness_timer_every_30_minutes_unless_told_otherwise() -> None:
    import function_app
    from regionshift.serve import FunctionsHost

    host = FunctionsHost(function_app.app, None, function_key=KEY, environ={})
    timers = {t.name: t for t in host.timers}
    assert (
        host.schedule_of(timers["readiness_schedule"])
        == "0 */30 * * * *"
        == DEFAULT_SCHEDULES.get("REGIONSHIFT_CHECK_SCHEDULE")
    )
    told = FunctionsHost(
        function_app.app, None, function_key=KEY, environ={"REGIONSHIFT_CHECK_SCHEDULE": "0 0 * * * *"}
    )
    assert told.schedule_of(timers["readiness_schedule"]) == "0 0 * * * *"
