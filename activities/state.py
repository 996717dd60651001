"""Activity that reads where every resource of the plan stands now (for the run report)."""

from __future__ import annotations

import logging

import azure.durable_functions as df

from regionshift.azure.clients import default_clients
from regionshift.azure.inventory import describe_plan
from regionshift.names import Activities
from regionshift.plan import Plan

bp = df.Blueprint()
log = logging.getLogger("regionshift.activities")


@bp.function_name(Activities.DESCRIBE_STATE)
@bp.activity_trigger(input_name="payload")
def describe_state(payload: dict) -> list:
    try:
        plan = Plan.model_validate(payload["plan"])
        return describe_plan(default_clients(), plan, payload.get("resource_group"))
    except Exception as exc:  # the report must still be written when the state cannot be read
        log.exception("describing the plan's resources failed")
        return [{"error": f"could not read the final state: {type(exc).__name__}: {exc}"}]
