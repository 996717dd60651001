"""Activities of the scheduled readiness check: the drift check, and the post of a changed result.

`check_drift` reads only (`regionshift.discovery.drift`); an unexpected error is an unknown drift
outcome, never a crash of the fan-in. `notify_readiness` posts one message per webhook in its format
(generic JSON, Teams, Slack) and returns where it posted and the HTTP status only, never the webhook
URLs: Teams and Slack webhook URLs are secrets.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

import azure.durable_functions as df

from activities.approval import _post as post_json  # the one webhook poster of the app
from activities.approval import public_url
from regionshift.azure.check_outcomes import about
from regionshift.azure.clients import default_clients
from regionshift.azure.outcomes import Step
from regionshift.discovery.drift import ACTION, check_drift
from regionshift.names import Activities
from regionshift.plan import Plan
from regionshift.readiness_watch import Snapshot, render

bp = df.Blueprint()
log = logging.getLogger("regionshift.activities")


@bp.function_name(Activities.CHECK_DRIFT)
@bp.activity_trigger(input_name="payload")
def drift(payload: dict) -> list:
    plan = Plan.model_validate(payload["plan"])
    try:
        return [c.model_dump(mode="json") for c in check_drift(default_clients(), plan)]
    except Exception as exc:  # unknown, not a crash: the readiness result still gets written
        log.exception("the drift check of %s failed unexpectedly", plan.name)
        step = about(Step("check", plan.name, ACTION), None)
        return [
            step.outcome("skipped", f"drift unknown: internal error {type(exc).__name__}: {exc}").model_dump(
                mode="json"
            )
        ]


@bp.function_name(Activities.NOTIFY_READINESS)
@bp.activity_trigger(input_name="payload")
def notify(payload: dict) -> dict:
    snapshot = Snapshot.model_validate(payload["snapshot"])
    status_url = f"{public_url()}/api/plans/{quote(snapshot.plan, safe='')}/readiness"
    deliveries = []
    for hook in payload["webhooks"]:
        fmt = hook.get("format", "json")
        result = post_json(hook["url"], render(snapshot, payload["change"], fmt, status_url))
        deliveries.append({**result, "format": fmt})
    return {"deliveries": deliveries}
