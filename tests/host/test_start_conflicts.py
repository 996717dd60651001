"""A start on an id that is taken, answered as the extension answers it, and sub-orchestrations
started on the id of a running instance, which Azure Storage runs over it (no failure rule)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import azure.durable_functions as df
import host_sample_app
import pytest
from azure.durable_functions.models.history.HistoryEventType import HistoryEventType as E
from conftest import SPEED
from waiting import until

from regionshift.host import (
    DurableHost,
    HostOptions,
    InstanceAlreadyRunning,
    OverridableStates,
    RuntimeStatus,
    ScaledClock,
)

WAIT = 60
ALREADY = "An Orchestration instance with the status {} already exists."


def test_a_start_on_a_running_id_is_refused_with_dtfx_words(host: DurableHost) -> None:
    host.start_new("approval", instance_id="taken")
    with pytest.raises(InstanceAlreadyRunning, match=r"^An Orchestration instance with the status (Pending|Running)"):
        host.start_new("sequence", [1], instance_id="taken")
    assert host.get_status("taken").name == "approval"


def test_the_http_api_answers_a_conflicting_start_with_the_extensions_500(host: DurableHost) -> None:
    binding = json.loads(host.serve_client_api())
    host.start_new("approval", instance_id="taken")
    until(lambda: host.get_status("taken").runtime_status is RuntimeStatus.RUNNING, "the first run to start")
    url = f"{binding['rpcBaseUrl']}orchestrators/sequence/taken"
    request = urllib.request.Request(url, data=b'"[1]"', method="POST", headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 500
    body = json.loads(refused.value.read())
    assert body["Message"] == "Something went wrong while processing your request"
    assert body["ExceptionMessage"] == ALREADY.format("Running")
    assert body["ExceptionType"] == "DurableTask.Core.Exceptions.OrchestrationAlreadyExistsException"


def test_the_sdk_raises_the_extensions_message_on_a_conflicting_start(run, host: DurableHost) -> None:
    binding = host.serve_client_api()
    host.start_new("approval", instance_id="taken")
    until(lambda: host.get_status("taken").runtime_status is RuntimeStatus.RUNNING, "the first run to start")

    async def scenario() -> None:
        client = df.DurableOrchestrationClient(binding)
        with pytest.raises(Exception, match="An Orchestration instance with the status Running already exists"):
            await client.start_new("sequence", "taken", [1])

    run(scenario())


@pytest.fixture
def any_state_host(sample_app, tmp_path: Path) -> Iterator[DurableHost]:
    host_sample_app.GATE.clear()
    options = HostOptions(overridable_states=OverridableStates.ANY_STATE)
    with DurableHost(sample_app, tmp_path / "any.db", clock=ScaledClock(SPEED), options=options) as running:
        yield running
    host_sample_app.GATE.set()


def test_with_any_state_a_start_replaces_the_running_instance(any_state_host: DurableHost) -> None:
    host = any_state_host
    host.start_new("gate_then_double", instance_id="replaced")
    until(lambda: host.activities_in_flight() == 1, "the first run's activity")
    host.start_new("sequence", [4], instance_id="replaced")
    status = host.wait_for_completion("replaced", WAIT)
    assert status.name == "sequence" and status.output == [8]
    host_sample_app.GATE.set()  # the replaced run's activity returns into nothing
    until(lambda: host.activities_in_flight() == 0, "the replaced run's activity to return")
    history = host.get_history("replaced")
    assert [e["Name"] for e in history if e["EventType"] == E.TASK_SCHEDULED] == ["double"]
    assert host.get_status("replaced").output == [8]


def test_a_child_started_on_a_running_id_runs_over_it_and_fails_no_parent(host: DurableHost) -> None:
    first = host.start_new("parent_of", {"child": "shared-child", "input": "first"}, instance_id="first-parent")
    until(lambda: (s := host.get_status("shared-child")) and s.runtime_status is RuntimeStatus.RUNNING, "the child")
    second = host.start_new("parent_of", {"child": "shared-child", "input": "second"}, instance_id="second-parent")
    until(lambda: host.get_status("shared-child").input == "second", "the second start to replace the child")
    host.raise_event("shared-child", "go", "now")

    done = host.wait_for_completion(second, WAIT)
    assert done.runtime_status is RuntimeStatus.COMPLETED
    assert done.output == {"input": "second", "go": "now"}
    started = [e for e in host.get_history("shared-child") if e["EventType"] == E.EXECUTION_STARTED]
    assert [e["ParentInstance"]["OrchestrationInstance"]["InstanceId"] for e in started] == ["second-parent"]
    # the parent of the replaced execution is never told: it waits on, and nothing failed it
    assert host.get_status(first).runtime_status is RuntimeStatus.RUNNING
    kinds = [E(e["EventType"]) for e in host.get_history(first)]
    assert E.SUB_ORCHESTRATION_INSTANCE_FAILED not in kinds
    assert E.SUB_ORCHESTRATION_INSTANCE_COMPLETED not in kinds
