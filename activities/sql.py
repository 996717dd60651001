"""Activities for Azure SQL failover groups: read both sides; start a failover."""

from __future__ import annotations

import azure.durable_functions as df

from activities.runner import item_label, run_activity
from regionshift.azure import sql
from regionshift.contracts import Assessment, Begun, SideState
from regionshift.names import Activities
from regionshift.plan import SqlFailoverGroup

bp = df.Blueprint()


@bp.function_name(Activities.SQL_ASSESS)
@bp.activity_trigger(input_name="payload")
def sql_assess(payload: dict) -> dict:
    def unknown(reason: str) -> Assessment:
        side = SideState(region="", answered=False, detail=reason)
        return Assessment(resource=item_label(payload, "server", "name"), target=side, source=side, error=reason)

    return run_activity(
        payload,
        Activities.SQL_ASSESS,
        lambda clients, plan, args: sql.assess(
            clients, plan, SqlFailoverGroup.model_validate(args.item), to_primary=args.direction == "to_primary"
        ),
        unknown,
    )


@bp.function_name(Activities.SQL_BEGIN_FAILOVER)
@bp.activity_trigger(input_name="payload")
def sql_begin_failover(payload: dict) -> dict:
    return run_activity(
        payload,
        Activities.SQL_BEGIN_FAILOVER,
        lambda clients, plan, args: sql.begin_failover(
            clients,
            plan,
            SqlFailoverGroup.model_validate(args.item),
            to_primary=args.direction == "to_primary",
            forced=args.forced,
        ),
        lambda reason: Begun(outcome="refused", detail=reason),
    )
