"""Concurrent starts, bounded: one race of failovers and failbacks POSTed at once to `regionshift
serve`; exactly one run acts, the others are refused with a 409 or a report naming the holder."""

from __future__ import annotations

from pathlib import Path

from regionshift.lease import LeaseRequest, acquire_lease
from regionshift.plan import load_plan
from reliability.invariants import writes
from reliability.processes import ROOT, EmulatorProcess, cli_env
from reliability.races import ServeProcess, at_once, attribution, cli_race, http_race


def test_concurrent_http_starts_let_exactly_one_run_act(tmp_path: Path) -> None:
    trial = http_race(ROOT / "plans" / "example.yaml", tmp_path, seed=7)
    assert trial.violations == [], trial.answers
    assert len(trial.acted) == 1
    assert set(trial.answers) <= {"202", "409"} and "409" in trial.answers


def test_writes_are_attributed_only_to_the_operation_that_makes_them() -> None:
    plan = load_plan(ROOT / "plans" / "example.yaml")
    sub = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups"
    assert attribution(plan, f"{sub}/contoso-dr", "PUT") == "failover"
    assert attribution(plan, f"{sub}/contoso-dr", "DELETE") == "failback"
    assert (
        attribution(
            plan, f"{sub}/rg-dr-cus/providers/Microsoft.Sql/servers/sql-cus/failoverGroups/fg-orders/failover", "POST"
        )
        == "failover"
    )
    assert (
        attribution(
            plan,
            f"{sub}/rg-data-eus2/providers/Microsoft.Sql/servers/sql-eus2/failoverGroups/fg-orders/failover",
            "POST",
        )
        == "failback"
    )
    assert (
        attribution(plan, f"{sub}/rg-dr-cus/providers/Microsoft.Network/dnsZones/contoso.com/CNAME/www", "PUT") is None
    )


def test_two_clis_with_their_own_state_folders_let_exactly_one_act(tmp_path: Path) -> None:
    """Issue 7, case 4: two CLIs on different state folders had no exclusion at all."""
    trial = cli_race(ROOT / "plans" / "example.yaml", tmp_path, seed=7, operations=("failover", "failover"))
    assert trial.violations == [], trial.answers
    assert trial.acted == ["failover"] and sorted(trial.answers) == ["0", "1"]


def test_racing_starts_of_a_run_that_ends_at_once_are_each_answered_202_or_409(tmp_path: Path) -> None:
    """The plan's lease is held by another host's run, so every failover serve starts ends at once,
    refused. A start that raced the first one was refused by the task hub (the instance existed),
    but by the time the trigger looked, that instance had already ended: it answered 503 "try
    again" instead of 409 (found by the chaos suite)."""
    plan_path = ROOT / "plans" / "example.yaml"
    plan = load_plan(plan_path)
    leases = tmp_path / "leases"
    holder = LeaseRequest(
        plan=plan.context().model_dump(mode="json"), operation="drill", instance_id="drill-elsewhere", run_id="r0"
    )
    assert acquire_lease(holder, {"REGIONSHIFT_LEASE_DIR": str(leases)}).granted
    with EmulatorProcess(plan_path, tmp_path / "emulator") as emulator:
        serve = ServeProcess(plan_path, cli_env(emulator, tmp_path / "serve", leases), tmp_path / "serve")
        try:
            path = f"/api/plans/{plan.name}/failover"
            for _ in range(3):
                answers = at_once([lambda: serve.call("POST", path, b"") for _ in range(8)])
                assert {status for status, _ in answers} <= {202, 409}, answers
                serve.report(f"failover-{plan.name}")
        finally:
            serve.stop()
        assert writes(emulator.requests()) == []
