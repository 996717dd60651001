"""The actual RTO against the plan's target (`policy.rto_target_minutes`), in words every report uses."""

from __future__ import annotations

from regionshift.contracts import RunReport
from regionshift.reports.timeline import format_duration


def rto_against_target(report: RunReport) -> tuple[str, bool] | None:
    """(how the RTO compares with the target, whether it missed it); None when the plan has no target."""
    if report.rto_target_seconds is None:
        return None
    target = format_duration(report.rto_target_seconds)
    if report.rto_seconds is None:
        return f"target {target}: not reached", True
    over = report.rto_seconds - report.rto_target_seconds
    if over > 0:
        return f"over the target of {target} by {format_duration(over)}", True
    return f"within the target of {target}", False
