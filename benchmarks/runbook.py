"""Baseline: the same failover as teams run it today, a sequential runbook of Azure CLI commands.

Against the same emulator, scenario and clock as benchmarks/rto.py (the primary region down,
throttling on), the Azure CLI (2.91, in its own venv as tests/interop installs it) registered as a
custom cloud runs, one command after another: create the failover resource group; create every
`create` scale set (`az resource create` of the same definition regionshift sends) and scale every
`scale` one; force every SQL failover group over (`az sql failover-group set-primary
--allow-data-loss`); take the primary region offline in every Cosmos DB account (`az cosmosdb
offline-region`); point every DNS record at the secondary (`az network dns record-set cname
set-record`). Its RTO is the emulator time from the first command to the last.

    .venv/bin/python benchmarks/runbook.py --resources 10 --speed 10
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "interop"))

import azcli  # the interop tests' own driver of the Azure CLI
from azcli import AzCli, ensure_azure_cli

from regionshift.azure import compute
from regionshift.azure.ids import parse_resource_id
from regionshift_emulator.estates import generated_plan
from regionshift_emulator.server import Emulator


def runbook(cli: AzCli, plan: object) -> list[str]:
    """The commands, in a runbook's order; each must succeed."""
    done: list[str] = []

    def az(*args: str) -> None:
        cli.json(*args)
        done.append(" ".join(args[:4]))

    group = plan.failover_resource_group  # type: ignore[attr-defined]
    az("group", "create", "-n", group, "-l", plan.regions.secondary, "--subscription", plan.subscription_id)  # type: ignore[attr-defined]
    for scale_set in plan.scale_sets:  # type: ignore[attr-defined]
        if scale_set.mode == "create":
            definition = compute._definition(plan, scale_set, scale_set.capacity, {"regionshift-plan": "runbook"})  # type: ignore[arg-type]
            vmss_id = compute.scale_set_id(plan, scale_set, group)  # type: ignore[arg-type]
            az(
                "resource",
                "create",
                "--id",
                vmss_id,
                "--api-version",
                "2026-04-01",
                "--is-full-object",  # the body as regionshift sends it: location, sku, properties, tags
                "--properties",
                json.dumps(definition),
            )
        else:
            rid = parse_resource_id(str(scale_set.scale_set))
            az(
                "vmss",
                "scale",
                "-g",
                rid.resource_group,
                "-n",
                rid.name,
                "--new-capacity",
                str(scale_set.capacity),
                "--subscription",
                rid.subscription_id,
            )
    for fg in plan.sql_failover_groups:  # type: ignore[attr-defined]
        az(
            "sql",
            "failover-group",
            "set-primary",
            "-s",
            str(fg.partner_server),
            "-g",
            str(fg.partner_resource_group),
            "-n",
            fg.name,
            "--allow-data-loss",
            "--subscription",
            plan.subscription_of(fg),
        )  # type: ignore[attr-defined]
    for account in plan.cosmos_accounts:  # type: ignore[attr-defined]
        az(
            "cosmosdb",
            "offline-region",
            "-g",
            account.resource_group,
            "-n",
            account.name,
            "--region",
            plan.regions.primary,
            "--subscription",
            plan.subscription_of(account),
        )  # type: ignore[attr-defined]
    for record in plan.dns_records:  # type: ignore[attr-defined]
        az(
            "network",
            "dns",
            "record-set",
            "cname",
            "set-record",
            "-g",
            record.resource_group,
            "-z",
            record.zone,
            "-n",
            record.name,
            "-c",
            str(record.secondary),
            "--subscription",
            plan.subscription_of(record),
        )  # type: ignore[attr-defined]
    return done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--resources", type=int, default=10)
    parser.add_argument("--speed", type=float, default=10.0)
    args = parser.parse_args()
    azcli.COMMAND_TIMEOUT = 3600  # a command waits for its operation: a scale set's creation takes minutes
    plan = generated_plan(args.resources, name=f"runbook{args.resources}")
    scenario = {
        "outage": [plan.regions.primary],
        "speed": args.speed,
        "throttling": {"enabled": True},
        "cosmos_automatic_failover_after": 10**7,
        "quotas": {"standardDSv5Family": 10**6, "cores": 10**6},
    }
    work = Path(tempfile.mkdtemp(prefix="runbook-"))
    with Emulator(plan, scenario, workdir=work) as emu:
        cli = AzCli(ensure_azure_cli(), work / "az", emu)
        cli.connect()
        started = emu.state.clock.now()
        wall = time.monotonic()
        commands = runbook(cli, plan)
        rto = emu.state.clock.now() - started
    print(
        json.dumps(
            {
                "resources": args.resources,
                "speed": args.speed,
                "commands": len(commands),
                "runbook_rto_seconds": round(rto, 1),
                "wall_seconds": round(time.monotonic() - wall, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
