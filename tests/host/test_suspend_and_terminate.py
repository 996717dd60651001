"""Suspend, resume and terminate, with the history events and the semantics of the extension."""

from __future__ import annotations

import azure.durable_functions as df
import host_sample_app
import pytest
from azure.durable_functions.models.history.HistoryEventType import HistoryEventType as E
from waiting import until

from regionshift.host import DurableHost, InstanceNotFound, InvalidInstanceState, RuntimeStatus

WAIT = 60


def kinds(host: DurableHost, instance_id: str) -> list[E]:
    return [E(e["EventType"]) for e in host.get_history(instance_id)]


def status_of(host: DurableHost, instance_id: str) -> RuntimeStatus:
    status = host.get_status(instance_id)
    assert status is not None
    return status.runtime_status


def test_a_suspended_instance_holds_results_until_resumed(host: DurableHost) -> None:
    instance_id = host.start_new("gate_then_double")
    until(lambda: host.activities_in_flight() == 1, "the gate activity to run")
    host.suspend(instance_id, "operator pause")
    until(lambda: status_of(host, instance_id) is RuntimeStatus.SUSPENDED, "the suspension")

    host_sample_app.GATE.set()  # the running activity finishes while the instance is suspended
    until(lambda: host.activities_in_flight() == 0, "the gate activity to return")
    assert status_of(host, instance_id) is RuntimeStatus.SUSPENDED
    assert E.TASK_COMPLETED not in kinds(host, instance_id)  # held, not replayed
    assert kinds(host, instance_id).count(E.TASK_SCHEDULED) == 1  # nothing new scheduled

    host.resume(instance_id, "go on")
    status = host.wait_for_completion(instance_id, WAIT)
    assert status.output == {"gate": "opened", "double": 42}
    history = host.get_history(instance_id)
    suspended = next(e for e in history if e["EventType"] == E.EXECUTION_SUSPENDED)
    resumed = next(e for e in history if e["EventType"] == E.EXECUTION_RESUMED)
    assert (suspended["Reason"], resumed["Reason"]) == ("operator pause", "go on")
    order = kinds(host, instance_id)
    assert order.index(E.EXECUTION_SUSPENDED) < order.index(E.EXECUTION_RESUMED) < order.index(E.TASK_COMPLETED)


def test_events_raised_while_suspended_wait_for_the_resume(host: DurableHost) -> None:
    host_sample_app.GATE.set()
    instance_id = host.start_new("approval")
    until(lambda: (s := host.get_status(instance_id)) and s.custom_status, "the wait for approval")
    host.suspend(instance_id)
    until(lambda: status_of(host, instance_id) is RuntimeStatus.SUSPENDED, "the suspension")
    host.raise_event(instance_id, "approve", "yes")
    assert E.EVENT_RAISED not in kinds(host, instance_id)
    host.resume(instance_id)
    assert host.wait_for_completion(instance_id, WAIT).output == {"gate": "opened", "decision": "yes"}


def test_suspend_and_resume_refuse_the_wrong_state_in_the_extensions_words(host: DurableHost) -> None:
    instance_id = host.start_new("approval")
    wrong = r"Cannot resume the orchestration instance .* in the (Pending|Running) state"
    with pytest.raises(InvalidInstanceState, match=wrong):
        host.resume(instance_id)
    host.suspend(instance_id)
    until(lambda: status_of(host, instance_id) is RuntimeStatus.SUSPENDED, "the suspension")
    with pytest.raises(InvalidInstanceState, match="because instance is in the Suspended state"):
        host.suspend(instance_id)
    with pytest.raises(InstanceNotFound):
        host.suspend("nobody")


def test_a_suspended_instance_can_be_terminated(host: DurableHost) -> None:
    instance_id = host.start_new("approval")
    host.suspend(instance_id)
    until(lambda: status_of(host, instance_id) is RuntimeStatus.SUSPENDED, "the suspension")
    host.terminate(instance_id, "cancelled")
    assert host.wait_for_completion(instance_id, WAIT).runtime_status is RuntimeStatus.TERMINATED


def test_the_sdk_suspends_and_resumes_through_the_http_api(run, host: DurableHost) -> None:
    binding = host.serve_client_api()
    host_sample_app.GATE.set()

    async def scenario() -> tuple[str, str, str]:
        client = df.DurableOrchestrationClient(binding)
        instance_id = await client.start_new("approval")
        until(lambda: (s := host.get_status(instance_id)) and s.custom_status, "the wait for approval")
        await client.suspend(instance_id, "pause")
        until(lambda: status_of(host, instance_id) is RuntimeStatus.SUSPENDED, "the suspension")
        seen = (await client.get_status(instance_id)).runtime_status.value
        with pytest.raises(Exception, match="unexpected status code 500"):
            await client.suspend(instance_id, "again")  # the extension's catch-all 500
        await client.raise_event(instance_id, "approve", "ok")
        await client.resume(instance_id, "resume")
        until(lambda: status_of(host, instance_id) is RuntimeStatus.COMPLETED, "the run to end")
        await client.suspend(instance_id, "too late")  # 410: the SDK treats it as done
        done = await client.get_status(instance_id)
        return seen, done.runtime_status.value, done.output["decision"]

    assert run(scenario()) == ("Suspended", "Completed", "ok")


def test_terminating_a_parent_leaves_its_children_running_as_azure_does(host: DurableHost) -> None:
    host.start_new("parent_of", {"child": "kid", "input": 1}, instance_id="mum")
    until(lambda: (s := host.get_status("kid")) and s.runtime_status is RuntimeStatus.RUNNING, "the child")
    host.terminate("mum", "stop")
    assert status_of(host, "mum") is RuntimeStatus.TERMINATED
    assert status_of(host, "kid") is RuntimeStatus.RUNNING
    host.raise_event("kid", "go", 2)
    assert host.wait_for_completion("kid", WAIT).runtime_status is RuntimeStatus.COMPLETED
    assert status_of(host, "mum") is RuntimeStatus.TERMINATED


def test_recursive_terminate_ends_the_whole_tree(host: DurableHost) -> None:
    host.start_new("parent_of", {"child": "kid", "input": 1}, instance_id="mum")
    until(lambda: (s := host.get_status("kid")) and s.runtime_status is RuntimeStatus.RUNNING, "the child")
    host.terminate("mum", "restart", recursive=True)
    assert status_of(host, "mum") is RuntimeStatus.TERMINATED
    assert status_of(host, "kid") is RuntimeStatus.TERMINATED
    assert host.get_status("kid").output == "restart"


def test_a_terminated_child_fails_its_parents_task_with_the_reason(host: DurableHost) -> None:
    host.start_new("parent_of", {"child": "kid", "input": 1}, instance_id="mum")
    until(lambda: (s := host.get_status("kid")) and s.runtime_status is RuntimeStatus.RUNNING, "the child")
    host.terminate("kid", "no longer needed")
    parent = host.wait_for_completion("mum", WAIT)
    assert parent.runtime_status is RuntimeStatus.FAILED
    failed = next(e for e in host.get_history("mum") if e["EventType"] == E.SUB_ORCHESTRATION_INSTANCE_FAILED)
    assert failed["Reason"] == "no longer needed"
