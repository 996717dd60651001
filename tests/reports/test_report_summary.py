"""The terminal summary the CLI prints at the end of a run."""

from __future__ import annotations

from rich.console import Console

from regionshift.contracts import RunReport
from regionshift.reports import render_text_summary


def _text(report: RunReport) -> str:
    console = Console(width=200, record=True, color_system=None)
    console.print(render_text_summary(report))
    return console.export_text()


def test_summary_lists_every_step_with_its_duration(report: RunReport) -> None:
    text = _text(report)
    lines = [line for line in text.splitlines() if "│" in line or "┃" in line]
    for name, took in [("fg-orders", "1 m 16 s"), ("worker-cus", "2 m 10 s"), ("contoso-dr", "300 ms")]:
        assert any(name in line and took in line for line in lines), name
    assert "FAILED" in text and "QuotaExceeded" in text


def test_summary_ends_with_status_rto_and_rpo(report: RunReport) -> None:
    text = _text(report)
    assert "status FAILED" in text
    assert "RTO 3 m 54 s" in text
    assert "RPO estimate 4.2 s" in text
    assert "1 readiness check(s) failed" in text


def test_summary_of_a_run_without_figures_says_what_is_missing(report: RunReport) -> None:
    text = _text(report.model_copy(update={"rto_seconds": None, "rpo_seconds": None, "readiness": []}))
    assert "RTO not reached" in text and "RPO estimate not measured" in text
    assert "readiness" not in text
