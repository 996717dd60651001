"""Benchmark: the RTO of a failover against its lower bound, for generated estates of N resources.

For each size it seeds the emulator from a generated plan (regionshift_emulator/estates.py: two SQL
failover groups, two Cosmos DB accounts, three scale sets and three DNS records per ten resources,
over three subscriptions), takes the primary region down, turns ARM's throttling on, and runs a
person-started failover through the embedded Durable host with the real app, on a clock compressed
`--speed` times (the emulator's and the host's: the RTO is in Azure seconds). Then it reads:

- the RTO the run reports (host clock: Azure time) and its lower bound: the longest single modelled
  operation on the critical path (the emulator's latency for it, plus the evidence window a forced
  data step waits first: `policy.outage_evidence`), plus DNS (the longest TTL of the records the
  switch changes: the RTO ends when the last client that cached the old answer asks again,
  orchestrators/dns.py; the emulator's name servers answer a write at once), plus what ARM's write budget forces:
  max(0, (writes - 200) / 10) s for the subscription with the most writes (ARM's token bucket for
  writes, "Understand how Azure Resource Manager throttles requests", Learn);
- ARM requests, 429s, steps that failed because of throttling;
- orchestration CPU per resource (the whole process: app, host and emulator share it), peak memory,
  history events and bytes per instance (the host's SQLite store), episodes;
- the wall time the command takes after the RTO (reading the final state and publishing the report).

A compressed clock multiplies every real second of CPU into `speed` Azure seconds, so the figures are
honest only while the process is not CPU-bound: the larger the estate, the lower the speed it needs.

    .venv/bin/python benchmarks/rto.py --resources 10 100 --speed 10
    .venv/bin/python benchmarks/rto.py --resources 1000 --speed 2
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shlex
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the checkout: function_app sits at its root

from regionshift.azure.clients import reset_default_clients
from regionshift.contracts import RunReport, RunRequest
from regionshift.host import DurableHost
from regionshift.host.clock import ScaledClock
from regionshift.names import Orchestrators
from regionshift.plan import Plan
from regionshift_emulator.estates import generated_plan
from regionshift_emulator.services import SERVICES

ROOT = Path(__file__).resolve().parents[1]
WRITES = ("PUT", "POST", "PATCH", "DELETE")
WRITE_BURST, WRITE_REFILL = 200, 10.0  # ARM's documented token bucket for writes, per subscription


def lower_bound(plan: Plan, log: list[dict[str, Any]]) -> tuple[float, dict[str, float]]:
    """Azure seconds: the longest branch as the emulator models it, plus the write budget."""
    window = float(plan.policy.outage_evidence.window_seconds)
    paths: dict[str, float] = {}
    if any(s.mode == "create" for s in plan.scale_sets):
        paths["scale set create"] = operation_duration("compute.vmss.create")
    if any(s.mode == "scale" for s in plan.scale_sets):
        paths["scale set scale-up"] = operation_duration("compute.vmss.update")
    if plan.sql_failover_groups:
        paths["sql forced (after the evidence window)"] = window + operation_duration("sql.forceFailover")
    if plan.cosmos_accounts:
        paths["cosmos offline region (after the evidence window)"] = window + operation_duration("cosmos.offlineRegion")
    dns = max((float(r.ttl) for r in plan.dns_records), default=0.0)
    per_sub = Counter(r["path"].split("/")[2].lower() for r in log if r["method"] in WRITES)
    budget = max((max(0.0, (n - WRITE_BURST) / WRITE_REFILL) for n in per_sub.values()), default=0.0)
    return max(paths.values()) + dns + budget, {**paths, "dns (old TTL)": dns, "write budget": budget}


def phases(history: list[dict[str, Any]], started: str) -> dict[str, float]:
    """Azure seconds from the run's start to the end of each phase, read off the parent's history."""
    t0 = _time(started)
    names = {e["EventId"]: e.get("Name", "") for e in history if e["EventType"] in (4, 7)}  # scheduled, created
    ends: dict[str, float] = {}
    for event in history:
        if event["EventType"] in (5, 8):  # task completed, sub-orchestration completed
            name = names.get(event["TaskScheduledId"], "")
            ends[name] = round(_time(event["Timestamp"]) - t0, 1)
    return ends


def _time(stamp: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def history_figures(db: Path) -> dict[str, Any]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT instance_id, COUNT(*), SUM(LENGTH(event)) FROM history GROUP BY instance_id"
        ).fetchall()
    events = [r[1] for r in rows]
    sizes = [r[2] for r in rows]
    parent = next((r for r in rows if r[0] == "failover-bench"), (None, 0, 0))
    return {
        "instances": len(rows),
        "history_events_max": max(events, default=0),
        "history_bytes_max": max(sizes, default=0),
        "history_events_parent": parent[1],
        "history_bytes_parent": parent[2],
    }


def start_emulator(plan: Plan, scenario: dict[str, Any], work: Path) -> tuple[subprocess.Popen[bytes], dict[str, str]]:
    """The emulator in a process of its own (ARM is remote: its CPU is not regionshift's)."""
    plan_file, scenario_file, env_file = work / "plan.yaml", work / "scenario.yaml", work / "emulator.env"
    plan_file.write_text(yaml.safe_dump(plan.model_dump(mode="json", exclude_defaults=True)))
    scenario_file.write_text(yaml.safe_dump(scenario))
    command = [sys.executable, "-m", "regionshift", "emulator", "--plan", str(plan_file), "--port", "0"]
    command += ["--env-file", str(env_file), "--scenario", str(scenario_file)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not env_file.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("the emulator did not start")
        time.sleep(0.1)
    env = dict(shlex.split(line.removeprefix("export "))[0].split("=", 1) for line in env_file.read_text().splitlines())
    return process, env


def admin(env: dict[str, str], path: str) -> Any:
    context = ssl.create_default_context(cafile=env["REGIONSHIFT_CA_BUNDLE"])
    with urllib.request.urlopen(env["REGIONSHIFT_EMULATOR_ADMIN"] + path, context=context, timeout=120) as answer:
        return json.loads(answer.read())


def operation_duration(kind: str) -> float:
    """The emulator's Azure-like latency of an operation kind (no scenario overrides them here)."""
    return {k: v for spec in SERVICES for k, v in spec.operations.items()}[kind]


def run(resources: int, speed: float, throttling: bool) -> dict[str, Any]:
    plan = generated_plan(resources, name=f"bench{resources}")
    work = Path(tempfile.mkdtemp(prefix=f"rto-{resources}-"))
    scenario = {
        "outage": [plan.regions.primary],
        "speed": speed,
        "throttling": {"enabled": throttling},
        # Service-managed failover is due 30 emulated minutes into the outage: keep it out of the way,
        # so the benchmark measures regionshift, not the emulator's timer.
        "cosmos_automatic_failover_after": 10**7,
        # vCPU quota large enough for every scale set: the benchmark measures a failover that can work.
        "quotas": {"standardDSv5Family": 10**6, "cores": 10**6},
    }
    emulator, env = start_emulator(plan, scenario, work)
    try:
        os.environ.update(env)
        os.environ.update(
            {
                "REGIONSHIFT_LEASE_DIR": str(work / "leases"),
                "REGIONSHIFT_REPORT_DIR": str(work / "reports"),
                "REGIONSHIFT_STATE_DIR": str(work / "state"),
                "REGIONSHIFT_ARM_BUDGET_SCALE": str(speed),  # the emulator's buckets refill on its clock
            }
        )
        reset_default_clients()
        import function_app

        cpu0, wall0 = time.process_time(), time.monotonic()
        db = work / "durable.sqlite"
        with DurableHost(function_app.app, db, clock=ScaledClock(speed)) as host:
            request = RunRequest.new(plan, approved=True, started_by="benchmark")
            host.start_new(Orchestrators.FAILOVER, request.model_dump(mode="json"), "failover-bench")
            status = host.wait_for_completion("failover-bench", timeout=7200)
            timeline = phases(host.get_history("failover-bench"), status.output["started_at"])
        wall, cpu = time.monotonic() - wall0, time.process_time() - cpu0
        report = RunReport.model_validate(status.output)
        log = admin(env, "requests")["value"]
        (work / "requests.json").write_text(json.dumps(log))  # for a closer look: where the reads go
    finally:
        emulator.terminate()
        emulator.wait(30)
    bound, parts = lower_bound(plan, log)
    rto = report.rto_seconds
    verified = [_time(s.data["authoritative_at"]) for s in report.steps if s.data.get("authoritative_at")]
    verified_at = max(verified) - report.started_at.timestamp() if verified else None
    throttled_steps = [s for s in report.steps if "429" in s.detail or "TooManyRequests" in s.detail]
    return {
        "resources": resources,
        "speed": speed,
        "status": report.status,
        "reason": report.reason[:300],
        "rto_seconds": rto,
        "lower_bound_seconds": round(bound, 1),
        "lower_bound_parts": {k: round(v, 1) for k, v in parts.items()},
        "ratio": round(rto / bound, 3) if rto else None,
        "arm_requests": len(log),
        "arm_writes": sum(1 for r in log if r["method"] in WRITES),
        "http_429": sum(1 for r in log if r["status"] == 429),
        "steps_failed_by_throttling": len(throttled_steps),
        "cpu_seconds": round(cpu, 1),
        "cpu_ms_per_resource": round(1000 * cpu / resources, 1),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "wall_seconds": round(wall, 1),
        "work": str(work),
        "phase_ends": timeline,
        # After the RTO: reading the final state and publishing, in Azure seconds (negative: the
        # command ended before the last cached DNS answer expired).
        "after_rto_seconds": round(wall * speed - (rto or 0), 1) if rto else None,
        # After every authoritative name server answered the new targets (the switch is done).
        "after_dns_verified_seconds": round(wall * speed - verified_at, 1) if verified_at else None,
        **history_figures(db),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--resources", type=int, nargs="+", default=[10, 100])
    parser.add_argument("--speed", type=float, default=10.0)
    parser.add_argument("--no-throttling", action="store_true")
    parser.add_argument("--out", type=Path, help="also append each result as a JSON line to this file")
    args = parser.parse_args()
    for n in args.resources:
        line = json.dumps(run(n, args.speed, not args.no_throttling))
        print(line, flush=True)
        if args.out:
            with args.out.open("a") as out:
                out.write(line + "\n")


if __name__ == "__main__":
    main()
