"""The readiness timer and the latest readiness result of a plan.

`readiness_schedule` fires on the app setting `REGIONSHIFT_CHECK_SCHEDULE` (NCRONTAB; infra sets it
to every 30 minutes, and `regionshift serve` uses that default when it is unset) and starts the
`scheduled_check` orchestration of every plan as `readiness-<plan>`, with the result it holds as
the new run's input (`regionshift.readiness_watch`). A check still running from the last tick is
left alone. `GET /api/plans/{plan}/readiness` returns the latest result and when it was taken:
the finished run's output, or, while a check runs, the result the run started from.
"""

from __future__ import annotations

import logging
from typing import Any

import azure.durable_functions as df
import azure.functions as func

from regionshift.names import Orchestrators
from regionshift.readiness_watch import CHECK_SCHEDULE_SETTING, instance_id
from triggers.common import ACTIVE, error, load_plans, respond, runtime_status

bp = df.Blueprint()
log = logging.getLogger("regionshift.triggers.readiness")


def _latest(status: Any) -> dict[str, Any] | None:
    """The latest result an instance holds: its output when finished, else what its custom status shows."""
    if status is None:
        return None
    if runtime_status(status) == "Completed" and isinstance(status.output, dict):
        return status.output
    custom = status.custom_status if isinstance(status.custom_status, dict) else {}
    latest = custom.get("latest")
    return latest if isinstance(latest, dict) else None


@bp.function_name("readiness_schedule")
@bp.timer_trigger(schedule=f"%{CHECK_SCHEDULE_SETTING}%", arg_name="timer", run_on_startup=False)
@bp.durable_client_input(client_name="client")
async def readiness_schedule(timer: func.TimerRequest, client: df.DurableOrchestrationClient) -> None:
    for plan in load_plans().values():
        instance = instance_id(plan.name)
        status = await client.get_status(instance)
        if status and runtime_status(status) in ACTIVE:
            log.info("the readiness check of %s is still running; skipped this tick", plan.name)
            continue
        payload = {"plan": plan.model_dump(mode="json"), "previous": _latest(status)}
        await client.start_new(Orchestrators.SCHEDULED_CHECK, instance, payload)


@bp.function_name("get_readiness")
@bp.route(route="plans/{plan}/readiness", methods=["GET"], auth_level=func.AuthLevel.FUNCTION)
@bp.durable_client_input(client_name="client")
async def get_readiness(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    name = req.route_params.get("plan", "")
    plans = load_plans()
    if name not in plans:
        return error(404, f"no plan named {name[:80]!r}; known: {', '.join(sorted(plans))}")
    status = await client.get_status(instance_id(name))
    latest = _latest(status)
    state = runtime_status(status) if status else None
    if latest is None:
        why = (
            "its first check is running"
            if state in ACTIVE
            else f"the readiness timer ({CHECK_SCHEDULE_SETTING}) has not run it yet"
        )
        return error(404, f"no readiness result for plan {name!r} yet: {why}")
    body = {**latest, "checking": state in ACTIVE}
    if state not in ACTIVE and state != "Completed":
        body["last_check"] = f"{state}: the result shown is the one before it"
    return respond(200, body)
