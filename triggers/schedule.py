"""The drill schedule: a timer trigger that runs the drill orchestration for every plan.

The schedule is the NCRONTAB expression in the app setting `REGIONSHIFT_DRILL_SCHEDULE` (the
Functions host resolves `%...%`; `regionshift serve` reads the same setting). A drill runs the
readiness checks first, so a scheduled drill is also the scheduled readiness check. A drill still
running from the last tick is left alone.
"""

from __future__ import annotations

import logging

import azure.durable_functions as df
import azure.functions as func

from regionshift.contracts import RunRequest
from regionshift.names import Orchestrators
from triggers.common import ACTIVE, instance_id_for, load_plans, runtime_status

bp = df.Blueprint()
log = logging.getLogger("regionshift.triggers.schedule")
SCHEDULE_SETTING = "REGIONSHIFT_DRILL_SCHEDULE"


@bp.function_name("drill_schedule")
@bp.timer_trigger(schedule=f"%{SCHEDULE_SETTING}%", arg_name="timer", run_on_startup=False)
@bp.durable_client_input(client_name="client")
async def drill_schedule(timer: func.TimerRequest, client: df.DurableOrchestrationClient) -> None:
    for plan in load_plans().values():
        instance_id = instance_id_for("drill", plan.name)
        status = await client.get_status(instance_id)
        if status and runtime_status(status) in ACTIVE:
            log.info("drill of %s still running; skipped this tick", plan.name)
            continue
        request = RunRequest.new(plan, started_by="schedule", approved=True)
        await client.start_new(Orchestrators.DRILL, instance_id, request.model_dump(mode="json"))
