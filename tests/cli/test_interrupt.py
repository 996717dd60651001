"""Ctrl-C while a CLI run is followed: one line that says where the run goes on and how to resume
it, out at once, and a second Ctrl-C leaves without a traceback.

Against the emulator as a process of its own (`emulator` fixture), as against Azure; and in a
terminal (a pty, so the live view is drawn) for a simulation, whose emulator ends with it.
"""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from test_failover_cli import ROOT, cli_env
from test_run_ownership import emulator, regionshift  # noqa: F401 (the fixture)
from test_runs_control_cli import runs, slow_plan, start_failover, wait_for_phase

EXIT_TIMEOUT = 30  # a bound on a hang, not a speed target: "promptly" is what the test pins by exit


def interrupted(env: dict[str, str], plan: Path, times: int) -> tuple[int, str]:
    """Ctrl-C `times` times, back to back, into a failover that is failing over; (exit code, stderr)."""
    process = start_failover(env, plan)
    try:
        wait_for_phase(env, plan, "data_and_compute", process)
        for _ in range(times):
            process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=EXIT_TIMEOUT)
    finally:
        process.kill()
    return process.returncode, stderr


def test_ctrl_c_says_where_the_run_goes_on_and_the_run_is_kept(emulator: dict[str, str], tmp_path: Path) -> None:  # noqa: F811
    plan = slow_plan(tmp_path)
    code, stderr = interrupted(emulator, plan, 1)
    assert code == 130, stderr[-3000:]
    (line,) = [line for line in stderr.splitlines() if line.startswith("interrupted:")]
    assert "failover-contoso-web is kept in" in line
    assert f"when you run `regionshift failover {plan}` again" in line and "go on in Azure" in line
    assert "Traceback" not in stderr
    # The state folder was let go, and the run waits in it, unfinished, for the next command.
    assert [r["runtime_status"] for r in runs(emulator, plan)] in (["Running"], ["Pending"])


def test_a_second_ctrl_c_leaves_at_once_without_a_traceback(emulator: dict[str, str], tmp_path: Path) -> None:  # noqa: F811
    code, stderr = interrupted(emulator, slow_plan(tmp_path), 2)
    assert code == 130, stderr[-3000:]
    assert "Traceback" not in stderr and "Aborted" not in stderr


def test_ctrl_c_in_a_terminal_replaces_the_live_view_with_one_line(tmp_path: Path) -> None:
    scenario = tmp_path / "slow.yaml"
    scenario.write_text("outage: [eastus2]\nspeed: 10\n")  # the data branches probe for a while
    primary, secondary = pty.openpty()
    env = {**cli_env(tmp_path), "COLUMNS": "80", "LINES": "25", "TERM": "xterm"}
    command = [sys.executable, "-m", "regionshift", "failover", "plans/example.yaml", "--simulate"]
    process = subprocess.Popen(
        [*command, "--scenario", str(scenario)], cwd=ROOT, env=env, stdin=secondary, stdout=secondary, stderr=secondary
    )
    os.close(secondary)
    seen = b""
    try:
        seen = _read_until(primary, b"failing over data and compute", process)
        process.send_signal(signal.SIGINT)
        process.wait(timeout=EXIT_TIMEOUT)
        seen += _read_rest(primary)
    finally:
        process.kill()
        os.close(primary)
    text = seen.decode("utf-8", "replace")
    assert process.returncode == 130, text[-3000:]
    assert "interrupted: the simulation ends here" in text
    assert "Traceback" not in text
    # The live view was drawn before the interrupt (the phase in words).
    assert "phase: failing over data and compute" in text


def _read_until(fd: int, marker: bytes, process: subprocess.Popen[bytes]) -> bytes:
    data = b""
    deadline = time.monotonic() + 120
    while marker not in data:
        assert time.monotonic() < deadline and process.poll() is None, data.decode("utf-8", "replace")[-3000:]
        if select.select([fd], [], [], 0.2)[0]:
            data += os.read(fd, 65536)
    return data


def _read_rest(fd: int) -> bytes:
    data = b""
    while select.select([fd], [], [], 0.5)[0]:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        data += chunk
    return data
