"""Sub-orchestration: the compute branch of a failover or a drill.

The resource group comes first (scale sets go into it), then every `create`-mode scale set in
parallel. It returns a list of step outcomes and never raises, so the parent's fan-in sees this
branch finish like any other.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import azure.durable_functions as df

from orchestrators.steps import activity_input, outcomes, skipped
from regionshift.contracts import StepOutcome
from regionshift.names import Activities, Orchestrators
from regionshift.plan import Plan

bp = df.Blueprint()


@bp.function_name(Orchestrators.PROVISION_COMPUTE)
@bp.orchestration_trigger(context_name="context")
def provision_compute(context: df.DurableOrchestrationContext) -> Generator[Any, Any, list[dict[str, Any]]]:
    request = context.get_input()
    plan = Plan.model_validate(request["plan"])
    group: str = request["resource_group"]
    tags: dict[str, str] = request.get("tags", {})
    to_create = [s for s in plan.scale_sets if s.mode == "create"]

    group_result = yield context.call_activity(
        Activities.ENSURE_RESOURCE_GROUP, activity_input(plan, resource_group=group, tags=tags)
    )
    steps: list[StepOutcome] = outcomes([group_result])
    if not steps[0].ok:
        steps += [
            skipped("scale_set", s.name, "create", f"resource group {group} could not be created") for s in to_create
        ]
        return [s.model_dump(mode="json") for s in steps]

    results = yield context.task_all(
        [
            context.call_activity(
                Activities.PROVISION_SCALE_SET, activity_input(plan, s, resource_group=group, tags=tags)
            )
            for s in to_create
        ]
    )
    steps += outcomes(results)
    return [s.model_dump(mode="json") for s in steps]
