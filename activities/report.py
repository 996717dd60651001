"""Activity that publishes a run's report: JSON and HTML in the report folder, and uploaded to the
blob container the plan or the environment names. Every run leaves a report this way, whether the
CLI, an alert or the schedule started it. In Azure the folder is the instance's temporary storage
(never the read-only package) and the blob container is where reports are kept. What did not work
comes back in the result (`published`, `publish_problems`), so the run's status shows it.
"""

from __future__ import annotations

import logging

import azure.durable_functions as df

from regionshift.contracts import RunReport
from regionshift.names import Activities
from regionshift.plan import PlanContext
from regionshift.reports import BlobTarget, Publication, publish
from regionshift.settings import Settings

bp = df.Blueprint()
log = logging.getLogger("regionshift.activities")


@bp.function_name(Activities.PUBLISH_REPORT)
@bp.activity_trigger(input_name="payload")
def publish_report(payload: dict) -> dict:
    """Returns the RunReport fields `links`, `published` and `publish_problems`; never raises: the
    run's outcome must not depend on its report, but the run must say when it was not published."""
    try:
        report = RunReport.model_validate(payload["report"])
        plan = PlanContext.model_validate(payload["plan"])
        publication = publish(report, Settings.from_env(), BlobTarget.for_plan(plan))
    except Exception as exc:
        log.exception("publishing the report failed")
        publication = Publication(problems=[f"publishing the report failed: {type(exc).__name__}: {exc}"])
    for problem in publication.problems:
        log.error("report not published: %s", problem)
    return publication.report_fields()
