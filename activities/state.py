"""Activities that read a slice of the plan: its final state (the report), and the guard before DNS."""

from __future__ import annotations

import logging

import azure.durable_functions as df

from regionshift.azure.clients import default_clients
from regionshift.azure.inventory import describe_slice, read_slice
from regionshift.contracts import PlanSlice
from regionshift.names import Activities

bp = df.Blueprint()
log = logging.getLogger("regionshift.activities")


@bp.function_name(Activities.DESCRIBE_STATE)
@bp.activity_trigger(input_name="payload")
def describe_state(payload: dict) -> list:
    try:
        return describe_slice(default_clients(), PlanSlice.model_validate(payload))
    except Exception as exc:  # the report must still be written when the state cannot be read
        log.exception("describing the plan's resources failed")
        return [{"error": f"could not read the final state: {type(exc).__name__}: {exc}"}]


@bp.function_name(Activities.READ_TARGETS)
@bp.activity_trigger(input_name="payload")
def read_targets(payload: dict) -> list:
    try:
        return [r.model_dump(mode="json") for r in read_slice(default_clients(), PlanSlice.model_validate(payload))]
    except Exception as exc:  # an unreadable target is not in the target: DNS stays
        log.exception("the guard's reads failed")
        return [{"resource": "plan", "in_target": False, "detail": f"internal error: {type(exc).__name__}: {exc}"}]
