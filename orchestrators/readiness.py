"""Sub-orchestration: every readiness check of a plan, fanned out at once.

The checks only read, and they are independent, so the units (one plan resource, the compute
quota, the permissions of one resource group: `regionshift.azure.readiness.units`) go a few to an
activity, and the activities in batches (orchestrators/fanout.py), all scheduled at once. The phase
then takes about as long as its slowest unit instead of the sum of all, which matters because it
runs before every failover's first write. A fan-out replays cheaply; a sequence of a thousand activities would not.

It returns the outcomes as a list of dicts in the units' order, whatever order they finish in,
and never raises for a failing check: the check activities return failures as outcomes. With
`"part": "data"` it runs only the data replicas' units, with `"part": "rest"` every other one: a
failover runs the two apart, so that the data checks' reads of each primary begin the outage's
evidence window as soon as they end (orchestrators/failover.py); `merge_parts` puts them back in
the units' order.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import azure.durable_functions as df

from orchestrators.fanout import Branch, run_branches
from orchestrators.steps import outcomes
from regionshift.azure.readiness import DATA_UNITS, mark_advisory, units
from regionshift.names import Activities, Orchestrators
from regionshift.plan import Plan

bp = df.Blueprint()
UNITS_PER_ACTIVITY = 8  # run in a few threads inside the activity (regionshift.azure.inventory.in_parallel)


@bp.function_name(Orchestrators.READINESS)
@bp.orchestration_trigger(context_name="context")
def readiness(context: df.DurableOrchestrationContext) -> Generator[Any, Any, list[dict[str, Any]]]:
    request = context.get_input()
    plan = Plan.model_validate(request["plan"])
    part = request.get("part")
    found = [
        u.model_dump(mode="json") for u in units(plan) if part is None or (u.check in DATA_UNITS) == (part == "data")
    ]
    batches = [found[i : i + UNITS_PER_ACTIVITY] for i in range(0, len(found), UNITS_PER_ACTIVITY)]
    work = [
        Branch(kind="activity", name=Activities.CHECK_READINESS, key=f"units{i}", input={"units": batch})
        for i, batch in enumerate(batches)
    ]
    results = yield from run_branches(context, work)
    return [c.model_dump(mode="json") for c in mark_advisory(plan, outcomes(results))]
