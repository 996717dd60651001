"""Activity: one look at a long-running Azure operation, through its status URL."""

from __future__ import annotations

import logging

import azure.durable_functions as df

from regionshift.azure import lro
from regionshift.azure.clients import default_clients
from regionshift.contracts import OperationHandle, OperationStatus
from regionshift.names import Activities

bp = df.Blueprint()
log = logging.getLogger("regionshift.activities")


@bp.function_name(Activities.OPERATION_STATUS)
@bp.activity_trigger(input_name="payload")
def operation_status(payload: dict) -> dict:
    try:
        handle = OperationHandle.model_validate(payload)
        # Any management client of the subscription carries the credential and pipeline to ask with.
        status = lro.status(default_clients().resources(handle.subscription_id), handle)
    except Exception as exc:
        log.exception("asking for an operation's status failed unexpectedly")
        status = OperationStatus(status="Unknown", error=f"internal error: {type(exc).__name__}: {exc}")
    return status.model_dump(mode="json")
