"""Activities for resource groups: the failover (or drill) group is created and deleted here."""

from __future__ import annotations

from typing import Any

import azure.durable_functions as df

from activities.runner import run_activity
from regionshift.azure import resources
from regionshift.azure.budget import critical
from regionshift.azure.outcomes import Step
from regionshift.contracts import Begun
from regionshift.names import Activities

bp = df.Blueprint()


def _group(payload: Any) -> str:
    return str(payload.get("resource_group")) if isinstance(payload, dict) else "?"


@bp.function_name(Activities.ENSURE_RESOURCE_GROUP)
@bp.activity_trigger(input_name="payload")
def ensure_resource_group(payload: dict) -> dict:
    with critical():  # the longest operations start first (regionshift.azure.budget)
        return run_activity(
            payload,
            Activities.ENSURE_RESOURCE_GROUP,
            lambda clients, plan, args: resources.ensure_group(
                clients,
                plan.subscription_id,
                args.resource_group or plan.failover_resource_group,
                plan.regions.secondary,
                {**args.tags, resources.PLAN_TAG: plan.name},
            ),
            lambda reason: Step("resource_group", _group(payload), "create").failed(reason),
        )


@bp.function_name(Activities.BEGIN_DELETE_RESOURCE_GROUP)
@bp.activity_trigger(input_name="payload")
def begin_delete_resource_group(payload: dict) -> dict:
    """Input: an ActivityInput whose `tags` may name the drill (`regionshift-drill`) that owns the group."""
    return run_activity(
        payload,
        Activities.BEGIN_DELETE_RESOURCE_GROUP,
        lambda clients, plan, args: resources.begin_delete(
            clients,
            plan.subscription_id,
            args.resource_group or plan.failover_resource_group,
            plan.name,
            args.tags.get(resources.DRILL_TAG),
        ),
        lambda reason: Begun(outcome="refused", detail=reason, data={"retry": True}),
    )
