"""Activities for VM Scale Sets: create or scale one (scaling to 0 quiesces it)."""

from __future__ import annotations

import azure.durable_functions as df

from activities.runner import item_label, run_activity
from regionshift.azure import compute
from regionshift.names import Activities
from regionshift.plan import ScaleSet

bp = df.Blueprint()


@bp.function_name(Activities.PROVISION_SCALE_SET)
@bp.activity_trigger(input_name="payload")
def provision_scale_set(payload: dict) -> dict:
    return run_activity(
        payload,
        "scale_set",
        item_label(payload, "name"),
        lambda clients, plan, args: compute.provision(
            clients,
            plan,
            ScaleSet.model_validate(args.item),
            args.resource_group or plan.failover_resource_group,
            capacity=args.capacity,
            tags=args.tags,
        ),
    )
