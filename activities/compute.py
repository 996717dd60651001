"""Activities for VM Scale Sets: read one against the capacity wanted; start a create or a scale."""

from __future__ import annotations

import azure.durable_functions as df

from activities.runner import item_label, run_activity
from regionshift.azure import compute
from regionshift.azure.budget import critical
from regionshift.contracts import Begun, ScaleSetState
from regionshift.names import Activities
from regionshift.plan import ScaleSet

bp = df.Blueprint()


@bp.function_name(Activities.SCALE_SET_ASSESS)
@bp.activity_trigger(input_name="payload")
def scale_set_assess(payload: dict) -> dict:
    return run_activity(
        payload,
        Activities.SCALE_SET_ASSESS,
        lambda clients, plan, args: compute.assess(
            clients,
            plan,
            ScaleSet.model_validate(args.item),
            args.resource_group or plan.failover_resource_group,
            capacity=args.capacity,
        ),
        lambda reason: ScaleSetState(resource=item_label(payload, "name"), wanted=-1, error=reason),
    )


@bp.function_name(Activities.SCALE_SET_BEGIN)
@bp.activity_trigger(input_name="payload")
def scale_set_begin(payload: dict) -> dict:
    with critical():  # the longest operations start first (regionshift.azure.budget)
        return run_activity(
            payload,
            Activities.SCALE_SET_BEGIN,
            lambda clients, plan, args: compute.begin(
                clients,
                plan,
                ScaleSet.model_validate(args.item),
                args.resource_group or plan.failover_resource_group,
                capacity=args.capacity,
                tags=args.tags,
            ),
            lambda reason: Begun(outcome="refused", detail=reason),
        )
