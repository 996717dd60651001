"""The scheduled readiness check of one plan: `check --drift`, kept, and announced when it changes.

Started by the readiness timer (triggers/readiness.py) as instance `readiness-<plan>` with the last
result as input (`previous`). It shows that result in its custom status while it checks, so the
readiness API always has one; runs the readiness checks (the same sub-orchestration a failover runs
first) and the drift check (an activity); summarises both (`regionshift.readiness_watch`); posts
once to the plan's notification webhooks when the result differs from what was last announced; and
returns the new result, which the next tick passes on. Deterministic: the time is the replay's.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import azure.durable_functions as df

from orchestrators.steps import outcomes
from regionshift.azure.readiness import mark_advisory
from regionshift.names import Activities, Orchestrators
from regionshift.plan import Plan
from regionshift.readiness_watch import Snapshot, change_since, settle, summarize

bp = df.Blueprint()


@bp.function_name(Orchestrators.SCHEDULED_CHECK)
@bp.orchestration_trigger(context_name="context")
def scheduled_check(context: df.DurableOrchestrationContext) -> Generator[Any, Any, dict[str, Any]]:
    args = context.get_input()
    plan = Plan.model_validate(args["plan"])
    previous = Snapshot.model_validate(args["previous"]) if args.get("previous") else None
    shown = previous.model_dump(mode="json") if previous else None
    context.set_custom_status({"phase": "checking", "latest": shown})
    readiness = outcomes(
        [
            (
                yield context.call_sub_orchestrator(
                    Orchestrators.READINESS, {"plan": args["plan"]}, instance_id=f"{context.instance_id}:readiness"
                )
            )
        ]
    )
    drift = outcomes([(yield context.call_activity(Activities.CHECK_DRIFT, {"plan": args["plan"]}))])
    current = summarize(plan, readiness + mark_advisory(plan, drift), context.current_utc_datetime)
    change = change_since(previous, current)
    webhooks = plan.policy.readiness_webhooks
    deliveries: list[dict[str, Any]] = []
    if change is not None and webhooks:
        sent = yield context.call_activity(
            Activities.NOTIFY_READINESS,
            {
                "snapshot": current.model_dump(mode="json"),
                "change": change,
                "webhooks": [w.model_dump() for w in webhooks],
            },
        )
        deliveries = list((sent or {}).get("deliveries", []))
    delivered = not webhooks or any(d.get("ok") for d in deliveries)
    result = settle(previous, current, change, delivered).model_copy(update={"deliveries": deliveries})
    latest = result.model_dump(mode="json")
    context.set_custom_status({"phase": "done", "latest": latest})
    return latest
