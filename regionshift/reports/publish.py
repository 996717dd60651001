"""Publish a run's report where this deployment keeps reports, and say what did not work.

A run's report goes to the report folder (`Settings.report_dir`) and, when the plan or the
environment names a storage account, to its blob container. Publishing never raises: each place
that failed becomes one line in `Publication.problems`, which the run carries in its result
(`RunReport.published`, `publish_problems`), so a report that did not arrive is visible in the
run's status and the CLI summary, not only in a log line.

Under the Functions host the app's folder is the deployment package, read-only on Flex
Consumption ("Function apps on the Flex Consumption plan run from a package by default", Learn:
"Run your functions from a package file"): nothing is ever written inside it, and a report folder
there is refused with the fix named. The default folder there is the instance's temporary storage,
which does not outlive the instance, so without a storage account the report is not kept either,
and the run says so.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from regionshift.contracts import RunReport
from regionshift.reports.next_steps import with_next_steps
from regionshift.reports.upload import ACCOUNT_URL_ENV, BlobTarget, ReportUploadError, upload_contents
from regionshift.reports.writer import report_contents, write_files
from regionshift.settings import Settings


@dataclass(frozen=True)
class Publication:
    links: list[str] = field(default_factory=list)  # file paths, then blob URLs
    problems: list[str] = field(default_factory=list)  # one line per place the report did not reach
    next_steps: list[dict[str, Any]] = field(default_factory=list)  # as written into the report's files

    def report_fields(self) -> dict[str, Any]:
        """The RunReport fields this sets (the orchestrator merges them into the run's result)."""
        fields = {"links": self.links, "published": not self.problems, "publish_problems": self.problems}
        return {**fields, "next_steps": self.next_steps} if self.next_steps else fields


def publish(report: RunReport, settings: Settings, target: BlobTarget | None) -> Publication:
    """Write the report's files to the report folder and upload them to `target`, each on its own:
    a folder that cannot be written does not stop the upload, nor the reverse. The report's next steps
    are computed here, from its end state, so the files and the run's result carry the same ones."""
    report = with_next_steps(report)
    contents = report_contents(report)
    links: list[str] = []
    problems: list[str] = []
    folder = settings.report_dir
    refusal = _inside_package(folder, settings.app_folder)
    if refusal:
        problems.append(refusal)
    else:
        try:
            links += [str(path) for path in write_files(contents, folder)]
        except OSError as exc:
            problems.append(f"could not write the report to {folder}: {exc.strerror or exc}")
    if target is not None:
        try:
            links += upload_contents(target, {name: text.encode("utf-8") for name, text in contents.items()})
        except ReportUploadError as exc:
            problems.append(str(exc))
    elif settings.app_folder is not None and _is_within(folder, Path(tempfile.gettempdir())):
        problems.append(
            f"no storage account is named for reports, and {folder} is this instance's temporary storage, which "
            f"Azure discards: name one in the plan's reports section or set {ACCOUNT_URL_ENV}"
        )
    return Publication(links, problems, [n.model_dump(mode="json") for n in report.next_steps])


def _inside_package(folder: Path, app_folder: Path | None) -> str | None:
    if app_folder is None or not _is_within(folder, app_folder):
        return None
    return (
        f"the report folder {folder} is inside the app's package {app_folder}, which is read-only in Azure: "
        f"set REGIONSHIFT_REPORT_DIR to a folder outside it (unset, reports go under {tempfile.gettempdir()})"
    )


def _is_within(path: Path, folder: Path) -> bool:
    return Path(path).resolve().is_relative_to(Path(folder).resolve())
