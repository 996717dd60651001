"""Issue 7, case 9: a state store that fills up under a run. `regionshift failover` against an emulator
process, its file size limited as a full disk limits it: one line naming the store and what to do,
no traceback, no hang; the same command then resumes the run, and every invariant holds at the end.
(A corrupt store: tests/cli/test_run_ownership.py::test_a_corrupt_state_store_is_one_line_and_no_request.)"""

from __future__ import annotations

import resource
import signal
import subprocess
from pathlib import Path

from regionshift.plan import load_plan
from reliability.invariants import Expectation, Trial, check
from reliability.processes import ROOT, EmulatorProcess, cli_env, last_json, regionshift_command

PLAN = ROOT / "plans" / "example.yaml"
FULL_AT = 200 * 1024  # bytes; the failover's history grows past this (about 330 KB at its end)


def full_disk() -> None:
    """In the child: writes past FULL_AT fail (EFBIG, as ENOSPC does) instead of killing it (SIGXFSZ)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (FULL_AT, FULL_AT))


def test_a_full_state_store_mid_run_is_one_line_and_the_same_command_resumes(tmp_path: Path) -> None:
    with EmulatorProcess(PLAN, tmp_path / "emulator", {"outage": ["eastus2"]}) as emulator:
        env = cli_env(emulator, tmp_path / "cli", tmp_path / "leases", PYTHONDONTWRITEBYTECODE="1")
        command = regionshift_command("failover", str(PLAN), "--json", "--report-dir", str(tmp_path / "reports"))
        held = emulator.state()["scenario"]
        full = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, preexec_fn=full_disk, timeout=300
        )
        assert full.returncode == 1, full.stderr[-2000:]
        assert "Traceback" not in full.stderr
        (line,) = [x for x in full.stderr.splitlines() if x.startswith("error:")]
        assert line.startswith(f"error: state store {tmp_path / 'cli' / 'state' / 'durable.sqlite'}: ")
        assert line.endswith("free some space, then run the same command again to resume")

        again = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert again.returncode == 0, again.stderr[-2000:]
        assert "resuming failover-contoso-web" in again.stderr
        report = last_json(again.stdout)
        assert report is not None
        trial = Trial(
            plan=load_plan(PLAN),
            operation="failover",
            expected=Expectation("succeeded", "secondary"),
            scenario=held,
            state=emulator.state(),
            requests=emulator.requests(),
            reports=[report],
        )
        assert check(trial) == []
