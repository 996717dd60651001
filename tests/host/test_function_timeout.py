"""functionTimeout: an activity that runs longer fails its task as the Functions host fails it,
and its late result is ignored; the host takes the timeout from host.json."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import host_sample_app
import pytest
from azure.durable_functions.models.history.HistoryEventType import HistoryEventType as E
from conftest import SPEED
from waiting import until

from regionshift.host import DurableHost, HostConfigError, HostOptions, OverridableStates, RuntimeStatus, ScaledClock

ROOT = Path(__file__).parent.parent.parent
WAIT = 60
TIMEOUT = timedelta(minutes=10)  # 1/60 s of real time at the host tests' clock speed
REASON = "Activity function 'gate' failed: Timeout value of 00:10:00 was exceeded by function: Functions.gate"


@pytest.fixture
def timed_host(sample_app, tmp_path: Path) -> Iterator[DurableHost]:
    host_sample_app.GATE.clear()
    options = HostOptions(function_timeout=TIMEOUT)
    with DurableHost(sample_app, tmp_path / "timed.db", clock=ScaledClock(SPEED), options=options) as running:
        yield running
    host_sample_app.GATE.set()


def kinds(host: DurableHost, instance_id: str) -> list[E]:
    return [E(e["EventType"]) for e in host.get_history(instance_id)]


def test_an_activity_past_the_timeout_fails_its_task_and_its_late_result_is_ignored(timed_host: DurableHost) -> None:
    instance_id = timed_host.start_new("gate_then_finish")
    status = until(lambda: (s := timed_host.get_status(instance_id)) and s.custom_status and s, "the timeout")
    assert status.custom_status["gate"].startswith(f"failed: {REASON}")
    failed = [e for e in timed_host.get_history(instance_id) if e["EventType"] == E.TASK_FAILED]
    assert [e["Reason"] for e in failed] == [REASON]

    host_sample_app.GATE.set()  # the activity returns now, long after its invocation failed
    until(lambda: timed_host.activities_in_flight() == 0, "the timed-out activity to return")
    timed_host.raise_event(instance_id, "finish")
    done = timed_host.wait_for_completion(instance_id, WAIT)
    assert done.runtime_status is RuntimeStatus.COMPLETED
    assert kinds(timed_host, instance_id).count(E.TASK_COMPLETED) == 0
    assert kinds(timed_host, instance_id).count(E.TASK_FAILED) == 1


def test_a_timed_out_attempt_is_retried_like_any_failure(timed_host: DurableHost) -> None:
    instance_id = timed_host.start_new("gate_then_finish", {"attempts": 2})
    status = until(lambda: (s := timed_host.get_status(instance_id)) and s.custom_status and s, "both attempts")
    assert status.custom_status["gate"].startswith(f"failed: {REASON}")
    assert kinds(timed_host, instance_id).count(E.TASK_SCHEDULED) == 2
    assert kinds(timed_host, instance_id).count(E.TASK_FAILED) == 2


def test_an_activity_within_the_timeout_completes(timed_host: DurableHost) -> None:
    host_sample_app.GATE.set()
    instance_id = timed_host.start_new("gate_then_finish")
    status = until(lambda: (s := timed_host.get_status(instance_id)) and s.custom_status and s, "the gate")
    assert status.custom_status == {"gate": "late"}


# -- host.json -------------------------------------------------------------------------------------


def test_the_apps_host_json_sets_the_timeout_and_refuses_to_replace_running_instances() -> None:
    options = HostOptions.from_host_json(ROOT / "host.json")
    assert options.function_timeout == timedelta(minutes=30)
    assert options.overridable_states is OverridableStates.NON_RUNNING_STATES


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "host.json"
    path.write_text(text)
    return path


def test_host_json_without_a_timeout_gets_the_flex_consumption_default(tmp_path: Path) -> None:
    assert HostOptions.from_host_json(write(tmp_path, "{}")).function_timeout == timedelta(minutes=30)


def test_host_json_timeout_minus_one_is_unbounded(tmp_path: Path) -> None:
    assert HostOptions.from_host_json(write(tmp_path, '{"functionTimeout": "-1"}')).function_timeout is None


def test_host_json_any_state_is_read_case_insensitively(tmp_path: Path) -> None:
    text = '{"extensions": {"durableTask": {"overridableExistingInstanceStates": "anystate"}}}'
    assert HostOptions.from_host_json(write(tmp_path, text)).overridable_states is OverridableStates.ANY_STATE


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"functionTimeout": "thirty minutes"}', "functionTimeout 'thirty minutes' is not a time span"),
        ('{"functionTimeout": 30}', "functionTimeout must be a string"),
        ('{"functionTimeout": "00:00:00"}', "functionTimeout must be positive"),
        (
            '{"extensions": {"durableTask": {"overridableExistingInstanceStates": "Sometimes"}}}',
            "overridableExistingInstanceStates 'Sometimes' is not one of AnyState, NonRunningStates",
        ),
        ("{not json", "not JSON"),
    ],
)
def test_a_host_json_value_the_host_cannot_follow_is_named(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(HostConfigError, match=message):
        HostOptions.from_host_json(write(tmp_path, text))
