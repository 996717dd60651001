"""The end-of-run summary the CLI prints: a rich table of steps with durations, then RTO, RPO, status.

Built from the same timeline geometry as the HTML page, so "+12s" and "4.1 s" mean the same thing in
the terminal and in the report.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from regionshift.contracts import RunReport
from regionshift.reports.html import run_duration
from regionshift.reports.labels import KIND_WORDS, OPERATION_WORDS, RICH_STYLES, STATUS_WORDS, humanize, short_resource
from regionshift.reports.next_steps import steps_for
from regionshift.reports.target import rto_against_target
from regionshift.reports.timeline import build_timeline, format_duration, format_offset


def render_text_summary(report: RunReport, plan_file: str | None = None) -> RenderableType:
    """A renderable for `rich.console.Console.print`: the steps table, the headline figures and what to
    do next (with `plan_file` in the commands when the caller knows the plan's path)."""
    timeline = build_timeline(report)
    table = Table(title=f"{OPERATION_WORDS[report.operation]} {report.plan}", title_justify="left", expand=False)
    table.add_column("#", justify="right", style="dim")
    table.add_column("status")
    table.add_column("step")
    table.add_column("resource", overflow="fold")
    table.add_column("start", justify="right")
    table.add_column("took", justify="right")
    table.add_column("detail", overflow="fold", max_width=60)
    for bar in timeline.bars:
        s = bar.step
        table.add_row(
            str(bar.index + 1),
            Text(STATUS_WORDS[s.status], style=RICH_STYLES[s.status]),
            f"{KIND_WORDS.get(s.kind, s.kind)} {humanize(s.action)}",
            short_resource(s.resource),
            format_offset(bar.start_s) if bar.start_s is not None else "—",
            format_duration(bar.duration_s),
            Text(s.detail, style="red" if s.status == "failed" else ""),
        )
    lines = Text()
    lines.append("status ", style="bold")
    lines.append(report.status.upper(), style=RICH_STYLES["failed" if report.status == "failed" else "succeeded"])
    lines.append("   RTO ", style="bold")
    lines.append(format_duration(report.rto_seconds) if report.rto_seconds is not None else "not reached")
    against = rto_against_target(report)
    if against:
        lines.append(f" ({against[0]})", style="red" if against[1] else "green")
    lines.append("   RPO estimate ", style="bold")
    lines.append(format_duration(report.rpo_seconds) if report.rpo_seconds is not None else "not measured")
    lines.append("   run time ", style="bold")
    lines.append(format_duration(run_duration(report)))
    parts: list[RenderableType] = [table, lines]
    if report.reason:
        parts.append(Text(f"reason: {report.reason}", style="red" if report.status == "failed" else ""))
    failed_checks = [c for c in report.readiness if c.status == "failed"]
    if failed_checks:
        parts.append(Text(f"{len(failed_checks)} readiness check(s) failed", style="bold red"))
    if report.published is False:
        parts.append(Text("report NOT published:", style="bold red"))
        parts.extend(Text(f"  {problem}", style="red") for problem in report.publish_problems)
    for resume in report.resumes:
        who = f" by {resume.by}" if resume.by else ""
        parts.append(
            Text(
                f"interrupted and resumed: started {report.started_at:%Y-%m-%d %H:%M:%S} UTC, resumed {resume.at}{who}",
                style="yellow",
            )
        )
    parts.append(Text("what to do next:", style="bold"))
    steps = steps_for(report, plan_file)
    for number, step in enumerate(steps, 1):
        parts.append(Text(f"  {number}. {step.title}", style="bold"))
        if step.detail:
            parts.append(Text(f"     {step.detail}"))
        parts.extend(Text(f"       $ {command}", style="cyan") for command in step.commands)
    return Group(*parts)
