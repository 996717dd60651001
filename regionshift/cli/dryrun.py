"""`regionshift plan PLAN`: the dry run. From the current state, the exact steps a failover would
take now (resource, action, planned or forced, already done), changing nothing, and the RTO they
would take (`regionshift.forecast`: the durations of this plan's recent runs in `--report-dir` and
its report container, else documented Azure figures), with a warning when its p90 exceeds
`policy.rto_target_minutes`.

Exit 0 when every step would run (or is already done), 1 when some step would fail (the table
says why), 2 for a bad plan. `--simulate` previews against an in-process emulator with the same
default as `failover --simulate` (the primary region down), so the two agree.
"""

from __future__ import annotations

import json
from pathlib import Path

from rich.table import Table

from regionshift.azure.clients import default_clients
from regionshift.azure.dryrun import preview_plan
from regionshift.azure.planned import PlannedStep
from regionshift.cli.check import short_resource
from regionshift.cli.console import out
from regionshift.cli.environment import run_environment
from regionshift.cli.exit_codes import ExitCode
from regionshift.forecast import Forecast, dns_ttl, forecast, history_from_reports, minutes
from regionshift.forecast_history import recent_reports
from regionshift.plan import load_plan

_STATUS = {
    "to_do": "[cyan]to do[/]",
    "already_done": "[green]already done[/]",
    "would_fail": "[bold red]would fail[/]",
    "skipped": "[yellow]would not run[/]",
}


def dry_run(
    plan_path: Path, *, simulate: bool, scenario: Path | None, json_output: bool, report_dir: Path = Path("reports")
) -> ExitCode:
    plan = load_plan(plan_path)
    with run_environment(plan, simulate=simulate, scenario_path=scenario):
        steps = preview_plan(default_clients(), plan)
        history = history_from_reports(recent_reports(plan.context(), report_dir))
        predicted = forecast(plan, steps, history, dns_ttl=dns_ttl(plan))
    if json_output:
        body = {
            "plan": plan.name,
            "steps": [s.model_dump(mode="json") for s in steps],
            "forecast": predicted.model_dump(mode="json"),
        }
        out.print_json(json.dumps(body))
    else:
        out.print(
            steps_table(steps, f"If {plan.name} failed over now ({plan.regions.primary} → {plan.regions.secondary})")
        )
        out.print(forecast_table(predicted))
        style = "bold red" if predicted.over_target else "bold"
        out.print(f"[{style}]{predicted.summary()}[/]", highlight=False)
        for note in predicted.notes:
            out.print(f"[{'bold red' if note.startswith('the p90') else 'dim'}]note: {note}[/]", highlight=False)
        out.print("nothing was changed (dry run)")
    return ExitCode.FAILED if any(s.status == "would_fail" for s in steps) else ExitCode.OK


def forecast_table(predicted: Forecast) -> Table:
    table = Table(title="RTO forecast (critical path)", title_justify="left")
    for column in ("Phase", "Step", "About", "p50", "p90", "From"):
        table.add_column(column, overflow="fold")
    for leg in predicted.legs:
        table.add_row(leg.phase, leg.key, leg.label, minutes(leg.p50_seconds), minutes(leg.p90_seconds), leg.source)
    return table


def steps_table(steps: list[PlannedStep], title: str) -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("#", "Kind", "Resource", "Action", "Mode", "Status", "Detail"):
        table.add_column(column, overflow="fold")
    for index, s in enumerate(steps, 1):
        mode = ("forced" if s.forced else "planned" if s.forced is False else "") if s.status == "to_do" else ""
        table.add_row(
            str(index), s.kind, short_resource(s.resource), s.action, mode, _STATUS.get(s.status, s.status), s.detail
        )
    return table
