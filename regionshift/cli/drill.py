"""`regionshift drill PLAN`: build the secondary's compute in a drill resource group of its own,
measure it, and always delete it again — without touching production data or DNS."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from orchestrators.drill import drill_resource_group
from regionshift.cli.environment import run_environment
from regionshift.cli.exit_codes import ExitCode
from regionshift.cli.runs import RunOptions, run_orchestration, who
from regionshift.contracts import RunRequest
from regionshift.names import Orchestrators
from regionshift.plan import load_plan


def drill(plan_path: Path, *, simulate: bool, scenario: Path | None, options: RunOptions) -> ExitCode:
    plan = load_plan(plan_path)
    group = drill_resource_group(plan, datetime.now(UTC).strftime("%Y%m%d%H%M%S"))
    request = RunRequest.new(plan, started_by=who(), approved=True, resource_group=group)
    with run_environment(plan, simulate=simulate, scenario_path=scenario, default_scenario=None) as settings:
        return run_orchestration("drill", Orchestrators.DRILL, plan, settings, options, request)
