"""A CLI command drives only its own run, on a state folder no other process holds, with the plan
that run started with (issue 7: items 4 and 7, and "one run per plan" for the embedded host).

The emulator runs in a process of its own; every outcome is read from its request log or from
the state store, not from regionshift's report."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from test_failover_cli import ROOT, _read_env_file, _requests, _wait_for_request, cli_env

from regionshift.contracts import RunRequest
from regionshift.host import DurableHost, InstanceStatus, RuntimeStatus
from regionshift.plan import load_plan

WRITES = ("PUT", "POST", "PATCH", "DELETE")


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[dict[str, str]]:
    """An emulator seeded from the example plan, primary region down; yields the CLI's env."""
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("outage: [eastus2]\nlatencies: {default: 0, compute.vmss.create: 30}\n")
    env_file = tmp_path / "emulator.env"
    command = [sys.executable, "-m", "regionshift", "emulator", "--plan", "plans/example.yaml"]
    process = subprocess.Popen(
        [*command, "--env-file", str(env_file), "--scenario", str(scenario)],
        cwd=ROOT,
        env=cli_env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        env = cli_env(tmp_path, _read_env_file(env_file, process))
        env["REGIONSHIFT_POLLING_INTERVAL"] = "0.1"
        yield env
    finally:
        process.terminate()
        process.wait(timeout=30)


def regionshift(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "regionshift", *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def writes(env: dict[str, str]) -> list[str]:
    return [f"{r['method']} {r['path']}" for r in _requests(env) if r["method"] in WRITES]


def leave_unfinished_failover(env: dict[str, str], plan_path: Path) -> None:
    """What a failover killed before its first write leaves behind: its instance, started and
    never run (the host that started it was never started itself)."""
    import function_app
    from regionshift.cli.runs import new_run

    plan = load_plan(plan_path)
    request = RunRequest(plan=plan.model_dump(mode="json"), started_by="cli:killed", approved=True)
    host = DurableHost(function_app.app, Path(env["REGIONSHIFT_STATE_DIR"]) / "durable.sqlite")
    try:
        host.start_new("failover", new_run(request, plan), instance_id=f"failover-{plan.name}")
    finally:
        host.close()


def failover_status(env: dict[str, str]) -> InstanceStatus:
    import function_app

    host = DurableHost(function_app.app, Path(env["REGIONSHIFT_STATE_DIR"]) / "durable.sqlite")
    try:
        status = host.get_status("failover-contoso-web")
        assert status is not None
        return status
    finally:
        host.close()


def test_a_drill_and_a_refused_failback_leave_a_dead_failover_alone(emulator: dict[str, str]) -> None:
    leave_unfinished_failover(emulator, ROOT / "plans" / "example.yaml")

    drill = regionshift(emulator, "drill", "plans/example.yaml", "--json")
    assert "Traceback" not in drill.stderr, drill.stderr[-3000:]
    failback = regionshift(emulator, "failback", "plans/example.yaml")
    assert failback.returncode == 1
    assert "refused: a failover of plan 'contoso-web' is unfinished" in failback.stderr

    # the drill built and deleted its own group; not one write of the dead failover was sent
    done = writes(emulator)
    assert done and all("/resourcegroups/contoso-dr-drill-" in w.lower() for w in done), done
    assert failover_status(emulator).runtime_status is RuntimeStatus.PENDING  # not driven by anyone


def test_a_changed_plan_is_refused_with_both_digests_and_restart_runs_the_current_plan(
    emulator: dict[str, str], tmp_path: Path
) -> None:
    plan_path = tmp_path / "plan.yaml"
    plan_path.write_text((ROOT / "plans" / "example.yaml").read_text())
    leave_unfinished_failover(emulator, plan_path)
    before = load_plan(plan_path).digest()
    killed_run = failover_status(emulator).input["run_id"]

    edited = yaml.safe_load(plan_path.read_text())
    edited["policy"]["data_loss"] = "forbid"  # edited after the kill: no data-loss failover now
    plan_path.write_text(yaml.safe_dump(edited))
    after = load_plan(plan_path).digest()

    refused = regionshift(emulator, "failover", str(plan_path))
    assert refused.returncode == 1
    (line,) = [line for line in refused.stderr.splitlines() if line.startswith("refused:")]
    assert f"was started with sha256 {before}; the plan file is now sha256 {after}" in line
    assert "--restart" in line
    assert writes(emulator) == []
    assert failover_status(emulator).runtime_status is RuntimeStatus.PENDING

    restarted = regionshift(emulator, "failover", str(plan_path), "--restart", "--json")
    assert "terminated the unfinished failover-contoso-web and its sub-orchestrations" in restarted.stderr
    assert "Traceback" not in restarted.stderr
    done = writes(emulator)
    # the current plan forbids data loss, and the primary is down: no forced failover of anything
    assert not [w for w in done if "forceFailoverAllowDataLoss" in w or "offlineRegion" in w], done
    again = failover_status(emulator)
    assert again.input["plan_sha256"] == after
    assert again.input["run_id"] not in ("", killed_run)


def test_a_second_command_on_a_held_state_folder_is_refused_naming_the_first(emulator: dict[str, str]) -> None:
    command = [sys.executable, "-m", "regionshift", "failover", "plans/example.yaml"]
    first = subprocess.Popen(command, cwd=ROOT, env=emulator, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_request(emulator, "PUT", "/virtualMachineScaleSets/web", first)  # building: 30 s
        second = regionshift(emulator, "failover", "plans/example.yaml")
        assert second.returncode == 1
        (line,) = second.stderr.strip().splitlines()
        assert line.startswith("refused: the state store ")
        assert f"is in use by pid {first.pid} (regionshift failover plans/example.yaml, since " in line
    finally:
        first.kill()
        first.wait(timeout=30)


def test_a_corrupt_state_store_is_one_line_and_no_request(emulator: dict[str, str]) -> None:
    state = Path(emulator["REGIONSHIFT_STATE_DIR"])
    state.mkdir(parents=True, exist_ok=True)
    (state / "durable.sqlite").write_bytes(b"not a database " * 1000)
    result = regionshift(emulator, "failover", "plans/example.yaml")
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"error: state store {state / 'durable.sqlite'}: file is not a database; it is corrupt")
    assert writes(emulator) == []
