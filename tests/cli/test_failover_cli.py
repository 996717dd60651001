"""`regionshift failover` as a user runs it: the demo path, --json, and kill-and-resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def cli_env(tmp_path: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REGIONSHIFT_", "IDENTITY_"))}
    env["REGIONSHIFT_STATE_DIR"] = str(tmp_path / "state")
    env["REGIONSHIFT_LEASE_DIR"] = str(tmp_path / "leases")
    env.update(extra or {})
    return env


def test_make_demo_fails_the_example_over_and_prints_the_report(tmp_path: Path) -> None:
    result = subprocess.run(
        ["make", "--no-print-directory", "demo"],
        cwd=ROOT,
        env=cli_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "SUCCEEDED" in result.stderr.upper()
    assert "RTO" in result.stderr
    assert "report: " in result.stderr


def test_simulated_failover_prints_the_report_as_json(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "regionshift",
            "failover",
            "plans/example.yaml",
            "--simulate",
            "--json",
            "--report-dir",
            str(tmp_path / "reports"),
        ],
        cwd=ROOT,
        env=cli_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert report["operation"] == "failover"
    assert report["status"] == "succeeded"
    assert report["instance_id"] == "failover-contoso-web"
    kinds = sorted({s["kind"] for s in report["steps"]})
    assert kinds == ["check", "cosmos", "dns", "resource_group", "scale_set", "sql"]
    (guard,) = [s for s in report["steps"] if s["kind"] == "check"]
    assert guard["action"] == "split_brain_guard" and guard["status"] == "succeeded"
    for key in ("plan", "started_at", "ended_at", "rto_seconds"):
        assert report[key] is not None
    assert sorted(p.suffix for p in (tmp_path / "reports").iterdir()) == [".html", ".json"]


def test_bad_plan_exits_2_and_starts_nothing(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "regionshift",
            "failover",
            "tests/fixtures/plans/invalid/capacity-zero.yaml",
            "--simulate",
        ],
        cwd=ROOT,
        env=cli_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "scale_sets[0].capacity: must be at least 1" in result.stderr
    assert not (tmp_path / "state").exists()


def test_killed_run_resumes_from_its_history_without_redoing_finished_steps(tmp_path: Path) -> None:
    """Emulator and CLI in processes of their own; the CLI is SIGKILLed mid-run, then run again."""
    scenario = tmp_path / "scenario.yaml"
    # Data fails over at once; building the web scale set takes a few seconds: the kill lands there.
    scenario.write_text("outage: [eastus2]\nlatencies: {default: 0, compute.vmss.create: 4}\n")
    env_file = tmp_path / "emulator.env"
    emulator = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "regionshift",
            "emulator",
            "--plan",
            "plans/example.yaml",
            "--env-file",
            str(env_file),
            "--scenario",
            str(scenario),
        ],
        cwd=ROOT,
        env=cli_env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        env = cli_env(tmp_path, _read_env_file(env_file, emulator))
        env["REGIONSHIFT_POLLING_INTERVAL"] = "0.1"
        command = [
            sys.executable,
            "-m",
            "regionshift",
            "failover",
            "plans/example.yaml",
            "--json",
            "--report-dir",
            str(tmp_path / "reports"),
        ]
        first = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_for_request(env, "PUT", "/virtualMachineScaleSets/web", first)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)

        second = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert second.returncode == 0, second.stderr[-3000:]
        assert "resuming failover-contoso-web" in second.stderr
        assert json.loads(second.stdout)["status"] == "succeeded"

        log = _requests(env)

        def count(method: str, suffix: str) -> int:
            return sum(1 for r in log if r["method"] == method and str(r["path"]).lower().endswith(suffix.lower()))

        assert count("POST", "/forceFailoverAllowDataLoss") == 1  # finished before the kill: not redone
        assert count("PUT", "/resourcegroups/contoso-dr") == 1
        assert count("PUT", "/dnszones/contoso.com/CNAME/www") == 1
    finally:
        emulator.terminate()
        emulator.wait(timeout=30)


def _read_env_file(path: Path, process: subprocess.Popen[str]) -> dict[str, str]:
    deadline = time.monotonic() + 60
    while not path.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"the emulator did not start: {process.stderr.read() if process.stderr else ''}")
        time.sleep(0.1)
    values = {}
    for line in path.read_text().splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        values[key] = value.strip("'\"")
    return values


def _requests(env: dict[str, str]) -> list[dict[str, object]]:
    import ssl
    import urllib.request

    context = ssl.create_default_context(cafile=env["REGIONSHIFT_CA_BUNDLE"])
    with urllib.request.urlopen(env["REGIONSHIFT_EMULATOR_ADMIN"] + "requests", context=context, timeout=10) as r:
        return json.loads(r.read())["value"]


def _wait_for_request(env: dict[str, str], method: str, part: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if any(r["method"] == method and part.lower() in str(r["path"]).lower() for r in _requests(env)):
            return
        if process.poll() is not None:
            pytest.fail("the failover ended before it could be interrupted")
        time.sleep(0.05)
    pytest.fail(f"no {method} {part} seen")


def test_without_a_credential_the_run_is_refused_before_it_exists(tmp_path: Path) -> None:
    # An App Service identity endpoint that refuses connections: no credential works (and nothing
    # is sent beyond loopback, as the IMDS probe would).
    env = cli_env(
        tmp_path,
        {
            "IDENTITY_ENDPOINT": "http://127.0.0.1:9/msi/token",
            "IDENTITY_HEADER": "x",
            "REGIONSHIFT_ARM_ENDPOINT": "https://127.0.0.1:9/",
        },
    )
    result = subprocess.run(
        [sys.executable, "-m", "regionshift", "failover", "plans/example.yaml"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "refused: cannot sign in to https://127.0.0.1:9/" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "state" / "durable.sqlite").exists()
