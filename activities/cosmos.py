"""Activities for Azure Cosmos DB accounts: read both regions; start a write-region move."""

from __future__ import annotations

import azure.durable_functions as df

from activities.runner import item_label, run_activity
from regionshift.azure import cosmos
from regionshift.contracts import Assessment, Begun, SideState
from regionshift.names import Activities
from regionshift.plan import CosmosAccount

bp = df.Blueprint()


@bp.function_name(Activities.COSMOS_ASSESS)
@bp.activity_trigger(input_name="payload")
def cosmos_assess(payload: dict) -> dict:
    def unknown(reason: str) -> Assessment:
        side = SideState(region="", answered=False, detail=reason)
        return Assessment(resource=item_label(payload, "name"), target=side, source=side, error=reason)

    return run_activity(
        payload,
        Activities.COSMOS_ASSESS,
        lambda clients, plan, args: cosmos.assess(
            clients, plan, CosmosAccount.model_validate(args.item), to_primary=args.direction == "to_primary"
        ),
        unknown,
    )


@bp.function_name(Activities.COSMOS_BEGIN_FAILOVER)
@bp.activity_trigger(input_name="payload")
def cosmos_begin_failover(payload: dict) -> dict:
    return run_activity(
        payload,
        Activities.COSMOS_BEGIN_FAILOVER,
        lambda clients, plan, args: cosmos.begin_failover(
            clients,
            plan,
            CosmosAccount.model_validate(args.item),
            to_primary=args.direction == "to_primary",
            forced=args.forced,
        ),
        lambda reason: Begun(outcome="refused", detail=reason),
    )
