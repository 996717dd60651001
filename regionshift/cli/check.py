"""`regionshift check PLAN`: would a failover work right now? A table of pass/fail with reasons.

Runs every readiness check (read-only), writes a report (operation "check") like every run, and
exits 1 when a check stops a failover: a required check that fails, or one left unknown about the
secondary region (or by a global service that did not answer); checks the plan lists in
`policy.advisory_checks` only warn. Unknown checks are never counted as passed. 0 otherwise.
`--drift` also compares the plan with the estate (`regionshift.discovery.drift`): each finding is a
failed `drift` check, so drift exits 1 too, unless the plan lists `drift` among its advisory checks.
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
from regionshift.azure.readiness import blocking, mark_advisory, run_checks
from regionshift.cli.console import err, out
from regionshift.cli.environment import run_environment
from regionshift.cli.exit_codes import ExitCode
from regionshift.contracts import RunReport, StepOutcome
from regionshift.discovery.drift import check_drift
from regionshift.plan import Plan, load_plan
from regionshift.reports import BlobTarget, ReportUploadError, write_report

_RESULT = {"succeeded": "[green]pass[/]", "failed": "[bold red]FAIL[/]", "skipped": "[yellow]unknown[/]"}


def check(
    plan_path: Path, *, simulate: bool, scenario: Path | None, json_output: bool, report_dir: Path, drift: bool = False
) -> ExitCode:
    plan = load_plan(plan_path)
    started_at = datetime.now(UTC)
    with run_environment(plan, simulate=simulate, scenario_path=scenario, default_scenario=None):
        results = run_checks(default_clients(), plan)
        if drift:
            results += mark_advisory(plan, check_drift(default_clients(), plan))
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
        reason="; ".join(f"{c.action} {c.resource}: {_word(c)}{c.detail}" for c in stopping),
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
        out.print(tally(results), highlight=False)
        verdict = f"[bold red]not ready: {_stops(plan, stopping)}[/]" if stopping else "[green]ready[/]"
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


def tally(results: list[StepOutcome]) -> str:
    """`14 passed, 1 failed, 1 unknown of 16`: an unknown check is never counted as passed."""
    passed = sum(1 for c in results if c.status in ("succeeded", "already_done"))
    failed = sum(1 for c in results if c.status == "failed" and not c.data.get("advisory"))
    advisory = sum(1 for c in results if c.status == "failed" and c.data.get("advisory"))
    unknown = sum(1 for c in results if c.status == "skipped")
    parts = [f"{passed} passed", f"{failed} failed", f"{unknown} unknown"] + (
        [f"{advisory} advisory"] if advisory else []
    )
    return f"{', '.join(parts)} of {len(results)}"


def _stops(plan: Plan, stopping: list[StepOutcome]) -> str:
    failed = sum(1 for c in stopping if c.status == "failed")
    unknown = len(stopping) - failed
    parts = ([f"{failed} required check(s) failed"] if failed else []) + (
        [f"{unknown} unknown that a failover into {plan.regions.secondary} depends on"] if unknown else []
    )
    return " and ".join(parts)


def _word(check: StepOutcome) -> str:
    return "unknown: " if check.status == "skipped" else ""


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
