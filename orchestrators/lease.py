"""A run holds its plan's lease from its first step to its end (`yield from holding_lease(...)`).

One run per plan, across every host: failover, failback and drill of a plan exclude each other,
whether they run in the Functions app, in `regionshift serve` or in a CLI on a laptop
(regionshift.lease: a blob lease in a storage account both reach, or a local lease file). The
lease is taken before anything else, so of two runs started together one goes on and the other
ends at once with a report naming the holder; it is let go after the report is published.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from datetime import datetime
from typing import Any, Literal

from orchestrators.steps import publish, report
from regionshift.contracts import RunRequest
from regionshift.lease import LeaseOutcome, LeaseRequest
from regionshift.names import Activities
from regionshift.plan import Plan

Operation = Literal["failover", "failback", "drill"]
Body = Callable[[dict[str, Any]], Generator[Any, Any, dict[str, Any]]]


def holding_lease(
    context: Any, operation: Operation, plan: Plan, request: RunRequest, started_at: datetime, body: Body
) -> Generator[Any, Any, dict[str, Any]]:
    """Acquire the plan's lease, run `body(lease_facts)`, release the lease; a refused run ends
    with a report saying who holds the plan (and how to break glass if that run is dead)."""
    lease = LeaseRequest(
        plan=plan.context().model_dump(mode="json"),
        operation=operation,
        instance_id=context.instance_id,
        run_id=request.run_id or "-",
        started_by=request.started_by,
        break_lease=request.break_lease,
    ).model_dump(mode="json")
    got = LeaseOutcome.model_validate((yield context.call_activity(Activities.ACQUIRE_RUN_LEASE, lease)))
    facts = got.model_dump(mode="json", exclude_none=True)
    if not got.granted:
        result = report(
            operation,
            plan,
            context.instance_id,
            started_at,
            context.current_utc_datetime,
            [],
            request.started_by,
            reason=refusal(got),
            lease=facts,
        )
        return (yield from publish(context, plan, result, 0))
    result = yield from body(facts)
    released = LeaseOutcome.model_validate((yield context.call_activity(Activities.RELEASE_RUN_LEASE, lease)))
    return {**result, "lease": {**facts, "released": released.released, "release_detail": released.detail}}


def refusal(outcome: LeaseOutcome) -> str:
    if outcome.error:
        return f"the plan's run lease could not be taken, so nothing was changed: {outcome.detail}"
    holder = outcome.holder.describe() if outcome.holder else "another run"
    return (
        f"another run holds this plan ({holder}); nothing was changed. If that run is dead, start this "
        "one again with --break-lease"
    )
