"""DurableHost driving the sample app: the Durable behaviours the orchestrators rely on."""

from __future__ import annotations

from datetime import datetime, timedelta

import host_sample_app
import pytest
from azure.durable_functions.models.history.HistoryEventType import HistoryEventType as E

from regionshift.host import DurableHost, InstanceAlreadyRunning, InstanceStatus, RuntimeStatus, UnknownFunction

WAIT = 60  # generous: the machine is shared; a hang fails instead of blocking the suite


def types(host: DurableHost, instance_id: str) -> list[E]:
    return [E(e["EventType"]) for e in host.get_history(instance_id)]


def test_sequence_returns_each_activity_result(host: DurableHost) -> None:
    instance_id = host.start_new("sequence", [1, 2, 3])
    status = host.wait_for_completion(instance_id, WAIT)
    assert status.runtime_status is RuntimeStatus.COMPLETED
    assert status.output == [2, 4, 6]
    assert status.input == [1, 2, 3]
    assert types(host, instance_id).count(E.TASK_COMPLETED) == 3


def test_fan_out_of_a_thousand_activities_batches_replays(host: DurableHost) -> None:
    instance_id = host.start_new("fan_out", 1000)
    status = host.wait_for_completion(instance_id, WAIT)
    assert status.output == sum(2 * i for i in range(1000))
    history = types(host, instance_id)
    assert history.count(E.TASK_SCHEDULED) == 1000
    assert history.count(E.TASK_COMPLETED) == 1000
    # completions that arrive together are replayed together, not one replay per activity
    assert history.count(E.ORCHESTRATOR_STARTED) < 200


def test_task_all_fails_fast_on_the_first_failed_child(host: DurableHost) -> None:
    status = host.wait_for_completion(host.start_new("fail_fast"), WAIT)
    assert status.runtime_status is RuntimeStatus.COMPLETED
    assert status.output.startswith("caught: branch broke")


def test_failed_activity_reaches_the_orchestrator_as_an_exception(host: DurableHost) -> None:
    instance_id = host.start_new("catches")
    status = host.wait_for_completion(instance_id, WAIT)
    assert status.output.startswith("caught: disk full")
    failed = [e for e in host.get_history(instance_id) if e["EventType"] == E.TASK_FAILED]
    assert failed[0]["Reason"] == "disk full"
    assert failed[0]["Details"].startswith("RuntimeError: disk full")


def test_orchestrator_exception_fails_the_instance(host: DurableHost) -> None:
    status = host.wait_for_completion(host.start_new("crashes"), WAIT)
    assert status.runtime_status is RuntimeStatus.FAILED
    assert status.failure == "plan has no regions"
    assert status.output is None


def test_sub_orchestrations_complete_and_fail_into_the_parent(host: DurableHost) -> None:
    instance_id = host.start_new("parent", instance_id="p1")
    status = host.wait_for_completion(instance_id, WAIT)
    assert status.output["first"] == [2, 4]
    assert status.output["named"] == [10]
    assert "plan has no regions" in status.output["child_failure"]
    created = [e for e in host.get_history(instance_id) if e["EventType"] == E.SUB_ORCHESTRATION_INSTANCE_CREATED]
    assert [e["InstanceId"] for e in created] == ["p1:0", "p1-named", "p1:2"]
    child = host.get_status("p1-named")
    assert child is not None and child.runtime_status is RuntimeStatus.COMPLETED
    crashed = host.get_status("p1:2")
    assert crashed is not None and crashed.runtime_status is RuntimeStatus.FAILED


def test_timer_fires_on_the_host_clock(host: DurableHost) -> None:
    instance_id = host.start_new("sleeper")
    status = host.wait_for_completion(instance_id, WAIT)
    started = datetime.fromisoformat(status.output["started"])
    woke = datetime.fromisoformat(status.output["woke"])
    assert woke - started >= timedelta(hours=1)
    fired = [e for e in host.get_history(instance_id) if e["EventType"] == E.TIMER_FIRED]
    assert len(fired) == 1


def test_event_raised_before_the_wait_is_buffered(host: DurableHost) -> None:
    instance_id = host.start_new("approval")
    host.raise_event(instance_id, "approve", {"by": "ops"})  # the orchestrator is still in `gate`
    host_sample_app.GATE.set()
    status = host.wait_for_completion(instance_id, WAIT)
    assert status.output == {"gate": "opened", "decision": {"by": "ops"}}


def test_event_raised_after_the_wait_resumes_and_custom_status_is_visible(host: DurableHost) -> None:
    instance_id = host.start_new("approval")
    host_sample_app.GATE.set()
    seen: list[InstanceStatus] = []

    def progress(status: InstanceStatus) -> None:
        seen.append(status)
        if status.custom_status == {"stage": "waiting for approval"}:
            host.raise_event(instance_id, "approve", "yes")

    status = host.wait_for_completion(instance_id, WAIT, on_progress=progress)
    assert status.output == {"gate": "opened", "decision": "yes"}
    assert status.custom_status == {"stage": "approved"}
    waiting = [s for s in seen if s.custom_status == {"stage": "waiting for approval"}]
    assert waiting and waiting[0].runtime_status is RuntimeStatus.RUNNING


def test_event_beats_timer_and_the_timer_is_cancelled(host: DurableHost) -> None:
    instance_id = host.start_new("approval_or_timeout")
    host.raise_event(instance_id, "approve", True)
    status = host.wait_for_completion(instance_id, WAIT)
    assert status.output == {"approved": True}


def test_timer_beats_a_missing_event(host: DurableHost) -> None:
    status = host.wait_for_completion(host.start_new("approval_or_timeout"), WAIT)
    assert status.output == {"approved": None}


def test_activity_retry_follows_retry_options(host: DurableHost) -> None:
    request = {"key": "third-time-lucky", "succeed_on": 3, "max": 5}
    instance_id = host.start_new("retries", request)
    status = host.wait_for_completion(instance_id, WAIT)
    assert status.output == "ok on attempt 3"
    history = host.get_history(instance_id)
    kinds = [E(e["EventType"]) for e in history]
    assert kinds.count(E.TASK_SCHEDULED) == 3
    assert kinds.count(E.TASK_FAILED) == 2
    assert kinds.count(E.TIMER_FIRED) == 2
    # each retry waits the first retry interval (no backoff coefficient in RetryOptions)
    created = [e for e in history if e["EventType"] == E.TIMER_CREATED]
    failed = [e for e in history if e["EventType"] == E.TASK_FAILED]
    for timer, failure in zip(created, failed, strict=True):
        gap = datetime.fromisoformat(timer["FireAt"]) - datetime.fromisoformat(failure["Timestamp"])
        assert gap >= timedelta(seconds=59)


def test_activity_retry_gives_up_after_max_attempts(host: DurableHost) -> None:
    request = {"key": "never", "succeed_on": 0, "max": 2}
    instance_id = host.start_new("retries", request)
    status = host.wait_for_completion(instance_id, WAIT)
    assert status.output.startswith("gave up: attempt 2 failed")
    kinds = types(host, instance_id)
    assert kinds.count(E.TASK_SCHEDULED) == 2
    # as DTFx does: a timer after every failure, the last one included, before giving up
    assert kinds.count(E.TIMER_FIRED) == 2


def test_sub_orchestration_retry_starts_a_new_child_after_the_timer(host: DurableHost) -> None:
    instance_id = host.start_new("retries_child", instance_id="rc")
    status = host.wait_for_completion(instance_id, WAIT)
    assert status.output == "ok on attempt 2"
    history = host.get_history(instance_id)
    created = [e["InstanceId"] for e in history if e["EventType"] == E.SUB_ORCHESTRATION_INSTANCE_CREATED]
    assert created == ["rc:0", "rc:2"]  # task 1 is the SDK's hidden retry timer
    assert [E(e["EventType"]) for e in history].count(E.SUB_ORCHESTRATION_INSTANCE_FAILED) == 1
    first = host.get_status("rc:0")
    assert first is not None and first.runtime_status is RuntimeStatus.FAILED


def test_continue_as_new_restarts_with_a_fresh_history(host: DurableHost) -> None:
    instance_id = host.start_new("counter", 0)
    status = host.wait_for_completion(instance_id, WAIT)
    assert status.output == 3
    history = host.get_history(instance_id)
    assert history[1]["EventType"] == E.EXECUTION_STARTED and history[1]["Input"] == "3"


def test_start_new_on_a_running_id_raises_and_on_a_finished_id_starts_fresh(host: DurableHost) -> None:
    host.start_new("approval", instance_id="same")
    with pytest.raises(InstanceAlreadyRunning):
        host.start_new("sequence", [1], instance_id="same")
    host_sample_app.GATE.set()
    host.raise_event("same", "approve", 1)
    assert host.wait_for_completion("same", WAIT).runtime_status is RuntimeStatus.COMPLETED
    host.start_new("sequence", [4], instance_id="same")
    status = host.wait_for_completion("same", WAIT)
    assert status.name == "sequence" and status.output == [8]
    started = [e for e in host.get_history("same") if e["EventType"] == E.EXECUTION_STARTED]
    assert [e["Name"] for e in started] == ["sequence"]


def test_an_id_restarted_the_moment_it_finishes_always_runs_the_new_instance(host: DurableHost) -> None:
    """The race behind the flaky test above: the episode that runs after the last one of the old
    instance (an event and an activity result land together) must not pair the old, finished row
    with the new instance's start and throw that start away."""
    host_sample_app.GATE.set()
    for attempt in range(40):
        host.start_new("approval", instance_id="again")
        host.raise_event("again", "approve", attempt)
        assert host.wait_for_completion("again", WAIT).output == {"gate": "opened", "decision": attempt}
        host.start_new("sequence", [attempt], instance_id="again")
        status = host.wait_for_completion("again", WAIT)
        assert status.is_terminal, f"attempt {attempt}: the restarted instance stayed {status.runtime_status}"
        assert status.output == [2 * attempt]


def test_terminate_stops_a_waiting_instance(host: DurableHost) -> None:
    instance_id = host.start_new("approval")
    host.terminate(instance_id, "drill cancelled")
    status = host.wait_for_completion(instance_id, WAIT)
    assert status.runtime_status is RuntimeStatus.TERMINATED
    assert status.output == "drill cancelled"


def test_unknown_orchestrator_is_refused_by_name(host: DurableHost) -> None:
    with pytest.raises(UnknownFunction, match="no orchestrator named 'nope'"):
        host.start_new("nope")


def test_list_instances_filters_by_name(host: DurableHost) -> None:
    first = host.start_new("sequence", [1])
    host.start_new("fan_out", 1)
    host.wait_for_completion(first, WAIT)
    listed = host.list_instances(name="sequence")
    assert [s.instance_id for s in listed] == [first]


def test_wait_for_completion_returns_the_running_status_when_the_timeout_passes(host: DurableHost) -> None:
    instance_id = host.start_new("approval")  # blocked in `gate` until the test opens it
    status = host.wait_for_completion(instance_id, timeout=0.05)
    assert not status.is_terminal
    assert status.runtime_status in (RuntimeStatus.PENDING, RuntimeStatus.RUNNING)
