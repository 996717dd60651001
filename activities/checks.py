"""Read-only check activities: is the primary ready for a failback; does a health probe answer."""

from __future__ import annotations

import logging
import time
import urllib.error
import urllib.request

import azure.durable_functions as df

from regionshift.azure.clients import default_clients
from regionshift.azure.failback import failback_readiness
from regionshift.azure.outcomes import Step
from regionshift.names import Activities
from regionshift.plan import Plan

bp = df.Blueprint()
log = logging.getLogger("regionshift.activities")


@bp.function_name(Activities.CHECK_FAILBACK_READY)
@bp.activity_trigger(input_name="payload")
def check_failback_ready(payload: dict) -> list:
    try:
        plan = Plan.model_validate(payload["plan"])
        return [c.model_dump(mode="json") for c in failback_readiness(default_clients(), plan)]
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
    """GET the URL until it answers 2xx or the time is up (a drill's application-level check)."""
    url, name = str(payload["url"]), str(payload.get("name", "?"))
    deadline = time.monotonic() + float(payload.get("timeout_seconds", 300))
    step = Step("check", name, "health_probe")
    last = "no answer yet"
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:  # the plan's own URL
                if 200 <= response.status < 300:
                    return step.done(f"{url} answered {response.status}").model_dump(mode="json")
                last = f"HTTP {response.status}"
        except (urllib.error.URLError, OSError) as exc:
            last = str(getattr(exc, "reason", exc))
        time.sleep(float(payload.get("interval_seconds", 5)))
    return step.failed(f"{url} did not answer 2xx in time ({last})").model_dump(mode="json")
