"""Read-only check activities: is the primary ready for a failback; does a health probe answer."""

from __future__ import annotations

import logging
import urllib.error
import urllib.request

import azure.durable_functions as df

from regionshift.azure.clients import default_clients
from regionshift.azure.failback import failback_readiness
from regionshift.azure.outcomes import Step
from regionshift.contracts import PlanSlice
from regionshift.names import Activities

bp = df.Blueprint()
log = logging.getLogger("regionshift.activities")


@bp.function_name(Activities.CHECK_FAILBACK_READY)
@bp.activity_trigger(input_name="payload")
def check_failback_ready(payload: dict) -> list:
    try:
        part = PlanSlice.model_validate(payload)
        return [c.model_dump(mode="json") for c in failback_readiness(default_clients(), part)]
    except Exception as exc:
        log.exception("failback readiness checks failed unexpectedly")
        return [
            Step("check", "plan", "primary_ready")
            .failed(f"internal error: {type(exc).__name__}: {exc}")
            .model_dump(mode="json")
        ]


@bp.function_name(Activities.PROBE_HEALTH)
@bp.activity_trigger(input_name="payload")
def probe_health(payload: dict) -> dict:
    """GET the URL once (a drill's application-level check); the drill asks again on its own timer."""
    url, name = str(payload["url"]), str(payload.get("name", "?"))
    step = Step("check", name, "health_probe")
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # the plan's own URL
            if 200 <= response.status < 300:
                return step.done(f"{url} answered {response.status}").model_dump(mode="json")
            last = f"HTTP {response.status}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        last = str(getattr(exc, "reason", exc))
    return step.failed(f"{url}: {last}").model_dump(mode="json")
