"""A readiness check that could not be answered is never counted as passed, in the page or the CLI."""

from __future__ import annotations

from datetime import UTC, datetime

from regionshift.cli.check import tally
from regionshift.contracts import RunReport, StepOutcome
from regionshift.reports.html import render_html


def _check(action: str, status: str) -> StepOutcome:
    return StepOutcome(kind="check", resource=f"rg/{action}", action=action, status=status, detail=status)  # type: ignore[arg-type]


CHECKS = [_check("subnet", "succeeded"), _check("scale_set", "skipped"), _check("dns_record", "failed")]


def test_the_page_counts_one_of_three_passed_when_one_is_unknown_and_one_failed() -> None:
    now = datetime.now(UTC)
    report = RunReport(
        operation="check",
        plan="p",
        instance_id="check-p",
        status="failed",
        started_at=now,
        ended_at=now,
        readiness=CHECKS,
    )
    page = render_html(report)
    assert "1 of 3 passed" in page
    assert ">unknown<" in page


def test_the_cli_tally_names_unknowns_apart_from_passes() -> None:
    assert tally(CHECKS) == "1 passed, 1 failed, 1 unknown of 3"
