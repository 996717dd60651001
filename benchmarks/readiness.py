"""Benchmark: how long the readiness phase of a failover takes for a generated plan of N resources.

It seeds the emulator from a generated plan (a quarter each of scale sets, SQL failover groups,
Cosmos DB accounts and DNS records, spread over a few resource groups), runs a person-started
failover through the embedded Durable host with the real app, and reads the readiness phase off
the instance's history: from the event that starts it (the readiness activity or sub-orchestration
being scheduled) to the event that ends it. Reading the history, not wrapping a function, measures
what lands on the RTO, scheduling included, and works for any shape of the phase.

The emulator answers a read in about a millisecond; ARM takes tens of milliseconds. `--arm-latency`
adds that much to every request the emulator serves, so the figure resembles Azure's.

    .venv/bin/python benchmarks/readiness.py --resources 100 --arm-latency 0.05 --runs 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the checkout: function_app sits at its root

from regionshift.azure.clients import reset_default_clients
from regionshift.contracts import RunRequest
from regionshift.host import DurableHost
from regionshift.names import Orchestrators
from regionshift.plan import Plan
from regionshift_emulator import server
from regionshift_emulator.core.app import EmulatorApp

SUB = "00000000-0000-0000-0000-000000000000"
GROUPS = 5  # resource groups per kind: the permissions check asks once per group
SCHEDULED, COMPLETED, SUB_CREATED, SUB_COMPLETED = 4, 5, 7, 8


def generated_plan(resources: int) -> Plan:
    """A valid plan with `resources` entries, a quarter of each kind (scale sets half create, half scale)."""
    each = max(resources // 4, 1)
    rid = f"/subscriptions/{SUB}/resourceGroups"
    scale_sets: list[dict[str, Any]] = []
    for i in range(each):
        if i % 2 == 0:
            scale_sets.append(
                {
                    "name": f"web{i}",
                    "mode": "create",
                    "capacity": 1,
                    "sku": "Standard_D2s_v5",
                    "image": f"{rid}/rg-images/providers/Microsoft.Compute/galleries/gal/images/web{i}/versions/1.0.0",
                    "subnet": f"{rid}/rg-net-cus/providers/Microsoft.Network/virtualNetworks/vnet-cus/subnets/web{i}",
                    "backend_pool": f"{rid}/rg-net-cus/providers/Microsoft.Network/loadBalancers/lb-cus"
                    f"/backendAddressPools/web{i}",
                }
            )
        else:
            scale_sets.append(
                {
                    "name": f"worker{i}",
                    "mode": "scale",
                    "capacity": 1,
                    "scale_set": f"{rid}/rg-compute-cus{i % GROUPS}/providers/Microsoft.Compute"
                    f"/virtualMachineScaleSets/worker{i}",
                }
            )
    return Plan.model_validate(
        {
            "name": "bench",
            "subscription_id": SUB,
            "regions": {"primary": "eastus2", "secondary": "centralus"},
            "failover_resource_group": "bench-dr",
            "sql_failover_groups": [
                {"resource_group": f"rg-data{i % GROUPS}", "server": f"sql{i}", "name": f"fg{i}"} for i in range(each)
            ],
            "cosmos_accounts": [{"resource_group": f"rg-data{i % GROUPS}", "name": f"cosmos{i}"} for i in range(each)],
            "scale_sets": scale_sets,
            "dns_records": [
                {
                    "resource_group": f"rg-dns{i % GROUPS}",
                    "zone": f"zone{i % GROUPS}.example.com",
                    "name": f"app{i}",
                    "type": "CNAME",
                    "ttl": 60,
                    "primary": f"app{i}-eus2.example.net",
                    "secondary": f"app{i}-cus.example.net",
                }
                for i in range(each)
            ],
            "policy": {"data_loss": "allow"},
        }
    )


def _slow_app(delay: float) -> type[EmulatorApp]:
    class SlowApp(EmulatorApp):
        def __call__(self, environ: Any, start_response: Any) -> Any:
            time.sleep(delay)  # the emulator is threaded: concurrent requests wait side by side, as on ARM
            return super().__call__(environ, start_response)

    return SlowApp


def readiness_seconds(history: list[dict[str, Any]]) -> float:
    """From the readiness phase's first event to its last: an activity or a sub-orchestration."""
    start = next(
        e
        for e in history
        if (e["EventType"] == SCHEDULED and "readiness" in e.get("Name", ""))
        or (e["EventType"] == SUB_CREATED and "readiness" in e.get("Name", ""))
    )
    end = next(
        e
        for e in history
        if e["EventType"] in (COMPLETED, SUB_COMPLETED) and e.get("TaskScheduledId") == start["EventId"]
    )
    return (datetime.fromisoformat(end["Timestamp"]) - datetime.fromisoformat(start["Timestamp"])).total_seconds()


def one_run(plan: Plan, workdir: Path, index: int) -> tuple[float, int]:
    import function_app

    scenario = {"latencies": {"default": 0}, "quotas": {"standardDSv5Family": 100000, "cores": 100000}}
    with server.Emulator(plan, scenario, workdir=workdir / f"emu{index}") as emu:
        os.environ.update(emu.env)
        os.environ["REGIONSHIFT_POLLING_INTERVAL"] = "0.01"
        os.environ["REGIONSHIFT_STATE_DIR"] = str(workdir / "state")
        reset_default_clients()
        with DurableHost(function_app.app, workdir / f"durable{index}.sqlite") as host:
            request = RunRequest(plan=plan.model_dump(mode="json"), started_by="cli:bench", approved=True)
            instance = host.start_new(Orchestrators.FAILOVER, request.model_dump(mode="json"), f"bench-{index}")
            status = host.wait_for_completion(instance, timeout=1800)
            assert status.output is not None, status.failure
            checks = len(status.output["readiness"])
            return readiness_seconds(host.get_history(instance)), checks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=100)
    parser.add_argument("--arm-latency", type=float, default=0.0, help="seconds added to every emulator request")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.arm_latency:
        server.EmulatorApp = _slow_app(args.arm_latency)  # type: ignore[misc]
    plan = generated_plan(args.resources)
    with tempfile.TemporaryDirectory(prefix="regionshift-bench-") as tmp:
        results = [one_run(plan, Path(tmp), i) for i in range(args.runs)]
    times = [t for t, _ in results]
    print(
        f"resources={args.resources} arm_latency={args.arm_latency}s checks={results[0][1]} "
        f"readiness median={statistics.median(times):.2f}s runs={' '.join(f'{t:.2f}' for t in times)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
