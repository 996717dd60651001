"""`regionshift check PLAN`: would a failover work right now? A table of pass/fail with reasons.

Runs every readiness check (read-only), writes a report (operation "check") like every run, and
exits 1 when a required check fails (checks the plan lists in `policy.advisory_checks` only warn),
0 otherwise; a check that could not be answered now is shown as unknown and does not fail.
`--simulate` checks an in-process emulator seeded from the plan, with every region up unless
`--scenario` says otherwise.
"""

from __future__ import annotations

import getpass
import json
from datetime import UTC, datetime
from pathlib import Path

from rich.table import Table

from regionshift.azure.clients import default_clients
from regionshift.azure.readiness import blocking, run_checks
from regionshift.cli.console import err, out
from regionshift.cli.environment import run_environment
from regionshift.cli.exit_codes import ExitCode
from regionshift.contracts import RunReport, StepOutcome
from regionshift.plan import load_plan
from regionshift.reports import BlobTarget, ReportUploadError, write_report

_RESULT = {"succeeded": "[green]pass[/]", "failed": "[bold red]FAIL[/]", "skipped": "[yellow]unknown[/]"}


def check(plan_path: Path, *, simulate: bool, scenario: Path | None, json_output: bool, report_dir: Path) -> ExitCode:
    plan = load_plan(plan_path)
    started_at = datetime.now(UTC)
    with run_environment(plan, simulate=simulate, scenario_path=scenario, default_scenario=None):
        results = run_checks(default_clients(), plan)
    stopping = blocking(plan, results)
    report = RunReport(
        operation="check",
        plan=plan.name,
        instance_id=f"check-{plan.name}-{started_at:%Y%m%dT%H%M%SZ}",
        status="failed" if stopping else "succeeded",
        started_at=started_at,
        ended_at=datetime.now(UTC),
        started_by=_who(),
        readiness=results,
        reason="; ".join(f"{c.action} {c.resource}: {c.detail}" for c in stopping),
    )
    try:
        files = write_report(report, report_dir, upload=BlobTarget.for_plan(plan))
        written = f"{files.json_path} and {files.html_path}" + "".join(f", {u}" for u in files.blob_urls)
    except ReportUploadError as exc:
        err.print(f"[yellow]report not uploaded[/]: {exc}")
        written = " and ".join(str(p) for p in exc.paths)
    if json_output:
        out.print_json(json.dumps(report.model_dump(mode="json")))
    else:
        out.print(checks_table(results))
        verdict = f"[bold red]{len(stopping)} required check(s) failed[/]" if stopping else "[green]ready[/]"
        out.print(f"{plan.name}: {verdict} ({plan.regions.primary} → {plan.regions.secondary})")
    err.print(f"report: {written}", highlight=False)
    return ExitCode.FAILED if stopping else ExitCode.OK


def checks_table(results: list[StepOutcome]) -> Table:
    table = Table(title="Readiness checks", title_justify="left")
    for column in ("Result", "Check", "Resource", "Reason"):
        table.add_column(column, overflow="fold")
    for c in results:
        result = _RESULT.get(c.status, c.status)
        if c.status == "failed" and c.data.get("advisory"):
            result = "[yellow]FAIL (advisory)[/]"
        table.add_row(result, c.action, short_resource(c.resource), c.detail)
    return table


def short_resource(resource: str) -> str:
    """`failoverGroups/fg-orders` for a long resource id; names and FQDNs as they are."""
    parts = resource.strip("/").split("/")
    if len(parts) >= 4 and parts[0].lower() == "subscriptions":
        return "/".join(parts[-2:])
    return resource


def _who() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"
