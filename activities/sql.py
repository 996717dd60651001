"""Activities for Azure SQL failover groups."""

from __future__ import annotations

import azure.durable_functions as df

from activities.runner import item_label, run_activity
from regionshift.azure import sql
from regionshift.names import Activities
from regionshift.plan import SqlFailoverGroup

bp = df.Blueprint()


@bp.function_name(Activities.SQL_FAILOVER)
@bp.activity_trigger(input_name="payload")
def sql_failover(payload: dict) -> dict:
    return run_activity(
        payload,
        "sql",
        item_label(payload, "server", "name"),
        lambda clients, plan, args: sql.fail_over(
            clients, plan, SqlFailoverGroup.model_validate(args.item), to_primary=args.direction == "to_primary"
        ),
    )
