"""The parts of azure-functions-durable 1.7.0 the host relies on, pinned.

If an SDK upgrade changes event or action numbering, the replay entry point, the retry pattern
or the error format, these fail before the host misbehaves.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from azure.durable_functions.models.actions.ActionType import ActionType
from azure.durable_functions.models.history.HistoryEventType import HistoryEventType

from regionshift.host import history as h
from regionshift.host.engine import OUT_OF_PROC_MARKER
from regionshift.host.functions import index_functions

NOW = datetime(2030, 1, 1, tzinfo=UTC)


def test_history_event_types_the_host_writes() -> None:
    expected = {
        "EXECUTION_STARTED": 0,
        "EXECUTION_COMPLETED": 1,
        "EXECUTION_TERMINATED": 3,
        "TASK_SCHEDULED": 4,
        "TASK_COMPLETED": 5,
        "TASK_FAILED": 6,
        "SUB_ORCHESTRATION_INSTANCE_CREATED": 7,
        "SUB_ORCHESTRATION_INSTANCE_COMPLETED": 8,
        "SUB_ORCHESTRATION_INSTANCE_FAILED": 9,
        "TIMER_CREATED": 10,
        "TIMER_FIRED": 11,
        "ORCHESTRATOR_STARTED": 12,
        "ORCHESTRATOR_COMPLETED": 13,
        "EVENT_RAISED": 15,
        "EXECUTION_SUSPENDED": 19,
        "EXECUTION_RESUMED": 20,
    }
    assert {name: HistoryEventType[name].value for name in expected} == expected


def test_the_sdk_replays_past_suspension_events_without_acting_on_them(sample_app) -> None:
    """The host may hand ExecutionSuspended/Resumed to replay: the SDK ignores both."""
    played = [*_start("sequence", "[3]"), h.task_scheduled(NOW, 0, "double", "3"), h.orchestrator_completed(NOW)]
    new = [
        h.orchestrator_started(NOW),
        h.execution_suspended(NOW, "pause"),
        h.execution_resumed(NOW, "go on"),
        h.task_completed(NOW, 0, "6"),
    ]
    state = _replay(sample_app, "sequence", played, new, "[3]")
    assert state["isDone"] is True and state["output"] == [6]


def test_with_the_timer_durations_the_sdk_splits_a_long_timer_into_a_first_three_day_step(sample_app) -> None:
    state = _replay(sample_app, "long_sleeper", [], _start("long_sleeper", "10"), "10")
    (long_timer,) = state["actions"][0]  # LongTimerTask: a WhenAll around its current step
    assert long_timer["actionType"] == ActionType.WHEN_ALL
    (step,) = long_timer["compoundActions"]
    assert step["actionType"] == ActionType.CREATE_TIMER
    assert step["fireAt"] == "2030-01-04T00:00:00.000000Z"


def test_action_types_the_host_schedules() -> None:
    expected = {
        "CALL_ACTIVITY": 0,
        "CALL_ACTIVITY_WITH_RETRY": 1,
        "CALL_SUB_ORCHESTRATOR": 2,
        "CALL_SUB_ORCHESTRATOR_WITH_RETRY": 3,
        "CONTINUE_AS_NEW": 4,
        "CREATE_TIMER": 5,
        "WAIT_FOR_EXTERNAL_EVENT": 6,
        "WHEN_ANY": 11,
        "WHEN_ALL": 12,
    }
    assert {name: ActionType[name].value for name in expected} == expected


def _replay(sample_app, name: str, played: list[dict], new: list[dict], input_json: str) -> dict:
    handle = index_functions(sample_app).orchestrators[name]
    return json.loads(handle(h.build_context("i-1", None, input_json, played, new)))


def _start(name: str, input_json: str) -> list[dict]:
    return [h.orchestrator_started(NOW), h.execution_started(NOW, name, input_json, "i-1", "e-1")]


def test_first_episode_emits_the_first_action_with_its_fields(sample_app) -> None:
    state = _replay(sample_app, "sequence", [], _start("sequence", "[3, 4]"), "[3, 4]")
    assert state["isDone"] is False
    assert state["schemaVersion"] == 2  # the host offers upperSchemaVersionNew=2 (V3)
    assert state["actions"] == [[{"actionType": 0, "functionName": "double", "input": "3"}]]


def test_actions_are_cumulative_and_results_are_json_strings(sample_app) -> None:
    played = [*_start("sequence", "[3, 4]"), h.task_scheduled(NOW, 0, "double", "3"), h.orchestrator_completed(NOW)]
    new = [h.orchestrator_started(NOW), h.task_completed(NOW, 0, "6")]
    state = _replay(sample_app, "sequence", played, new, "[3, 4]")
    assert [a["input"] for a in state["actions"][0]] == ["3", "4"]


def test_fan_out_is_one_when_all_action_with_children_in_task_id_order(sample_app) -> None:
    state = _replay(sample_app, "fan_out", [], _start("fan_out", "3"), "3")
    (when_all,) = state["actions"][0]
    assert when_all["actionType"] == ActionType.WHEN_ALL
    assert [a["input"] for a in when_all["compoundActions"]] == ["0", "1", "2"]


def test_retry_pattern_is_failure_timer_then_a_new_task_id(sample_app) -> None:
    """RetryAbleTask: after TaskFailed the SDK waits on a timer (next id), then a new task (next id)."""
    request = '{"key": "k", "succeed_on": 2, "max": 3}'
    fire_at = h.fmt_time(NOW)
    played = [*_start("retries", request), h.task_scheduled(NOW, 0, "flaky", request), h.orchestrator_completed(NOW)]
    played += [
        h.orchestrator_started(NOW),
        h.task_failed(NOW, 0, "attempt 1 failed", ""),
        h.timer_created(NOW, 1, fire_at),
        h.orchestrator_completed(NOW),
    ]
    played += [
        h.orchestrator_started(NOW),
        h.timer_fired(NOW, 1, fire_at),
        h.task_scheduled(NOW, 2, "flaky", request),
        h.orchestrator_completed(NOW),
    ]
    new = [h.orchestrator_started(NOW), h.task_completed(NOW, 2, '"ok on attempt 2"')]
    state = _replay(sample_app, "retries", played, new, request)
    assert state["isDone"] is True and state["output"] == "ok on attempt 2"
    (wrapper,) = state["actions"][0]  # the retry task is a WhenAll around the retry action
    assert wrapper["actionType"] == ActionType.WHEN_ALL
    assert wrapper["compoundActions"][0]["retryOptions"] == {
        "firstRetryIntervalInMilliseconds": 60000,
        "maxNumberOfAttempts": 3,
    }


def test_orchestrator_exception_carries_the_state_after_the_out_of_proc_marker(sample_app) -> None:
    played = [*_start("crashes", "null"), h.task_scheduled(NOW, 0, "double", "1"), h.orchestrator_completed(NOW)]
    new = [h.orchestrator_started(NOW), h.task_completed(NOW, 0, "2")]
    try:
        _replay(sample_app, "crashes", played, new, "null")
    except Exception as exc:
        message, marker, data = str(exc).partition(OUT_OF_PROC_MARKER)
        assert marker and message == "plan has no regions"
        assert json.loads(data)["error"] == "plan has no regions"
    else:
        raise AssertionError("the SDK did not raise for an orchestrator exception")


def test_events_are_matched_by_name_and_buffered_before_the_wait(sample_app) -> None:
    played = [*_start("approval", "null"), h.task_scheduled(NOW, 0, "gate", '"opened"'), h.orchestrator_completed(NOW)]
    new = [h.orchestrator_started(NOW), h.event_raised(NOW, "approve", '"yes"'), h.task_completed(NOW, 0, '"opened"')]
    state = _replay(sample_app, "approval", played, new, "null")
    assert state["output"] == {"gate": "opened", "decision": "yes"}
    assert state["actions"][0][1] == {"actionType": 6, "externalEventName": "approve", "reason": "ExternalEvent"}


# -- an event's task that is not being yielded (the cancel event: orchestrators/cancel.py) ---------


def test_an_event_task_never_yielded_is_not_completed_by_its_event_until_it_is_yielded(sample_app) -> None:
    """The SDK tracks a task only once it was yielded (`_add_to_open_tasks`); an event for a task
    it does not track is kept aside (`deferred_tasks`) and completes the task when it is yielded.
    So `is_completed` of a task made but never yielded stays False whatever arrived."""
    played = [*_start("event_never_yielded", "null"), h.task_scheduled(NOW, 0, "double", "1")]
    played.append(h.orchestrator_completed(NOW))
    cancel = h.event_raised(NOW, "cancel", '{"by": "cli:ann"}')
    new = [h.orchestrator_started(NOW), cancel, h.task_completed(NOW, 0, "2")]
    state = _replay(sample_app, "event_never_yielded", played, new, "null")
    assert state["isDone"] is True
    assert state["output"] == {"completed_unyielded": False, "first_when_yielded": "cancel"}


def test_an_event_task_yielded_once_is_completed_by_its_event_while_other_work_is_yielded(sample_app) -> None:
    """Once yielded (here in a task_any that an activity won), the SDK tracks the task: its event
    completes it even while the orchestrator waits on something else, so a later check sees it."""
    played = [*_start("event_yielded_once", "null"), h.task_scheduled(NOW, 0, "double", "1")]
    played += [h.orchestrator_completed(NOW), h.orchestrator_started(NOW), h.task_completed(NOW, 0, "2")]
    played += [h.task_scheduled(NOW, 1, "double", "2"), h.orchestrator_completed(NOW)]
    cancel = h.event_raised(NOW, "cancel", '{"by": "cli:ann"}')
    new = [h.orchestrator_started(NOW), cancel, h.task_completed(NOW, 1, "4")]
    state = _replay(sample_app, "event_yielded_once", played, new, "null")
    assert state["isDone"] is True
    assert state["output"] == {"before": False, "after": True, "input": {"by": "cli:ann"}}
