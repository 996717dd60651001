"""What every activity does around its domain function: parse the wire input, get the shared
client factory, call, and return the result as plain JSON.

An unexpected error becomes a result the orchestrator understands (a failed outcome, a refused
start, an unanswered read) instead of a raised one: a raised error would make Durable's task_all
fail fast, and the orchestrator must see every branch of a fan-out finish. The traceback goes to
the log, not into the report.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from regionshift.azure.clients import AzureClients, default_clients
from regionshift.contracts import ActivityInput
from regionshift.plan import PlanContext

log = logging.getLogger("regionshift.activities")

Work = Callable[[AzureClients, PlanContext, ActivityInput], BaseModel]


def run_activity(payload: Any, name: str, work: Work, on_error: Callable[[str], BaseModel]) -> dict:
    """Run `work` on the parsed input; `on_error(reason)` builds the answer to an unexpected error."""
    try:
        args = ActivityInput.model_validate(payload)
        plan = PlanContext.model_validate(args.plan)
        result = work(default_clients(), plan, args)
    except Exception as exc:
        log.exception("activity %s failed unexpectedly", name)
        result = on_error(f"internal error: {type(exc).__name__}: {exc}")
    return result.model_dump(mode="json")


def item_label(payload: Any, *keys: str) -> str:
    """A best-effort name for the resource in an input, for the rare unexpected-error answer."""
    item = payload.get("item", {}) if isinstance(payload, dict) else {}
    return "/".join(str(item.get(k, "?")) for k in keys)
