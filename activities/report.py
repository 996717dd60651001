"""Activity that publishes a run's report: JSON and HTML in the report folder, and uploaded to
the plan's storage account when it names one. Every run leaves a report this way, whether the
CLI, an alert or the schedule started it (in Azure the folder is the worker's temp storage, and
the blob container is where reports are kept)."""

from __future__ import annotations

import logging

import azure.durable_functions as df

from regionshift.contracts import RunReport
from regionshift.names import Activities
from regionshift.plan import PlanContext
from regionshift.reports import BlobTarget, ReportUploadError, write_report
from regionshift.settings import Settings

bp = df.Blueprint()
log = logging.getLogger("regionshift.activities")


@bp.function_name(Activities.PUBLISH_REPORT)
@bp.activity_trigger(input_name="payload")
def publish_report(payload: dict) -> list:
    """Returns the report's links (paths and blob URLs); a failure to publish is logged and
    returned as a link-less note, never raised: the run's outcome must not depend on it."""
    try:
        report = RunReport.model_validate(payload["report"])
        plan = PlanContext.model_validate(payload["plan"])
        files = write_report(report, Settings.from_env().report_dir, upload=BlobTarget.for_plan(plan))
        return [str(files.json_path), str(files.html_path), *files.blob_urls]
    except ReportUploadError as exc:
        log.error("report written but not uploaded: %s", exc)
        return [*(str(p) for p in exc.paths), f"not uploaded: {exc}"]
    except Exception as exc:
        log.exception("publishing the report failed")
        return [f"not published: {type(exc).__name__}: {exc}"]
