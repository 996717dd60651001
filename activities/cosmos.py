"""Activities for Cosmos DB accounts."""

from __future__ import annotations

import azure.durable_functions as df

from activities.runner import item_label, run_activity
from regionshift.azure import cosmos
from regionshift.names import Activities
from regionshift.plan import CosmosAccount

bp = df.Blueprint()


@bp.function_name(Activities.COSMOS_FAILOVER)
@bp.activity_trigger(input_name="payload")
def cosmos_failover(payload: dict) -> dict:
    return run_activity(
        payload,
        "cosmos",
        item_label(payload, "name"),
        lambda clients, plan, args: cosmos.fail_over(
            clients, plan, CosmosAccount.model_validate(args.item), to_primary=args.direction == "to_primary"
        ),
    )
