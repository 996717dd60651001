"""Random-point kills: the CLI SIGKILLed at seeded random moments, run again, until its run ends.

A chain is one emulator process (`regionshift emulator`, its clock 60 times faster than real time)
and three trials on it, each in a state folder of its own, as a user would run them after a bad day:

1. `regionshift failover PLAN --json` while SQL is down in the primary (from the trial's start), so the
   run takes a forced failover (a data-loss action) and a planned Cosmos DB one;
2. the outage over and the old primary reconnected, `regionshift failback PLAN --json`;
3. `regionshift drill PLAN --json`.

Each run is started, and with a seeded chance killed with SIGKILL after a seeded random delay (the
kill lands wherever the run is: importing, reading, mid-write, polling, publishing). The same
command is then run again (it resumes the same Durable instance from its history), and maybe
killed again, until a run ends by itself. Then the invariants, from the emulator's state and
request log, with the report the last run printed as the claim. The kill moments are seeded; what
the run was doing at that moment is not, which is the point.
"""

from __future__ import annotations

import random
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from regionshift.plan import Plan, load_plan
from reliability.invariants import UNCLEAN, Expectation, Operation, Trial, Violation, check
from reliability.processes import ROOT, EmulatorProcess, ProcessError, cli_env, last_json, regionshift_command

RUN_TIMEOUT = 600.0  # real seconds a run that is not killed may take
KILL_WINDOW = (0.3, 9.0)  # real seconds after the start a kill may land (a run takes a few seconds)
CHAIN: list[tuple[Operation, Expectation]] = [
    ("failover", Expectation("succeeded", "secondary")),
    ("failback", Expectation("succeeded", "home")),
    ("drill", Expectation("succeeded", "clean")),
]


@dataclass
class KillTrial:
    chain: int
    operation: Operation
    seed: int
    kills: int = 0
    runs: int = 0
    claimed: str = "none"
    exit_code: int | None = None
    violations: list[Violation] = field(default_factory=list)


def drive(command: list[str], env: dict[str, str], rng: random.Random, wanted: int) -> tuple[int, int, Any]:
    """Run `command` until it ends by itself, killing it `wanted` times at random moments first
    (fewer if it ends before a kill lands): (kills, runs, the last CompletedProcess)."""
    kills = runs = 0
    while True:
        runs += 1
        process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        timeout = rng.uniform(*KILL_WINDOW) if kills < wanted else RUN_TIMEOUT
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.communicate()
            if kills >= wanted:
                raise ProcessError(f"{' '.join(command[3:])} did not end within {RUN_TIMEOUT:.0f} s") from None
            kills += 1
            continue
        return kills, runs, subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def links_healthy(emulator: EmulatorProcess) -> bool:
    sql = emulator.state()["services"].get("sql", {})
    return all(group.get("link") == "healthy" for group in sql.values())


def wait_for(condition: Any, what: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise ProcessError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.2)


def run_chain(chain: int, plan_path: Path, workdir: Path, seed: int, max_kills: int = 4) -> list[KillTrial]:
    """One emulator, three trials (failover under a primary SQL outage, failback, drill)."""
    plan: Plan = load_plan(plan_path)
    rng = random.Random(seed)
    trials: list[KillTrial] = []
    with EmulatorProcess(plan_path, workdir / "emulator") as emulator:
        for operation, expected in CHAIN:
            trial = KillTrial(chain, operation, seed)
            trials.append(trial)
            if operation == "failover":
                now = emulator.now()
                held = emulator.set_scenario(
                    {"outage": [{"region": plan.regions.primary, "services": ["sql"], "from": now}]}
                )
            else:
                held = emulator.set_scenario({})
                wait_for(lambda: links_healthy(emulator), "the old primary to reconnect")
            before = emulator.state()
            emulator.clear_requests()
            folder = workdir / operation
            env = cli_env(emulator, folder, workdir / "leases")
            command = regionshift_command(operation, str(plan_path), "--json", "--report-dir", str(folder / "reports"))
            try:
                trial.kills, trial.runs, done = drive(command, env, rng, rng.randint(1, max_kills))
            except ProcessError as exc:  # the run that was not killed never ended
                trial.violations.append(Violation(UNCLEAN, str(exc)))
                break
            trial.exit_code = done.returncode
            report = last_json(done.stdout)
            result = Trial(
                plan=plan,
                operation=operation,
                expected=expected,
                scenario=held,
                state=emulator.state(),
                requests=emulator.requests(),
                reports=[report] if report else [],
                before=before,
            )
            trial.claimed = result.claimed
            trial.violations = check(result)
            if "Traceback" in done.stderr:
                trial.violations.append(Violation(UNCLEAN, f"a traceback on stderr: {done.stderr[-300:]}"))
            if trial.violations:
                break  # the next trial would start from a state this one got wrong
    return trials


def run_kills(plan_path: Path, workdir: Path, *, kills: int, seed: int, max_kills: int = 4) -> list[KillTrial]:
    """Chains until at least `kills` kills have landed; chain i is seeded `seed + i`."""
    trials: list[KillTrial] = []
    chain = 0
    while sum(t.kills for t in trials) < kills and chain <= kills:  # a chain kills at least once, mostly
        trials += run_chain(chain, plan_path, workdir / f"chain{chain}", seed + chain, max_kills)
        chain += 1
    return trials
