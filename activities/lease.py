"""Activities of the run lease: take the plan's lease before a run's first write, let it go at its end.

Thin, as every activity: the input is a `LeaseRequest` as JSON (`plan` is the PlanContext), the
output a `LeaseOutcome` as JSON. An expected refusal (another run holds the lease), storage that
cannot be reached and malformed input all come back as an outcome with `granted: false`, never as
an exception: the orchestrator decides, and its report names the holder. Both read the lease's
state before they change it, so running either twice is harmless (see `regionshift.lease`).
"""

from __future__ import annotations

from collections.abc import Callable

import azure.durable_functions as df
from pydantic import ValidationError

from regionshift.lease import LeaseOutcome, LeaseRequest, acquire_lease, release_lease
from regionshift.names import Activities

bp = df.Blueprint()


def _answer(payload: object, act: Callable[[LeaseRequest], LeaseOutcome]) -> dict:
    try:
        request = LeaseRequest.model_validate(payload)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'input'}: {e['msg']}" for e in exc.errors())
        outcome = LeaseOutcome(granted=False, backend="local", error=True, detail=f"bad lease request: {problems}")
    else:
        outcome = act(request)
    return outcome.model_dump(mode="json")


@bp.function_name(Activities.ACQUIRE_RUN_LEASE)
@bp.activity_trigger(input_name="payload")
def acquire_run_lease(payload: dict) -> dict:
    return _answer(payload, acquire_lease)


@bp.function_name(Activities.RELEASE_RUN_LEASE)
@bp.activity_trigger(input_name="payload")
def release_run_lease(payload: dict) -> dict:
    return _answer(payload, release_lease)
