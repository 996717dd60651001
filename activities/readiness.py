"""Activity that runs a few units of the readiness checks: would a failover work right now?

The readiness sub-orchestration fans these out in batches (`regionshift.azure.readiness.units`,
`UNITS_PER_ACTIVITY` of them per activity, run in a few threads): a thousand-resource plan makes a
hundred activities, not a thousand, and so a hundred fewer episodes to replay. Each returns the
outcomes of its units in order (plain dicts). Only reads: running it twice, or at any time, is
harmless. An unexpected error becomes a failed check (it blocks) instead of a raised one, which
would make the fan-in fail fast (see activities/runner.py).
"""

from __future__ import annotations

import logging
from functools import partial

import azure.durable_functions as df

from regionshift.azure.check_outcomes import about
from regionshift.azure.clients import default_clients
from regionshift.azure.inventory import in_parallel
from regionshift.azure.outcomes import Step
from regionshift.azure.readiness import CheckUnit, run_unit, unit_label
from regionshift.names import Activities

bp = df.Blueprint()
log = logging.getLogger("regionshift.activities")


def _run(unit: CheckUnit) -> list[dict]:
    try:
        return [c.model_dump(mode="json") for c in run_unit(default_clients(), unit)]
    except Exception as exc:  # a check that cannot run is a failed check (it blocks), never a crash
        log.exception("readiness check %s of %s failed unexpectedly", unit.check, unit_label(unit))
        step = about(Step("check", unit_label(unit), unit.check), None)
        failed = step.failed(f"internal error: {type(exc).__name__}: {exc}")
        return [failed.model_dump(mode="json")]


@bp.function_name(Activities.CHECK_READINESS)
@bp.activity_trigger(input_name="payload")
def check_readiness(payload: dict) -> list:
    """Input: `{"units": [CheckUnit, ...]}` (or one CheckUnit); output: their outcomes, in order."""
    try:
        raw = payload.get("units", [payload]) if isinstance(payload, dict) else None
        units = [CheckUnit.model_validate(u) for u in raw or []]
    except Exception as exc:
        log.exception("readiness check input is not a list of check units")
        return [Step("check", "plan", "readiness").failed(f"internal error: {exc}").model_dump(mode="json")]
    return [c for found in in_parallel([partial(_run, u) for u in units]) for c in found]
