"""Activities for resource groups: the failover (or drill) group is created and deleted here."""

from __future__ import annotations

from typing import Any

import azure.durable_functions as df

from activities.runner import run_activity
from regionshift.azure import resources
from regionshift.names import Activities

bp = df.Blueprint()


def _group(payload: Any) -> str:
    return str(payload.get("resource_group")) if isinstance(payload, dict) else "?"


@bp.function_name(Activities.ENSURE_RESOURCE_GROUP)
@bp.activity_trigger(input_name="payload")
def ensure_resource_group(payload: dict) -> dict:
    return run_activity(
        payload,
        "resource_group",
        _group(payload),
        lambda clients, plan, args: resources.ensure_group(
            clients,
            plan.subscription_id,
            args.resource_group or plan.failover_resource_group,
            plan.regions.secondary,
            args.tags,
        ),
    )


@bp.function_name(Activities.DELETE_RESOURCE_GROUP)
@bp.activity_trigger(input_name="payload")
def delete_resource_group(payload: dict) -> dict:
    return run_activity(
        payload,
        "resource_group",
        _group(payload),
        lambda clients, plan, args: resources.delete_group(
            clients, plan.subscription_id, args.resource_group or plan.failover_resource_group
        ),
    )
