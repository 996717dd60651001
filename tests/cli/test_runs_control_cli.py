"""`regionshift runs list|pause|resume|cancel` from a second terminal, as an operator uses them.

The emulator runs in a process of its own (the `emulator` fixture of test_run_ownership), and the
failover in another (`regionshift failover PLAN`, not a simulation), which holds the state folder:
pause and cancel reach it through the folder's inbox. Once it has left, the same commands act on
the store themselves. Outcomes are read from the emulator's request log and the run's own report.
The plan's outage evidence spans an hour, so the data branches are still probing (writing
nothing) whenever the test steps in.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml
from test_failover_cli import ROOT
from test_run_ownership import emulator, regionshift, writes  # noqa: F401 (the fixture)


def slow_plan(tmp_path: Path) -> Path:
    data = yaml.safe_load((ROOT / "plans" / "example.yaml").read_text())
    data["policy"].update(data_loss="allow", outage_evidence={"failed_probes": 3, "window_seconds": 3600})
    path = tmp_path / "slow.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def start_failover(env: dict[str, str], plan: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "regionshift", "failover", str(plan), "--json"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def runs(env: dict[str, str], plan: Path) -> list[dict[str, Any]]:
    listed = regionshift(env, "runs", "list", str(plan), "--json")
    assert listed.returncode == 0, listed.stderr
    return list(json.loads(listed.stdout)["runs"])


def wait_for_phase(env: dict[str, str], plan: Path, phase: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120  # a bound on waiting, not a speed target
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        if any(r["phase"] == phase for r in runs(env, plan)):
            return
        time.sleep(0.2)
    raise AssertionError(f"the run never reached {phase}")


def data_and_dns_writes(env: dict[str, str]) -> list[str]:
    return [w for w in writes(env) if "Microsoft.Sql" in w or "Microsoft.DocumentDB" in w or "/dnszones/" in w]


def test_pause_then_resume_then_cancel_from_another_terminal(emulator: dict[str, str], tmp_path: Path) -> None:  # noqa: F811
    plan = slow_plan(tmp_path)
    first = start_failover(emulator, plan)
    try:
        wait_for_phase(emulator, plan, "data_and_compute", first)
        paused = regionshift(emulator, "runs", "pause", str(plan), "--reason", "checking the lag")
        assert paused.returncode == 0, paused.stderr
        assert "paused by cli:" in paused.stderr and "checking the lag" in paused.stderr
        _, stderr = first.communicate(timeout=60)  # the paused run's command says so and ends
    finally:
        first.kill()
    assert first.returncode == 1
    assert "failover-contoso-web is paused (paused by cli:" in stderr
    assert f"regionshift runs resume {plan}" in stderr and "Traceback" not in stderr

    # Nobody holds the state folder now: the commands act on the store themselves.
    assert [r["runtime_status"] for r in runs(emulator, plan)] == ["Suspended"]
    resumed = regionshift(emulator, "runs", "resume", str(plan))
    assert resumed.returncode == 0, resumed.stderr
    assert f"run `regionshift failover {plan}` to let it go on" in resumed.stderr

    second = start_failover(emulator, plan)  # resumes the run from its history
    try:
        wait_for_phase(emulator, plan, "data_and_compute", second)
        cancelled = regionshift(emulator, "runs", "cancel", str(plan), "--reason", "wrong plan")
        assert cancelled.returncode == 0, cancelled.stderr
        stdout, stderr = second.communicate(timeout=120)
    finally:
        second.kill()
    assert second.returncode == 1, stderr[-3000:]
    report = json.loads(stdout)
    assert report["cancelled"]["by"].startswith("cli:") and report["cancelled"]["reason"] == "wrong plan"
    assert {s["status"] for s in report["steps"] if s["kind"] in ("sql", "cosmos", "dns")} == {"skipped"}
    assert data_and_dns_writes(emulator) == []
    again = regionshift(emulator, "runs", "cancel", str(plan))
    assert again.returncode == 1 and again.stderr.startswith("refused: no unfinished run of plan 'contoso-web'")


def test_control_without_a_run_says_so_in_one_line(emulator: dict[str, str], tmp_path: Path) -> None:  # noqa: F811
    plan = slow_plan(tmp_path)
    for action in ("pause", "resume", "cancel"):
        answer = regionshift(emulator, "runs", action, str(plan))
        assert answer.returncode == 1, answer.stderr
        assert answer.stderr.count("\n") == 1 and answer.stderr.startswith("refused: no runs in ")
    listed = regionshift(emulator, "runs", "list")
    assert listed.returncode == 0 and "no runs" in listed.stderr
