"""Writing a report: the JSON is exactly a RunReport, file names sort by time, secrets stay out."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from regionshift.contracts import RunReport, StepOutcome
from regionshift.reports import report_stem, write_report
from regionshift.reports.next_steps import next_steps


def test_json_round_trips_to_the_same_run_report_with_its_next_steps(report: RunReport, tmp_path: Path) -> None:
    files = write_report(report, tmp_path)
    written = RunReport.model_validate_json(files.json_path.read_text(encoding="utf-8"))
    assert written.next_steps, "every written report says what to do next"
    assert written == report.model_copy(update={"next_steps": written.next_steps})
    assert written.next_steps == next_steps(report)


def test_files_are_named_operation_plan_utc_start(report: RunReport, tmp_path: Path) -> None:
    files = write_report(report, tmp_path / "nested" / "dir")
    assert files.json_path.name == "failover-contoso-web-20250314T021705Z.json"
    assert files.html_path == files.json_path.with_suffix(".html")
    assert files.blob_urls == []
    assert sorted(p.name for p in files.json_path.parent.iterdir()) == [files.html_path.name, files.json_path.name]


def test_naive_start_time_is_read_as_utc(report: RunReport) -> None:
    naive = report.model_copy(update={"started_at": datetime(2025, 3, 14, 2, 17, 5)})
    assert report_stem(naive) == report_stem(report)


def test_secret_values_never_reach_either_file(report: RunReport, tmp_path: Path) -> None:
    leaky = StepOutcome(
        kind="check",
        resource="storage",
        action="probe",
        status="failed",
        detail="DefaultEndpointsProtocol=https;AccountName=x;AccountKey=c2VjcmV0a2V5dmFsdWU=;EndpointSuffix=core",
        data={"client_secret": "hunter2", "sas_url": "https://x.blob.core.windows.net/c?sv=1&sig=abcdEFGH%3D"},
    )
    files = write_report(report.model_copy(update={"readiness": [leaky]}), tmp_path)
    for path in (files.json_path, files.html_path):
        text = path.read_text(encoding="utf-8")
        assert "c2VjcmV0a2V5dmFsdWU" not in text
        assert "hunter2" not in text
        assert "abcdEFGH" not in text
        assert "AccountName=x" in text  # only the secret part is masked; the rest still helps debugging
    saved = json.loads(files.json_path.read_text(encoding="utf-8"))
    assert saved["readiness"][0]["data"]["client_secret"] == "[redacted]"


def test_keys_that_merely_contain_secret_words_are_kept(report: RunReport, tmp_path: Path) -> None:
    step = report.steps[1].model_copy(update={"data": {"disaster_region": "eastus2", "replication_lag_seconds": 4}})
    files = write_report(report.model_copy(update={"steps": [step]}), tmp_path)
    saved = RunReport.model_validate_json(files.json_path.read_text(encoding="utf-8"))
    assert saved.steps[0].data == {"disaster_region": "eastus2", "replication_lag_seconds": 4}


def test_rewriting_a_report_replaces_it_and_leaves_no_temp_files(report: RunReport, tmp_path: Path) -> None:
    write_report(report.model_copy(update={"status": "running", "ended_at": None}), tmp_path)
    files = write_report(report, tmp_path)
    assert RunReport.model_validate_json(files.json_path.read_text(encoding="utf-8")).status == "failed"
    assert len(list(tmp_path.iterdir())) == 2
