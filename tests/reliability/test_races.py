"""Concurrent starts, bounded: one race of failovers and failbacks POSTed at once to `regionshift
serve`; exactly one run acts, the others are refused with a 409 or a report naming the holder."""

from __future__ import annotations

from pathlib import Path

from regionshift.plan import load_plan
from reliability.processes import ROOT
from reliability.races import attribution, cli_race, http_race


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
