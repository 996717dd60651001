"""The live view a person watches during a run: words, not internal names; a check's verdict, never
"succeeded" for a failed one; one line per row, the whole of it in an 80x25 terminal."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_runs import app_host
from rich.console import Console

from regionshift.cli.progress import BranchRow, ProgressReader, progress_table, status_words
from regionshift.contracts import RunRequest
from regionshift.names import Activities, Orchestrators
from regionshift_emulator.harness import app_on_emulator, example_plan

# Identifiers a person would not call a step (plain words such as "failover" are fine).
INTERNAL = [
    *(v for k, v in vars(Orchestrators).items() if k.isupper() and "_" in v),
    *(v for k, v in vars(Activities).items() if k.isupper() and "_" in v),
    "data_and_compute",
    "already_done",
]


def render(phase: str, rows: list[BranchRow], width: int = 80, height: int = 25) -> list[str]:
    console = Console(width=width, height=height, record=True, color_system=None)
    console.print(progress_table(phase, rows, width, height))
    return console.export_text().splitlines()


def test_a_real_runs_failed_check_reads_failed_and_the_view_fits_80_by_25(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = example_plan(data_loss="forbid")  # primary down: the SQL readiness check fails
    with app_on_emulator(plan, {"outage": ["eastus2"]}, tmp_path, monkeypatch), app_host(tmp_path) as host:
        request = RunRequest.new(plan, started_by="test", approved=True)
        host.start_new(Orchestrators.FAILOVER, request.model_dump(mode="json"), instance_id="failover-view")
        host.wait_for_completion("failover-view", timeout=120)
        rows = ProgressReader(host).rows("failover-view")
    checks = {r.resource.rsplit("/", 1)[-1]: status_words(r)[0] for r in rows if r.activity == "readiness check"}
    assert checks["fg-orders"] == "FAILED"
    assert checks["run lease of plan contoso-web"] == "warning"  # advisory: it only warns
    assert "succeeded" not in checks.values() and "passed" in checks.values()
    lines = render("data_and_compute", rows)
    assert len(lines) <= 24 and max(len(line) for line in lines) <= 80
    text = "\n".join(lines)
    assert "phase: failing over data and compute" in text
    assert not [name for name in INTERNAL if name in text]


def test_more_rows_than_fit_keep_what_runs_and_what_failed_and_count_the_rest() -> None:
    rows = [BranchRow("readiness check", f"check-{i}", "succeeded", "fine " * 30) for i in range(40)]
    rows.insert(3, BranchRow("readiness check", "fg-orders", "failed", "the primary does not answer " * 5))
    rows += [BranchRow("SQL failover group", "sql-eus2/fg-orders", "probing"), BranchRow("scale set", "web", "waiting")]
    lines = render("dns", rows)
    assert len(lines) <= 24 and max(len(line) for line in lines) <= 80
    text = "\n".join(lines)
    assert "probing" in text and "waiting" in text and "FAILED" in text
    assert any(line.startswith("… and ") and "passed" in line for line in lines)
    # Cut rows end in an ellipsis, and their status is whole.
    (failed,) = [line for line in lines if "fg-orders" in line and "FAILED" in line]
    assert failed.rstrip().endswith("…") and failed.startswith("FAILED")


def test_status_words() -> None:
    assert status_words(BranchRow("readiness check", "x", "skipped"))[0] == "unknown"
    assert status_words(BranchRow("scale set", "web", "already_done"))[0] == "already done"
    assert status_words(BranchRow("DNS record", "www", "failed"))[0] == "FAILED"
    assert status_words(BranchRow("DNS record", "www", "ended"))[0] == "ended"
