"""`regionshift failover PLAN`: fail the plan's workload over to its secondary region."""

from __future__ import annotations

from pathlib import Path

from regionshift.cli.confirm import confirm_run
from regionshift.cli.environment import run_environment
from regionshift.cli.exit_codes import ExitCode
from regionshift.cli.runs import RunOptions, run_orchestration
from regionshift.names import Orchestrators
from regionshift.plan import load_plan


def failover(plan_path: Path, *, simulate: bool, scenario: Path | None, options: RunOptions) -> ExitCode:
    plan = load_plan(plan_path)
    with run_environment(plan, simulate=simulate, scenario_path=scenario) as settings:
        confirm_run("failover", plan, settings, simulate=simulate, yes=options.yes)
        return run_orchestration("failover", Orchestrators.FAILOVER, plan, settings, options)
