"""The Durable extension's limits, enforced by the embedded host as Azure enforces them.

Each test names the rule it pins; the rule's source is cited in `regionshift/host/limits.py`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from azure.durable_functions.models.history.HistoryEventType import HistoryEventType as E

from regionshift.host import DurableHost, RuntimeStatus, ScaledClock
from regionshift.host import history as h
from regionshift.host.engine import Delivery, InstanceState, run_episode
from regionshift.host.functions import index_functions
from regionshift.host.limits import format_timespan, parse_timespan

WAIT = 60
# At the host tests' usual speed an hour passes in 0.1 s; ten days would take 24 s. This host
# runs timers only, so its clock may run faster: ten days in about half a second.
TIMER_SPEED = 2_000_000.0


@pytest.fixture
def fast_host(sample_app, tmp_path: Path) -> Iterator[DurableHost]:
    with DurableHost(sample_app, tmp_path / "timers.db", clock=ScaledClock(TIMER_SPEED)) as running:
        yield running


def kinds(host: DurableHost, instance_id: str) -> list[E]:
    return [E(e["EventType"]) for e in host.get_history(instance_id)]


# -- custom status: at most 16 KB of UTF-16 ---------------------------------------------------

# A JSON string of n ASCII characters is n + 2 UTF-16 code units: 8701 characters are
# 17,406 bytes (16 whole KB, allowed), 8702 are 17,408 bytes (17 KB, refused).
LARGEST_ALLOWED = 8701


def test_custom_status_of_16_whole_kb_of_utf16_is_accepted(host: DurableHost) -> None:
    instance_id = host.start_new("big_status", {"status": "x" * LARGEST_ALLOWED})
    status = host.wait_for_completion(instance_id, WAIT)
    assert status.runtime_status is RuntimeStatus.COMPLETED
    assert status.custom_status == "x" * LARGEST_ALLOWED


def test_non_ascii_counts_as_utf16_not_as_json_escapes(host: DurableHost) -> None:
    # Escaped as \\u00e9 the payload would be six times over the limit; the extension counts
    # the character as written, two UTF-16 bytes.
    instance_id = host.start_new("big_status", {"status": "é" * LARGEST_ALLOWED})
    assert host.wait_for_completion(instance_id, WAIT).runtime_status is RuntimeStatus.COMPLETED


def test_custom_status_over_16_kb_fails_the_orchestration_before_its_actions(host: DurableHost) -> None:
    instance_id = host.start_new("big_status", {"status": "x" * (LARGEST_ALLOWED + 1)})
    status = host.wait_for_completion(instance_id, WAIT)
    assert status.runtime_status is RuntimeStatus.FAILED
    assert status.failure == (
        "Orchestrator function 'big_status' failed: The UTF-16 size of the JSON-serialized payload "
        "must not exceed 16 KB. The current payload size is 17 KB."
    )
    assert status.custom_status is None
    history = kinds(host, instance_id)
    assert E.TASK_SCHEDULED not in history  # the episode's call_activity was never scheduled
    assert history[-1] is E.EXECUTION_COMPLETED
    completed = host.get_history(instance_id)[-1]
    assert completed["OrchestrationStatus"] == "Failed"


def test_oversized_status_of_an_orchestrator_that_raised_fails_with_the_bare_message(host: DurableHost) -> None:
    instance_id = host.start_new("big_status", {"status": "x" * 20_000, "raise": True})
    status = host.wait_for_completion(instance_id, WAIT)
    assert status.runtime_status is RuntimeStatus.FAILED
    assert status.failure == (
        "The UTF-16 size of the JSON-serialized payload must not exceed 16 KB. The current payload size is 39 KB."
    )


# -- long timers: split into 3-day steps past 6 days ------------------------------------------


def test_context_carries_the_azure_storage_timer_durations() -> None:
    context = json.loads(h.build_context("i", None, "null", [], [h.orchestrator_started(datetime.now(UTC))]))
    assert context["upperSchemaVersion"] == 1 and context["upperSchemaVersionNew"] == 2
    assert context["maximumShortTimerDuration"] == "6.00:00:00"
    assert context["longRunningTimerIntervalDuration"] == "3.00:00:00"


def test_a_ten_day_timer_is_split_by_the_sdk_into_steps_the_provider_accepts(fast_host: DurableHost) -> None:
    instance_id = fast_host.start_new("long_sleeper", 10)
    status = fast_host.wait_for_completion(instance_id, WAIT)
    assert status.runtime_status is RuntimeStatus.COMPLETED, status.failure
    started = datetime.fromisoformat(status.output["started"])
    assert datetime.fromisoformat(status.output["woke"]) >= started + timedelta(days=10)
    created = [e for e in fast_host.get_history(instance_id) if e["EventType"] == E.TIMER_CREATED]
    steps = [(h.parse_time(e["Timestamp"]), h.parse_time(e["FireAt"])) for e in created]
    # 10 days > 6: a 3-day step first; while more than 6 days are left, 3-day steps from the
    # moment the last one fired (how late that episode ran decides how many); then the rest.
    assert len(steps) >= 2
    assert steps[0] == (started, started + timedelta(days=3))
    for set_at, fire_at in steps[:-1]:
        assert fire_at - set_at == timedelta(days=3)
    assert steps[-1][1] == started + timedelta(days=10)
    assert steps[-1][1] - steps[-1][0] <= timedelta(days=6)


def test_a_six_day_timer_is_one_timer(fast_host: DurableHost) -> None:
    instance_id = fast_host.start_new("long_sleeper", 6)
    assert fast_host.wait_for_completion(instance_id, WAIT).runtime_status is RuntimeStatus.COMPLETED
    assert kinds(fast_host, instance_id).count(E.TIMER_CREATED) == 1


def test_a_timer_past_the_provider_maximum_fails_the_orchestration(sample_app) -> None:
    """Without the durations (as for backends that send none) the SDK emits one 10-day timer;
    the Azure Storage provider cannot hold it, and the host refuses it."""
    real = index_functions(sample_app).orchestrators["long_sleeper"]

    def without_durations(context_json: str) -> str:
        context = json.loads(context_json)
        del context["maximumShortTimerDuration"], context["longRunningTimerIntervalDuration"]
        return real(json.dumps(context))

    now = datetime(2030, 1, 1, tzinfo=UTC)
    state = InstanceState("i", "long_sleeper", "e", "10", None, 0, [])
    start = h.execution_started(now, "long_sleeper", "10", "i", "e")
    outcome = run_episode(without_durations, state, [], [Delivery(1, start)], now)
    assert outcome.status is RuntimeStatus.FAILED
    assert outcome.failure == (
        "Orchestrator function 'long_sleeper' failed: "
        "The Azure Storage provider supports a maximum of 6 days for time-based delays"
    )
    assert outcome.timers == []


# -- .NET TimeSpan text -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("00:30:00", timedelta(minutes=30)),
        ("6.00:00:00", timedelta(days=6)),
        ("00:00:01.5000000", timedelta(seconds=1.5)),
        ("01:02", timedelta(hours=1, minutes=2)),
    ],
)
def test_timespans_read_and_write_as_dotnet_does(text: str, span: timedelta) -> None:
    assert parse_timespan(text) == span
    if text.count(":") == 2:
        assert format_timespan(span) == text


def test_a_timespan_that_is_not_one_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="'half an hour' is not a time span"):
        parse_timespan("half an hour")
