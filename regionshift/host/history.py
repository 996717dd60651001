"""History events and the orchestration context, in the format the Durable extension sends.

Events are plain dicts with the extension's PascalCase fields (`EventType`, `EventId`,
`IsPlayed`, `Timestamp`, then per-type fields), exactly what `HistoryEvent(**event)` in the
SDK accepts. The context JSON is what the Python worker hands an orchestrator's handle.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from azure.durable_functions.constants import DATETIME_STRING_FORMAT
from azure.durable_functions.models.history.HistoryEventType import HistoryEventType as E

from regionshift.host.limits import LONG_TIMER_INTERVAL, MAXIMUM_SHORT_TIMER, format_timespan

# The context fields the extension sends (`OrchestrationContextToString`, the extension's
# Bindings/OrchestrationTriggerAttributeBindingProvider.cs): replay schema V2 in
# `upperSchemaVersion` and V3 in `upperSchemaVersionNew` (V3 is what lets the SDK split long
# timers), the Azure Storage provider's timer durations as .NET TimeSpans (with them the SDK
# turns a timer longer than `maximumShortTimerDuration` into a `LongTimerTask` of
# `longRunningTimerIntervalDuration` steps: `DurableOrchestrationContext.create_timer` in the
# SDK), and the default sleep between polls of an async HTTP call
# (`HttpOptions.DefaultAsyncRequestSleepTimeMilliseconds`, 30 s).
UPPER_SCHEMA_VERSION = 1
UPPER_SCHEMA_VERSION_NEW = 2
MAXIMUM_SHORT_TIMER_DURATION = format_timespan(MAXIMUM_SHORT_TIMER)
LONG_RUNNING_TIMER_INTERVAL_DURATION = format_timespan(LONG_TIMER_INTERVAL)
DEFAULT_HTTP_ASYNC_SLEEP_MS = 30_000


def fmt_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(DATETIME_STRING_FORMAT)


def parse_time(text: str) -> datetime:
    """An aware UTC datetime from the SDK's format or any ISO 8601 text; ValueError otherwise."""
    try:
        parsed = datetime.strptime(text, DATETIME_STRING_FORMAT)
    except ValueError:
        parsed = datetime.fromisoformat(text)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def event(kind: E, now: datetime, event_id: int = -1, **fields: Any) -> dict[str, Any]:
    return {"EventType": int(kind), "EventId": event_id, "IsPlayed": False, "Timestamp": fmt_time(now), **fields}


def orchestrator_started(now: datetime) -> dict[str, Any]:
    return event(E.ORCHESTRATOR_STARTED, now)


def orchestrator_completed(now: datetime) -> dict[str, Any]:
    return event(E.ORCHESTRATOR_COMPLETED, now)


def execution_started(
    now: datetime,
    name: str,
    input_json: str | None,
    instance_id: str,
    execution_id: str,
    parent: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return event(
        E.EXECUTION_STARTED,
        now,
        Name=name,
        Input=input_json,
        Version="",  # the SDK reads Version from ExecutionStarted; without it replay fails
        OrchestrationInstance={"InstanceId": instance_id, "ExecutionId": execution_id},
        ParentInstance=parent,
    )


def task_scheduled(now: datetime, task_id: int, name: str, input_json: str | None) -> dict[str, Any]:
    return event(E.TASK_SCHEDULED, now, task_id, Name=name, Version="", Input=input_json)


def task_completed(now: datetime, task_id: int, result_json: str | None) -> dict[str, Any]:
    return event(E.TASK_COMPLETED, now, TaskScheduledId=task_id, Result=result_json)


def task_failed(now: datetime, task_id: int, reason: str, details: str) -> dict[str, Any]:
    return event(E.TASK_FAILED, now, TaskScheduledId=task_id, Reason=reason, Details=details)


def sub_orchestration_created(
    now: datetime, task_id: int, name: str, instance_id: str, input_json: str | None
) -> dict[str, Any]:
    return event(
        E.SUB_ORCHESTRATION_INSTANCE_CREATED,
        now,
        task_id,
        Name=name,
        Version="",
        InstanceId=instance_id,
        Input=input_json,
    )


def sub_orchestration_completed(now: datetime, task_id: int, result_json: str | None) -> dict[str, Any]:
    return event(E.SUB_ORCHESTRATION_INSTANCE_COMPLETED, now, TaskScheduledId=task_id, Result=result_json)


def sub_orchestration_failed(now: datetime, task_id: int, reason: str, details: str) -> dict[str, Any]:
    return event(E.SUB_ORCHESTRATION_INSTANCE_FAILED, now, TaskScheduledId=task_id, Reason=reason, Details=details)


def timer_created(now: datetime, timer_id: int, fire_at: str) -> dict[str, Any]:
    return event(E.TIMER_CREATED, now, timer_id, FireAt=fire_at)


def timer_fired(now: datetime, timer_id: int, fire_at: str) -> dict[str, Any]:
    return event(E.TIMER_FIRED, now, TimerId=timer_id, FireAt=fire_at)


def event_raised(now: datetime, name: str, input_json: str | None) -> dict[str, Any]:
    return event(E.EVENT_RAISED, now, Name=name, Input=input_json)


def execution_completed(now: datetime, status: str, result_json: str | None) -> dict[str, Any]:
    return event(E.EXECUTION_COMPLETED, now, OrchestrationStatus=status, Result=result_json)


def execution_terminated(now: datetime, reason: str) -> dict[str, Any]:
    return event(E.EXECUTION_TERMINATED, now, Input=json.dumps(reason))


def execution_suspended(now: datetime, reason: str | None) -> dict[str, Any]:
    """DTFx's ExecutionSuspendedEvent (DurableTask.Core/History/ExecutionSuspendedEvent.cs)."""
    return event(E.EXECUTION_SUSPENDED, now, Reason=reason)


def execution_resumed(now: datetime, reason: str | None) -> dict[str, Any]:
    """DTFx's ExecutionResumedEvent (DurableTask.Core/History/ExecutionResumedEvent.cs)."""
    return event(E.EXECUTION_RESUMED, now, Reason=reason)


def build_context(
    instance_id: str,
    parent_instance_id: str | None,
    input_json: str | None,
    played: list[dict[str, Any]],
    new: list[dict[str, Any]],
) -> str:
    """The context JSON for one episode: `played` events (from earlier episodes) then `new` ones,
    where `new` starts with this episode's OrchestratorStarted."""
    history = [{**e, "IsPlayed": True} for e in played] + [{**e, "IsPlayed": False} for e in new]
    return json.dumps(
        {
            "history": history,
            "instanceId": instance_id,
            "isReplaying": bool(played),
            "parentInstanceId": parent_instance_id,
            "input": input_json,
            "upperSchemaVersion": UPPER_SCHEMA_VERSION,
            "upperSchemaVersionNew": UPPER_SCHEMA_VERSION_NEW,
            "longRunningTimerIntervalDuration": LONG_RUNNING_TIMER_INTERVAL_DURATION,
            "maximumShortTimerDuration": MAXIMUM_SHORT_TIMER_DURATION,
            "defaultHttpAsyncRequestSleepTimeMillseconds": DEFAULT_HTTP_ASYNC_SLEEP_MS,
        }
    )
