"""`regionshift failback PLAN`: bring the workload back to its primary region (planned, no data loss).

With `--simulate` the emulator is first brought to the failed-over state by a planned failover
(both regions up): a failback needs a primary that has caught up, which a forced failover
during an outage does not leave behind until Microsoft brings the region back.
"""

from __future__ import annotations

from pathlib import Path

from regionshift.cli.confirm import confirm_run
from regionshift.cli.console import err
from regionshift.cli.environment import run_environment
from regionshift.cli.exit_codes import ExitCode
from regionshift.cli.runs import RunOptions, run_orchestration, run_quietly
from regionshift.names import Orchestrators
from regionshift.plan import load_plan


def failback(plan_path: Path, *, simulate: bool, scenario: Path | None, options: RunOptions) -> ExitCode:
    plan = load_plan(plan_path)
    with run_environment(plan, simulate=simulate, scenario_path=scenario, default_scenario=None) as settings:
        confirm_run("failback", plan, settings, simulate=simulate, yes=options.yes)
        if simulate:
            set_up = run_quietly(Orchestrators.FAILOVER, f"failover-{plan.name}", plan, settings)
            err.print(f"simulation: a planned failover ran first ({set_up.status}); now failing back")
        return run_orchestration("failback", Orchestrators.FAILBACK, plan, settings, options)
