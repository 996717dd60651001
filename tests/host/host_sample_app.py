"""A small Durable app for the host tests: one blueprint of orchestrators and activities.

Activities that need outside control read it from module state set by the test (`GATE`,
`ATTEMPTS`) or from their input (a file to record executions in).
"""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import azure.durable_functions as df

bp = df.Blueprint()

GATE = threading.Event()  # the `gate` activity blocks until a test sets it
ATTEMPTS: dict[str, int] = {}  # calls of `flaky` per key
_attempts_lock = threading.Lock()


# -- activities --------------------------------------------------------------------------------


@bp.activity_trigger(input_name="value")
def double(value: int) -> int:
    return value * 2


@bp.activity_trigger(input_name="value")
def echo(value: Any) -> Any:
    return value


@bp.activity_trigger(input_name="message")
def boom(message: str) -> None:
    raise RuntimeError(message)


@bp.activity_trigger(input_name="request")
def flaky(request: dict[str, Any]) -> str:
    """Fails until it has been called `succeed_on` times for `key` (never, when 0)."""
    with _attempts_lock:
        ATTEMPTS[request["key"]] = ATTEMPTS.get(request["key"], 0) + 1
        attempt = ATTEMPTS[request["key"]]
    if request["succeed_on"] == 0 or attempt < request["succeed_on"]:
        raise ConnectionError(f"attempt {attempt} failed")
    return f"ok on attempt {attempt}"


@bp.activity_trigger(input_name="value")
def gate(value: Any) -> Any:
    GATE.wait(30)
    return value


@bp.activity_trigger(input_name="step")
def record_step(step: dict[str, Any]) -> int:
    """Slow step that appends to a file when it finishes: the kill-and-resume test counts lines."""
    time.sleep(step.get("seconds", 0.3))
    with Path(step["path"]).open("a") as f:
        f.write(json.dumps(step["i"]) + "\n")
    return int(step["i"])


# -- orchestrators -----------------------------------------------------------------------------


@bp.orchestration_trigger(context_name="context")
def sequence(context: df.DurableOrchestrationContext):
    results = []
    for value in context.get_input():
        results.append((yield context.call_activity("double", value)))
    return results


@bp.orchestration_trigger(context_name="context")
def fan_out(context: df.DurableOrchestrationContext):
    count = context.get_input()
    results = yield context.task_all([context.call_activity("double", i) for i in range(count)])
    return sum(results)


@bp.orchestration_trigger(context_name="context")
def fail_fast(context: df.DurableOrchestrationContext):
    # the second branch never finishes: only the SDK's fail-fast lets the orchestrator move on
    never = context.wait_for_external_event("never")
    try:
        yield context.task_all([context.call_activity("boom", "branch broke"), never])
    except Exception as exc:
        return f"caught: {exc}"
    return "not reached"


@bp.orchestration_trigger(context_name="context")
def catches(context: df.DurableOrchestrationContext):
    try:
        yield context.call_activity("boom", "disk full")
    except Exception as exc:
        return f"caught: {exc}"
    return "not reached"


@bp.orchestration_trigger(context_name="context")
def crashes(context: df.DurableOrchestrationContext):
    yield context.call_activity("double", 1)
    raise ValueError("plan has no regions")


@bp.orchestration_trigger(context_name="context")
def parent(context: df.DurableOrchestrationContext):
    first = yield context.call_sub_orchestrator("sequence", [1, 2])
    named = yield context.call_sub_orchestrator("sequence", [5], instance_id=f"{context.instance_id}-named")
    try:
        yield context.call_sub_orchestrator("crashes", None)
    except Exception as exc:
        return {"first": first, "named": named, "child_failure": str(exc)}
    return {"first": first, "named": named, "child_failure": None}


@bp.orchestration_trigger(context_name="context")
def sleeper(context: df.DurableOrchestrationContext):
    started = context.current_utc_datetime
    yield context.create_timer(started + timedelta(hours=1))
    return {"started": started.isoformat(), "woke": context.current_utc_datetime.isoformat()}


@bp.orchestration_trigger(context_name="context")
def approval(context: df.DurableOrchestrationContext):
    before = yield context.call_activity("gate", "opened")
    context.set_custom_status({"stage": "waiting for approval"})
    decision = yield context.wait_for_external_event("approve")
    context.set_custom_status({"stage": "approved"})
    return {"gate": before, "decision": decision}


@bp.orchestration_trigger(context_name="context")
def approval_or_timeout(context: df.DurableOrchestrationContext):
    deadline = context.create_timer(context.current_utc_datetime + timedelta(hours=2))
    event = context.wait_for_external_event("approve")
    winner = yield context.task_any([deadline, event])
    if winner == event:
        deadline.cancel()
        return {"approved": event.result}
    return {"approved": None}


@bp.orchestration_trigger(context_name="context")
def retries(context: df.DurableOrchestrationContext):
    request = context.get_input()
    options = df.RetryOptions(first_retry_interval_in_milliseconds=60_000, max_number_of_attempts=request["max"])
    try:
        return (yield context.call_activity_with_retry("flaky", options, request))
    except Exception as exc:
        return f"gave up: {exc}"


@bp.orchestration_trigger(context_name="context")
def flaky_child(context: df.DurableOrchestrationContext):
    return (yield context.call_activity("flaky", context.get_input()))


@bp.orchestration_trigger(context_name="context")
def retries_child(context: df.DurableOrchestrationContext):
    options = df.RetryOptions(first_retry_interval_in_milliseconds=60_000, max_number_of_attempts=3)
    request = {"key": context.instance_id, "succeed_on": 2}
    return (yield context.call_sub_orchestrator_with_retry("flaky_child", options, request))


@bp.orchestration_trigger(context_name="context")
def counter(context: df.DurableOrchestrationContext):
    value = context.get_input()
    yield context.call_activity("double", value)
    if value < 3:
        context.continue_as_new(value + 1)
        return None
    return value


@bp.orchestration_trigger(context_name="context")
def slow_steps(context: df.DurableOrchestrationContext):
    request = context.get_input()
    done = []
    for i in range(request["steps"]):
        done.append((yield context.call_activity("record_step", {"path": request["path"], "i": i})))
    return done


@bp.orchestration_trigger(context_name="context")
def big_status(context: df.DurableOrchestrationContext):
    """Sets the custom status it is given, then (unless asked to raise) calls one activity."""
    request = context.get_input()
    context.set_custom_status(request["status"])
    if request.get("raise"):
        raise ValueError("failed after setting the status")
    yield context.call_activity("double", 1)
    return "done"


@bp.orchestration_trigger(context_name="context")
def long_sleeper(context: df.DurableOrchestrationContext):
    days = context.get_input()
    started = context.current_utc_datetime
    yield context.create_timer(started + timedelta(days=days))
    return {"started": started.isoformat(), "woke": context.current_utc_datetime.isoformat()}


@bp.orchestration_trigger(context_name="context")
def gate_then_finish(context: df.DurableOrchestrationContext):
    """Calls `gate` (with the retry options in the input, if any), then waits for "finish"."""
    request = context.get_input() or {}
    try:
        if request.get("attempts"):
            options = df.RetryOptions(
                first_retry_interval_in_milliseconds=1000, max_number_of_attempts=request["attempts"]
            )
            outcome = yield context.call_activity_with_retry("gate", options, "late")
        else:
            outcome = yield context.call_activity("gate", "late")
    except Exception as exc:
        outcome = f"failed: {exc}"
    context.set_custom_status({"gate": outcome})
    yield context.wait_for_external_event("finish")
    return outcome


@bp.orchestration_trigger(context_name="context")
def gate_then_double(context: df.DurableOrchestrationContext):
    opened = yield context.call_activity("gate", "opened")
    doubled = yield context.call_activity("double", 21)
    return {"gate": opened, "double": doubled}


@bp.orchestration_trigger(context_name="context")
def waiter(context: df.DurableOrchestrationContext):
    go = yield context.wait_for_external_event("go")
    return {"input": context.get_input(), "go": go}


@bp.orchestration_trigger(context_name="context")
def parent_of(context: df.DurableOrchestrationContext):
    """Starts `waiter` as a child with the id given in the input."""
    request = context.get_input()
    return (yield context.call_sub_orchestrator("waiter", request["input"], instance_id=request["child"]))


@bp.orchestration_trigger(context_name="context")
def event_never_yielded(context: df.DurableOrchestrationContext):
    """Creates an event's task and never yields it: does the SDK complete it when the event comes?"""
    cancel = context.wait_for_external_event("cancel")
    yield context.call_activity("double", 1)
    seen = cancel.is_completed
    late = yield context.task_any([cancel, context.call_activity("double", 2)])
    return {"completed_unyielded": seen, "first_when_yielded": "cancel" if late == cancel else "activity"}


@bp.orchestration_trigger(context_name="context")
def event_yielded_once(context: df.DurableOrchestrationContext):
    """Yields the event's task once beside an activity that wins; then waits on another activity
    during which the event comes: is the task completed there although nothing yields it?"""
    cancel = context.wait_for_external_event("cancel")
    first = context.call_activity("double", 1)
    yield context.task_any([first, cancel])
    before = cancel.is_completed
    yield context.call_activity("double", 2)
    return {"before": before, "after": cancel.is_completed, "input": cancel.result}


def make_app() -> df.DFApp:
    app = df.DFApp()
    app.register_functions(bp)
    return app
