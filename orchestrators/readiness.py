"""Sub-orchestration: every readiness check of a plan, fanned out at once.

The checks only read, and they are independent, so each unit (one plan resource, the compute
quota, the permissions of one resource group: `regionshift.azure.readiness.units`) is its own
activity and all of them are scheduled in one episode. The phase then takes about as long as its
slowest unit instead of the sum of all, which matters because it runs before every failover's
first write. A fan-out replays cheaply; a sequence of a thousand activities would not.

It returns the outcomes as a list of dicts in the units' order, whatever order they finish in,
and never raises for a failing check: the check activities return failures as outcomes.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import azure.durable_functions as df

from orchestrators.steps import outcomes
from regionshift.azure.readiness import mark_advisory, units
from regionshift.names import Activities, Orchestrators
from regionshift.plan import Plan

bp = df.Blueprint()


@bp.function_name(Orchestrators.READINESS)
@bp.orchestration_trigger(context_name="context")
def readiness(context: df.DurableOrchestrationContext) -> Generator[Any, Any, list[dict[str, Any]]]:
    plan = Plan.model_validate(context.get_input()["plan"])
    work = [context.call_activity(Activities.CHECK_READINESS, u.model_dump(mode="json")) for u in units(plan)]
    results = (yield context.task_all(work)) if work else []
    return [c.model_dump(mode="json") for c in mark_advisory(plan, outcomes(results))]
