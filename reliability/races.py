"""Concurrent starts of one plan, over HTTP and over the CLI: exactly one run acts.

Every trial starts from the seeded estate (at home) on a fresh emulator process, and races runs
that must exclude each other (failover and failback of one plan, or two failovers):

- `http`: `regionshift serve` (a process of its own, as a user runs it) gets N concurrent POSTs of
  `/api/plans/{plan}/failover` and `/failback` at the same moment. Every answer is 202 or 409 (never
  a 500, never a dropped connection); every started run ends.
- `cli`: two `regionshift failover` processes with different state folders (one run lease, this
  machine's), then a `failback` beside a `failover`.
- `cli+serve`: a CLI failover beside a POST of a failover to serve.

Then: exactly one run acted. A refused run either was answered 409 (naming the unfinished
instance) or ended with a report naming the run that holds the plan, and wrote nothing. The writes
in the emulator's request log are attributed to the operation that can make them (only a failover
creates the failover resource group or fails data over to the secondary's servers; only a failback
deletes the group or fails data over to the primary's), and none is made twice; then the invariants.
"""

from __future__ import annotations

import http.client
import json
import random
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from regionshift.plan import Plan, load_plan
from reliability.estate import group_path, sql_group_path
from reliability.invariants import UNCLEAN, WRONG_STATE, Expectation, Trial, Violation, check, writes
from reliability.processes import (
    ROOT,
    EmulatorProcess,
    ProcessError,
    cli_env,
    free_port,
    last_json,
    regionshift_command,
)

KEY = "reliability-races-function-key-0123456789"
REFUSED = "another run holds this plan"
EXPECTED = {"failover": Expectation("succeeded", "secondary"), "failback": Expectation("any", "home")}


@dataclass
class RaceTrial:
    kind: str
    seed: int
    starts: list[str]  # what was started, in order
    answers: list[str] = field(default_factory=list)  # HTTP status or CLI exit code of each start
    acted: list[str] = field(default_factory=list)  # operations whose run acted
    violations: list[Violation] = field(default_factory=list)


class ServeProcess:
    """`regionshift serve --plan PLAN --port PORT` beside the emulator, with a known function key."""

    def __init__(self, plan_path: Path, env: dict[str, str], workdir: Path) -> None:
        self.port = free_port()
        workdir.mkdir(parents=True, exist_ok=True)
        self._log = (workdir / "serve.log").open("w")
        command = regionshift_command("serve", "--plan", str(plan_path), "--port", str(self.port))
        self.process = subprocess.Popen(
            command, cwd=ROOT, env={**env, "REGIONSHIFT_FUNCTION_KEY": KEY}, stdout=self._log, stderr=self._log
        )
        deadline = time.monotonic() + 90
        while self.call("GET", "/api/runs")[0] != 200:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise ProcessError(f"serve did not start: {(workdir / 'serve.log').read_text()[-500:]}")
            time.sleep(0.2)

    def call(self, method: str, path: str, body: bytes | None = None) -> tuple[int | str, Any]:
        """(status, parsed body); the status is the exception's name when no answer came."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body, {"x-functions-key": KEY, "Content-Type": "application/json"})
            answer = connection.getresponse()
            raw = answer.read()
            try:
                return answer.status, json.loads(raw) if raw else None
            except ValueError:
                return answer.status, raw.decode("utf-8", "replace")
        except OSError as exc:
            return type(exc).__name__, None
        finally:
            connection.close()

    def report(self, instance_id: str, timeout: float = 300.0) -> dict[str, Any] | None:
        """The report of a run once it ended (None if it was never started)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, body = self.call("GET", f"/api/runs/{instance_id}")
            if status == 404:
                return None
            if status == 200 and body["runtime_status"] not in ("Running", "Pending"):
                return body.get("report") or {"status": body["runtime_status"], "steps": []}
            time.sleep(0.2)
        raise ProcessError(f"{instance_id} did not end within {timeout:.0f} s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)
        self._log.close()


def at_once(calls: list[Any]) -> list[Any]:
    """Run every call in its own thread, released together by a barrier; their results in order."""
    gate = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        gate.wait()
        results[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(600)
    return results


def cli_start(env: dict[str, str], operation: str, plan_path: Path, folder: Path) -> Any:
    command = regionshift_command(operation, str(plan_path), "--json", "--report-dir", str(folder / "reports"))
    run_env = {**env, "REGIONSHIFT_STATE_DIR": str(folder / "state")}
    return lambda: subprocess.run(command, cwd=ROOT, env=run_env, capture_output=True, text=True, timeout=600)


def attribution(plan: Plan, path: str, method: str) -> str | None:
    """The only operation that makes this write, or None when either could."""
    path = path.rstrip("/").lower()
    frg = group_path(plan.subscription_id, plan.failover_resource_group).lower()
    if path == frg:
        return "failover" if method == "PUT" else "failback" if method == "DELETE" else None
    if path.startswith(frg + "/") and method == "PUT":
        return "failover"
    for g in plan.sql_failover_groups:
        primary = sql_group_path(plan.subscription_of(g), g.resource_group, g.server, g.name).lower()
        if path.startswith(primary + "/"):
            return "failback"
        if path.endswith(f"/failovergroups/{g.name.lower()}/failover") or path.endswith("/forcefailoverallowdataloss"):
            return "failover"
    return "failover" if path.endswith("/offlineregion") else None


def judge(trial: RaceTrial, plan: Plan, emulator: EmulatorProcess, runs: list[tuple[str, dict[str, Any]]]) -> None:
    """Exactly one of the runs (operation, report) acted, alone; the refused ones wrote nothing;
    and the estate is where the acting run says it is."""
    requests = emulator.requests()
    acting = [(op, report) for op, report in runs if REFUSED not in str(report.get("reason", ""))]
    trial.acted = [op for op, _ in acting]
    for op, report in runs:
        if (op, report) not in acting and report.get("steps"):
            trial.violations.append(Violation(WRONG_STATE, f"a refused {op} reports steps: {report['steps'][:1]}"))
    if len(acting) != 1:
        trial.violations.append(Violation(WRONG_STATE, f"{len(acting)} runs acted: {trial.acted or 'none'}"))
        return
    operation, report = acting[0]
    made = writes(requests)
    others = {str(attribution(plan, str(w["path"]), str(w["method"]))) for w in made} - {"None", operation}
    if others:
        trial.violations.append(Violation(WRONG_STATE, f"the {operation} acted, but {sorted(others)} wrote too"))
    seen: dict[str, int] = {}
    for w in made:
        key = f"{w['method']} {w['path']}".lower()
        seen[key] = seen.get(key, 0) + 1
    trial.violations += [Violation(WRONG_STATE, f"{k} was sent {n} times") for k, n in seen.items() if n > 1]
    trial.violations += check(
        Trial(
            plan=plan,
            operation=operation,  # type: ignore[arg-type]
            expected=EXPECTED[operation],
            scenario={},
            state=emulator.state(),
            requests=requests,
            reports=[report],
        )
    )


def http_race(plan_path: Path, workdir: Path, seed: int, starts: int = 6) -> RaceTrial:
    rng = random.Random(seed)
    operations = [rng.choice(["failover", "failback"]) for _ in range(starts)]
    operations[:2] = ["failover", "failback"]  # both operations race in every trial
    rng.shuffle(operations)
    trial = RaceTrial("http", seed, operations)
    plan = load_plan(plan_path)
    with EmulatorProcess(plan_path, workdir / "emulator") as emulator:
        serve = ServeProcess(plan_path, cli_env(emulator, workdir / "serve", workdir / "leases"), workdir / "serve")
        try:
            emulator.clear_requests()
            answers = at_once(
                [lambda op=op: serve.call("POST", f"/api/plans/{plan.name}/{op}", b"") for op in operations]
            )
            trial.answers = [str(status) for status, _ in answers]
            for op, (status, body) in zip(operations, answers, strict=True):
                if status not in (202, 409):
                    trial.violations.append(Violation(UNCLEAN, f"POST {op} answered {status}: {body}"))
                elif status == 409 and f"-{plan.name}" not in json.dumps(body):
                    trial.violations.append(Violation(UNCLEAN, f"a 409 that names no run: {body}"))
            ended = [(op, serve.report(f"{op}-{plan.name}")) for op in ("failover", "failback")]
            judge(trial, plan, emulator, [(op, r) for op, r in ended if r is not None])
        finally:
            serve.stop()
    return trial


def cli_race(plan_path: Path, workdir: Path, seed: int, operations: tuple[str, str]) -> RaceTrial:
    """Two CLIs with state folders of their own (the run lease of this machine is shared)."""
    trial = RaceTrial(f"cli {operations[0]} | {operations[1]}", seed, list(operations))
    plan = load_plan(plan_path)
    with EmulatorProcess(plan_path, workdir / "emulator") as emulator:
        env = cli_env(emulator, workdir, workdir / "leases")
        emulator.clear_requests()
        done = at_once([cli_start(env, op, plan_path, workdir / f"cli{i}") for i, op in enumerate(operations)])
        trial.answers = [str(d.returncode) for d in done]
        runs = []
        for op, d in zip(operations, done, strict=True):
            report = last_json(d.stdout)
            if "Traceback" in d.stderr or report is None:
                trial.violations.append(Violation(UNCLEAN, f"{op} printed no report: {d.stderr[-300:]}"))
            else:
                runs.append((op, report))
        judge(trial, plan, emulator, runs)
    return trial


def cli_beside_serve(plan_path: Path, workdir: Path, seed: int) -> RaceTrial:
    trial = RaceTrial("cli+serve failover | failover", seed, ["cli failover", "http failover"])
    plan = load_plan(plan_path)
    with EmulatorProcess(plan_path, workdir / "emulator") as emulator:
        env = cli_env(emulator, workdir / "serve", workdir / "leases")
        serve = ServeProcess(plan_path, env, workdir / "serve")
        try:
            emulator.clear_requests()
            cli = cli_start(env, "failover", plan_path, workdir / "cli")
            done, (status, body) = at_once([cli, lambda: serve.call("POST", f"/api/plans/{plan.name}/failover", b"")])
            trial.answers = [str(done.returncode), str(status)]
            if status != 202:
                trial.violations.append(Violation(UNCLEAN, f"POST failover answered {status}: {body}"))
            runs = [("failover", r) for r in (last_json(done.stdout), serve.report(f"failover-{plan.name}")) if r]
            judge(trial, plan, emulator, runs)
        finally:
            serve.stop()
    return trial


def run_races(plan_path: Path, workdir: Path, *, http_trials: int, seed: int) -> list[RaceTrial]:
    def http(i: int) -> RaceTrial:
        return http_race(plan_path, workdir / f"http{i}", seed + i)

    races: list[tuple[str, Callable[[], RaceTrial]]] = [(f"http {i}", partial(http, i)) for i in range(http_trials)]
    races += [
        ("cli failover | failover", partial(cli_race, plan_path, workdir / "cli-ff", seed, ("failover", "failover"))),
        ("cli failover | failback", partial(cli_race, plan_path, workdir / "cli-fb", seed, ("failover", "failback"))),
        ("cli+serve failover | failover", partial(cli_beside_serve, plan_path, workdir / "cli-serve", seed)),
    ]
    trials = []
    for name, race in races:
        try:
            trials.append(race())
        except ProcessError as exc:  # a run that never ended, or a serve that never answered
            trials.append(RaceTrial(name, seed, [], violations=[Violation(UNCLEAN, str(exc))]))
    return trials
