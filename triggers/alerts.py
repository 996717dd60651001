"""The alert webhook: Azure Monitor action groups post Common Alert Schema alerts here.

Malformed or oversized payloads get 400/413 with the reason. Resolved alerts, recoveries and
alerts that match no plan get 202 and start nothing. A burst of alerts for one outage starts
one run per plan: the run's instance id derives from the plan, so later alerts find it and are
recorded on it as `alert` events. Where two requests race past the status check, the Durable
extension refuses to replace a running instance (its default `overridableExistingInstanceStates`
is non-running states only), and the loser records its alert as an event instead.
"""

from __future__ import annotations

import asyncio
from typing import Any

import azure.durable_functions as df
import azure.functions as func

from regionshift.alerts import AlertPayloadError, match_plans, parse_alert, read_signal
from regionshift.alerts.signal import AlertSignal
from regionshift.contracts import RunRequest
from regionshift.names import Events, Orchestrators
from regionshift.plan import Plan
from triggers.common import ACTIVE, body_too_large, error, instance_id_for, load_plans, respond, runtime_status

bp = df.Blueprint()
_locks: dict[str, asyncio.Lock] = {}


@bp.function_name("alert_webhook")
@bp.route(route="alerts", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
@bp.durable_client_input(client_name="client")
async def alert_webhook(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    too_large = body_too_large(req)
    if too_large:
        return too_large
    try:
        signal = read_signal(parse_alert(req.get_body()))
    except AlertPayloadError as exc:
        return error(400, "not a valid Common Alert Schema payload", exc.problems)
    if not signal.actionable:
        return respond(202, {"started": [], "recorded": [], "reason": signal.reason})
    matched = match_plans(signal, load_plans().values())
    if not matched:
        return respond(202, {"started": [], "recorded": [], "reason": "the alert matches no plan"})
    started: list[dict[str, Any]] = []
    recorded: list[dict[str, Any]] = []
    for plan, why in matched:
        outcome = await _start_or_record(client, plan, signal, why)
        (started if outcome["action"] == "started" else recorded).append(outcome)
    return respond(202, {"started": started, "recorded": recorded, "reason": signal.reason})


async def _start_or_record(
    client: df.DurableOrchestrationClient, plan: Plan, signal: AlertSignal, why: str
) -> dict[str, Any]:
    instance_id = instance_id_for("failover", plan.name)
    event = {**signal.summary(), "matched": why}
    # One lock per run id: in one process the check-then-start cannot interleave.
    lock = _locks.setdefault(instance_id, asyncio.Lock())
    async with lock:
        status = await client.get_status(instance_id)
        state = runtime_status(status) if status else None
        if state in ACTIVE:
            return await _record(client, plan, instance_id, event)
        if state is not None:
            # The plan already failed over (or the run failed): an alert never starts a second
            # run on its own; a person decides (failback, or a manual start).
            return {
                "plan": plan.name,
                "instance_id": instance_id,
                "action": "not_started",
                "reason": f"the plan's last failover is {state}; start again by hand if needed",
            }
        request = RunRequest.new(plan, started_by=f"alert:{signal.rule or signal.alert_id}", approved=False)
        payload = request.model_dump(mode="json")
        try:
            await client.start_new(Orchestrators.FAILOVER, instance_id, payload)
        except Exception:
            # Lost a race with another instance of the app: the run exists now; record on it.
            return await _record(client, plan, instance_id, event)
        # The first alert is recorded in the run's history too, like every later one.
        await _record(client, plan, instance_id, event)
        return {"plan": plan.name, "instance_id": instance_id, "action": "started", "matched": why}


async def _record(
    client: df.DurableOrchestrationClient, plan: Plan, instance_id: str, event: dict[str, Any]
) -> dict[str, Any]:
    try:
        await client.raise_event(instance_id, Events.ALERT, event)
    except Exception as exc:  # the run finished a moment ago (410) or vanished (404)
        return {"plan": plan.name, "instance_id": instance_id, "action": "not_recorded", "reason": str(exc)[:200]}
    return {"plan": plan.name, "instance_id": instance_id, "action": "recorded"}
