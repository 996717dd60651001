"""What every activity does around its domain function: parse the wire input, get the shared
client factory, call, and return the outcome as plain JSON.

An unexpected error becomes a failed outcome instead of a raised one: a raised error would make
Durable's task_all fail fast, and the orchestrator must see every branch of a fan-out finish.
The traceback goes to the log, not into the report.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from regionshift.azure.clients import AzureClients, default_clients
from regionshift.azure.outcomes import Step
from regionshift.contracts import ActivityInput, StepKind, StepOutcome
from regionshift.plan import PlanContext

log = logging.getLogger("regionshift.activities")

Work = Callable[[AzureClients, PlanContext, ActivityInput], StepOutcome]


def run_activity(payload: Any, kind: StepKind, resource: str, work: Work) -> dict[str, Any]:
    try:
        args = ActivityInput.model_validate(payload)
        plan = PlanContext.model_validate(args.plan)
        outcome = work(default_clients(), plan, args)
    except Exception as exc:
        log.exception("activity for %s %s failed unexpectedly", kind, resource)
        outcome = Step(kind, resource, "unknown").failed(f"internal error: {type(exc).__name__}: {exc}")
    return outcome.model_dump(mode="json")


def item_label(payload: Any, *keys: str) -> str:
    """A best-effort name for the resource in an input, for the rare unexpected-error outcome."""
    item = payload.get("item", {}) if isinstance(payload, dict) else {}
    return "/".join(str(item.get(k, "?")) for k in keys)
