"""Waiting without holding a thread: durable timers between short looks at Azure.

Used with `yield from` inside orchestrators. Every wait has a deadline, so an operation that hangs
fails its branch with a clear reason instead of holding the run forever; none waits inside an
activity, so nothing comes near the Functions host's `functionTimeout` and a crash in the middle
resumes the wait from the history.

Deadlines are regionshift's own bounds, far above what Azure documents as typical, so that they
catch a hang and never cut a slow but healthy operation short.
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import datetime, timedelta
from typing import Any

from regionshift.contracts import OperationHandle, OperationStatus
from regionshift.names import Activities

# Seconds between looks: Azure's Retry-After, kept within these bounds.
MIN_POLL_SECONDS = 1.0
MAX_POLL_SECONDS = 60.0
# Per kind of operation (Azure time). SQL: planned failover ~1 min, forced seconds ("Failover groups
# overview", Learn). Cosmos DB: a manual failover takes minutes. Scale sets: creating VMs takes
# minutes. Resource-group deletion: minutes, longer with many resources.
DEADLINES = {
    "sql": timedelta(minutes=30),
    "cosmos": timedelta(minutes=60),
    "scale_set": timedelta(minutes=60),
    "resource_group": timedelta(minutes=60),
}


def poll_delay(seconds: float) -> timedelta:
    return timedelta(seconds=min(MAX_POLL_SECONDS, max(MIN_POLL_SECONDS, seconds)))


def sleep(context: Any, delay: timedelta, deadline: datetime | None = None) -> Generator[Any, Any, None]:
    """A durable timer of `delay`, cut at `deadline`."""
    fire_at = context.current_utc_datetime + delay
    if deadline is not None:
        fire_at = min(fire_at, deadline)
    yield context.create_timer(fire_at)


def wait_for_operation(
    context: Any, handle: OperationHandle, deadline: datetime
) -> Generator[Any, Any, OperationStatus]:
    """Poll a started operation until it ends or `deadline` passes (then `InProgress` with a reason)."""
    delay = poll_delay(handle.retry_after)
    unknown = 0
    while True:
        if context.current_utc_datetime >= deadline:
            return OperationStatus(status="InProgress", error="the operation did not finish before its deadline")
        yield from sleep(context, delay, deadline)
        asked = yield context.call_activity(Activities.OPERATION_STATUS, handle.model_dump(mode="json"))
        status = OperationStatus.model_validate(asked)
        if status.done:
            return status
        # ARM may forget an operation, or not answer for a while: after a few blind looks, say so and
        # let the branch read the resource itself instead.
        unknown = unknown + 1 if status.status == "Unknown" else 0
        if unknown >= 5:
            return status
        delay = poll_delay(status.retry_after)
