"""Activity that runs every readiness check of a plan: would a failover work right now?

It returns a list of check outcomes (plain dicts), which an orchestrator flattens with the other
branches' outcomes. Only reads: running it twice, or at any time, is harmless.
"""

from __future__ import annotations

import logging
from typing import Any

import azure.durable_functions as df

from regionshift.azure.clients import default_clients
from regionshift.azure.outcomes import Step
from regionshift.azure.readiness import run_checks
from regionshift.names import Activities
from regionshift.plan import Plan

bp = df.Blueprint()
log = logging.getLogger("regionshift.activities")


@bp.function_name(Activities.RUN_READINESS_CHECKS)
@bp.activity_trigger(input_name="payload")
def run_readiness_checks(payload: dict[str, Any]) -> list[dict[str, Any]]:
    try:
        plan = Plan.model_validate(payload["plan"])
        return [c.model_dump(mode="json") for c in run_checks(default_clients(), plan)]
    except Exception as exc:  # a check that cannot run is a failed check (it blocks), never a crash
        log.exception("readiness checks failed unexpectedly")
        failed = Step("check", "plan", "readiness").failed(f"internal error: {type(exc).__name__}: {exc}")
        return [failed.model_dump(mode="json")]
