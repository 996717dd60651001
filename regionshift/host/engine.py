"""One orchestration episode: new events in, one replay through the SDK, new work out.

This is the part of the Durable extension that decides what happens next, with no threads or
storage in it. An episode takes the events delivered since the last one, appends them after a
fresh OrchestratorStarted, replays the whole history through the orchestrator's handle, and
turns the actions the SDK has not emitted before into history events and work (activities,
timers, child instances). Task ids are sequence numbers handed out in the order the SDK hands
them out: new actions in order, with the hidden retry timers and rescheduled tasks of the SDK's
`RetryAbleTask` (which emit no actions) numbered first, because the host delivers their events
at the start of an episode, before anything that can make the orchestrator yield new tasks.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from azure.durable_functions.models.actions.ActionType import ActionType as A
from azure.durable_functions.models.history.HistoryEventType import HistoryEventType as E

from regionshift.host import history as h
from regionshift.host import limits
from regionshift.host.status import RuntimeStatus

OUT_OF_PROC_MARKER = "\n\n$OutOfProcData$:"
_COMPOUND = (A.WHEN_ALL, A.WHEN_ANY)
_FAILURES = (E.TASK_FAILED, E.SUB_ORCHESTRATION_INSTANCE_FAILED)


@dataclass
class InstanceState:
    """What an episode needs to know about its instance (one execution of it)."""

    instance_id: str
    name: str
    execution_id: str
    input_json: str | None
    parent_instance_id: str | None
    next_seq: int
    action_ids: list[int | None]  # task id of every action seen so far (None: external-event waits)


@dataclass
class Delivery:
    """An event waiting in the instance's inbox; `meta` carries host-only facts (retry state)."""

    id: int
    event: dict[str, Any]
    meta: dict[str, Any] | None = None


@dataclass
class WorkItem:
    task_id: int
    name: str
    input_json: str | None
    meta: dict[str, Any] | None


@dataclass
class TimerItem:
    fire_at: str
    event: dict[str, Any]
    meta: dict[str, Any] | None


@dataclass
class ChildStart:
    instance_id: str
    name: str
    input_json: str | None
    task_id: int
    meta: dict[str, Any] | None  # returned with the child's completion event (retry state)


@dataclass
class Outcome:
    appended: list[dict[str, Any]]
    status: RuntimeStatus
    next_seq: int
    action_ids: list[int | None]
    custom_status_json: str | None = None
    output_json: str | None = None
    failure: str | None = None
    continue_as_new_input: str | None = None
    continued_as_new: bool = False
    work: list[WorkItem] = field(default_factory=list)
    timers: list[TimerItem] = field(default_factory=list)
    children: list[ChildStart] = field(default_factory=list)
    cancelled_timers: list[int] = field(default_factory=list)


def retry_delay(options: dict[str, Any], attempt: int) -> timedelta:
    """Delay after the `attempt`-th failure: first interval times backoff^(attempt-1), capped."""
    first = float(options.get("firstRetryIntervalInMilliseconds", 1000))
    backoff = float(options.get("backoffCoefficient", 1.0))
    delay = first * backoff ** max(0, attempt - 1)
    cap = options.get("maxRetryIntervalInMilliseconds")
    if cap:
        delay = min(delay, float(cap))
    return timedelta(milliseconds=delay)


def child_instance_id(parent_id: str, task_id: int) -> str:
    """Deterministic id for a sub-orchestration started without one (Durable's `parent:seq`)."""
    return f"{parent_id}:{task_id}"


def flatten(actions: list[Any]) -> Iterator[dict[str, Any]]:
    """Atomic actions in task-id order: groups, then compound actions depth-first."""
    for item in actions:
        if isinstance(item, list):
            yield from flatten(item)
        elif item.get("actionType") in _COMPOUND:
            yield from flatten(item.get("compoundActions", []))
        else:
            yield item


def _is_retry_control(delivery: Delivery) -> bool:
    """Retry events that never let the orchestrator move on: they only number hidden tasks."""
    retry = (delivery.meta or {}).get("retry")
    if not retry:
        return False
    kind = delivery.event["EventType"]
    if kind in _FAILURES:
        return True
    # the timer after the last attempt fails the task (the orchestrator moves on): not control
    return kind == E.TIMER_FIRED and retry["attempt"] < int(retry["options"]["maxNumberOfAttempts"])


class _Builder:
    """Accumulates one episode's scheduling decisions."""

    def __init__(self, state: InstanceState, now: datetime) -> None:
        self.state = state
        self.now = now
        self.seq = state.next_seq
        self.scheduled: list[dict[str, Any]] = []
        self.work: list[WorkItem] = []
        self.timers: list[TimerItem] = []
        self.children: list[ChildStart] = []
        self.cancelled: list[int] = []

    def take_id(self) -> int:
        task_id = self.seq
        self.seq += 1
        return task_id

    def call(
        self,
        task_id: int,
        kind: str,
        name: str,
        input_json: str | None,
        child_id: str | None,
        meta: dict[str, Any] | None,
    ) -> None:
        if kind == "activity":
            self.scheduled.append(h.task_scheduled(self.now, task_id, name, input_json))
            self.work.append(WorkItem(task_id, name, input_json, meta))
        else:
            instance_id = child_id or child_instance_id(self.state.instance_id, task_id)
            self.scheduled.append(h.sub_orchestration_created(self.now, task_id, name, instance_id, input_json))
            self.children.append(ChildStart(instance_id, name, input_json, task_id, meta))

    def timer(self, task_id: int, fire_at: str, meta: dict[str, Any] | None) -> None:
        self.scheduled.append(h.timer_created(self.now, task_id, fire_at))
        self.timers.append(TimerItem(fire_at, h.timer_fired(h.parse_time(fire_at), task_id, fire_at), meta))

    def retry_control(self, delivery: Delivery) -> None:
        retry = delivery.meta["retry"]  # type: ignore[index]
        if delivery.event["EventType"] in _FAILURES:
            fire_at = h.fmt_time(self.now + retry_delay(retry["options"], retry["attempt"]))
            self.timer(self.take_id(), fire_at, {"retry": retry})
        else:
            again = {**retry, "attempt": retry["attempt"] + 1}
            self.call(
                self.take_id(), retry["kind"], retry["name"], retry["input"], retry.get("instance_id"), {"retry": again}
            )


def run_episode(
    handle: Callable[[str], str] | None,
    state: InstanceState,
    played: list[dict[str, Any]],
    deliveries: list[Delivery],
    now: datetime,
) -> Outcome:
    """Replay `state`'s orchestrator over `played` plus `deliveries` and decide what comes next."""
    b = _Builder(state, now)
    starts: list[Delivery] = []
    control: list[Delivery] = []
    others: list[Delivery] = []
    for d in deliveries:
        if d.event["EventType"] == E.EXECUTION_STARTED:
            starts.append(d)
        elif _is_retry_control(d):
            control.append(d)
        else:
            others.append(d)
    new = [h.orchestrator_started(now)] + [d.event for d in starts]
    for delivery in control:
        new.append(delivery.event)
        b.retry_control(delivery)
    new.extend(d.event for d in others)

    if handle is None:
        return _finish(b, new, failure=f"orchestrator '{state.name}' is not registered in the app")
    context = h.build_context(state.instance_id, state.parent_instance_id, state.input_json, played, new)
    error: str | None = None
    try:
        result = json.loads(handle(context))
    except Exception as exc:  # the SDK reports orchestrator exceptions this way
        message, _, data = str(exc).partition(OUT_OF_PROC_MARKER)
        result = json.loads(data) if data else {}
        error = result.get("error") or message or type(exc).__name__
    custom = result.get("customStatus")
    custom_json = json.dumps(custom) if custom is not None else None
    too_large = limits.custom_status_size_error(custom)
    if too_large is not None:
        return _custom_status_refused(b, new, state.name, too_large, orchestrator_failed=error is not None)
    if error is not None:
        return _finish(b, new, failure=error, custom_status_json=custom_json)

    action_ids = list(state.action_ids)
    continue_input: str | None = None
    for position, action in enumerate(flatten(result.get("actions", []))):
        kind = action.get("actionType")
        if position < len(state.action_ids):
            old_id = state.action_ids[position]
            if kind == A.CREATE_TIMER and action.get("isCanceled") and old_id is not None:
                b.cancelled.append(old_id)
            continue
        if kind == A.WAIT_FOR_EXTERNAL_EVENT:
            action_ids.append(None)  # events are matched by name and take no sequence number
            continue
        task_id = b.take_id()
        action_ids.append(task_id)
        if kind in (
            A.CALL_ACTIVITY,
            A.CALL_ACTIVITY_WITH_RETRY,
            A.CALL_SUB_ORCHESTRATOR,
            A.CALL_SUB_ORCHESTRATOR_WITH_RETRY,
        ):
            call_kind = "activity" if kind in (A.CALL_ACTIVITY, A.CALL_ACTIVITY_WITH_RETRY) else "sub"
            meta = None
            if "retryOptions" in action:
                meta = {
                    "retry": {
                        "kind": call_kind,
                        "name": action["functionName"],
                        "input": action.get("input"),
                        "options": action["retryOptions"],
                        "attempt": 1,
                        "instance_id": action.get("instanceId"),
                    }
                }
            b.call(task_id, call_kind, action["functionName"], action.get("input"), action.get("instanceId"), meta)
        elif kind == A.CREATE_TIMER:
            too_long = limits.timer_length_error(h.parse_time(action["fireAt"]), now)
            if too_long is not None:
                return _finish(b, new, failure=f"Orchestrator function '{state.name}' failed: {too_long}")
            if not action.get("isCanceled"):
                b.timer(task_id, action["fireAt"], None)
        elif kind == A.CONTINUE_AS_NEW:
            continue_input = action.get("input")
        else:
            name = A(kind).name if kind in A._value2member_map_ else str(kind)
            return _finish(
                b, new, failure=f"the embedded host does not support {name} actions", custom_status_json=custom_json
            )

    if result.get("isDone") and continue_input is not None:
        outcome = _finish(b, new, custom_status_json=custom_json, status=RuntimeStatus.RUNNING)
        outcome.continue_as_new_input = continue_input
        outcome.continued_as_new = True
        return outcome
    if result.get("isDone"):
        output_json = json.dumps(result.get("output"))
        return _finish(b, new, output_json=output_json, custom_status_json=custom_json, status=RuntimeStatus.COMPLETED)
    outcome = _finish(b, new, custom_status_json=custom_json, status=RuntimeStatus.RUNNING)
    outcome.action_ids = action_ids
    outcome.work, outcome.timers, outcome.children = b.work, b.timers, b.children
    outcome.cancelled_timers = b.cancelled
    return outcome


def _custom_status_refused(
    b: _Builder, new: list[dict[str, Any]], name: str, message: str, *, orchestrator_failed: bool
) -> Outcome:
    """An episode whose custom status is over the limit fails the orchestration, as Azure does.

    The extension sets the custom status first thing (`ScheduleDurableTaskEvents`,
    Listener/OutOfProcOrchestrationShim.cs), so its ArgumentException comes before any action of
    the episode is replayed: nothing new is scheduled, not even the hidden retry timers. On the
    normal path `TaskOrchestrationShim.InvokeUserCodeAndHandleResults` wraps it as
    "Orchestrator function '<name>' failed: <message>"; when the orchestrator had raised, the
    exception escapes that handler and DTFx fails the instance with the bare message
    (`TaskOrchestrationContext.FailOrchestration`). The episode's context never got a custom
    status, and AzureTableTrackingStore writes `runtimeState.Status ?? "null"`: it ends None."""
    b.scheduled.clear()
    b.work, b.timers, b.children = [], [], []
    reason = message if orchestrator_failed else f"Orchestrator function '{name}' failed: {message}"
    return _finish(b, new, failure=reason)


def _finish(
    b: _Builder,
    new: list[dict[str, Any]],
    *,
    status: RuntimeStatus = RuntimeStatus.FAILED,
    failure: str | None = None,
    output_json: str | None = None,
    custom_status_json: str | None = None,
) -> Outcome:
    appended = new + b.scheduled + [h.orchestrator_completed(b.now)]
    if status is RuntimeStatus.COMPLETED:
        appended.append(h.execution_completed(b.now, "Completed", output_json))
    elif failure is not None:
        appended.append(h.execution_completed(b.now, "Failed", None))
        appended[-1]["FailureDetails"] = {"ErrorMessage": failure}
    return Outcome(
        appended=appended,
        status=status if failure is None else RuntimeStatus.FAILED,
        next_seq=b.seq,
        action_ids=b.state.action_ids,
        custom_status_json=custom_status_json,
        output_json=output_json,
        failure=failure,
    )
