"""Write a run report to disk as JSON and HTML, and upload both when the plan names a storage account.

File names are `<operation>-<plan>-<UTC start, yyyymmddThhmmssZ>.json|.html`: sortable, unique per
run (a plan runs one operation at a time), and valid on every file system. The JSON is exactly a
RunReport (it reads back with `RunReport.model_validate_json`); both files are redacted first.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from regionshift.contracts import RunReport
from regionshift.reports.html import render_html
from regionshift.reports.next_steps import with_next_steps
from regionshift.reports.redact import redact_report
from regionshift.reports.timeline import as_utc
from regionshift.reports.upload import BlobTarget, upload_files


@dataclass(frozen=True)
class ReportFiles:
    json_path: Path
    html_path: Path
    blob_urls: list[str] = field(default_factory=list)  # empty when nothing was uploaded


def report_stem(report: RunReport) -> str:
    return f"{report.operation}-{report.plan}-{as_utc(report.started_at).strftime('%Y%m%dT%H%M%SZ')}"


def report_contents(report: RunReport) -> dict[str, str]:
    """The report's two files by name, `<stem>.json` then `<stem>.html`, redacted, with next steps."""
    safe = redact_report(with_next_steps(report))
    stem = report_stem(safe)
    return {f"{stem}.json": safe.model_dump_json(indent=2) + "\n", f"{stem}.html": render_html(safe)}


def write_files(contents: dict[str, str], report_dir: Path) -> list[Path]:
    """Write each file into `report_dir` (creating it); the paths, in the order given."""
    report_dir = Path(report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in contents.items():
        _write_atomically(report_dir / name, text)
        paths.append(report_dir / name)
    return paths


def write_report(report: RunReport, report_dir: Path, *, upload: BlobTarget | None = None) -> ReportFiles:
    """Write `<report_dir>/<stem>.json` and `.html` (creating the folder), then upload them if asked.

    Raises ReportUploadError after the local files are written when the upload fails, so a caller
    can still point at them.
    """
    json_path, html_path = write_files(report_contents(report), report_dir)
    urls = upload_files(upload, [json_path, html_path]) if upload is not None else []
    return ReportFiles(json_path=json_path, html_path=html_path, blob_urls=urls)


def _write_atomically(path: Path, text: str) -> None:
    # A report read while it is being written (a browser refresh, an upload) is never half a file.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
