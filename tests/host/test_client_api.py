"""The real DurableOrchestrationClient, built from the binding JSON the host serves, drives the host."""

from __future__ import annotations

import asyncio
import json

import azure.durable_functions as df
import host_sample_app
import pytest

from regionshift.host import DurableHost
from regionshift.host.status import RuntimeStatus


async def _until_done(client: df.DurableOrchestrationClient, instance_id: str) -> df.DurableOrchestrationStatus:
    for _ in range(600):
        status = await client.get_status(instance_id)
        if status.runtime_status.value in ("Completed", "Failed", "Terminated"):
            return status
        await asyncio.sleep(0.05)
    raise AssertionError(f"{instance_id} did not finish")


@pytest.fixture
def binding(host: DurableHost) -> str:
    return host.serve_client_api()


def test_binding_has_the_fields_the_client_reads(binding: str) -> None:
    data = json.loads(binding)
    assert data["rpcBaseUrl"].startswith("http://127.0.0.1:") and data["rpcBaseUrl"].endswith("/durabletask/")
    assert {"taskHubName", "creationUrls", "managementUrls", "baseUrl", "requiredQueryStringParameters"} <= set(data)


def test_client_starts_an_orchestration_and_reads_its_output(run, binding: str) -> None:
    async def scenario() -> df.DurableOrchestrationStatus:
        client = df.DurableOrchestrationClient(binding)
        instance_id = await client.start_new("sequence", client_input=[1, 2, 3])
        return await _until_done(client, instance_id)

    status = run(scenario())
    assert status.runtime_status.value == "Completed"
    assert status.output == [2, 4, 6]
    assert status.input_ == [1, 2, 3]


def test_client_raises_an_event_and_sees_custom_status(run, binding: str, host: DurableHost) -> None:
    async def scenario() -> tuple[df.DurableOrchestrationStatus, df.DurableOrchestrationStatus]:
        client = df.DurableOrchestrationClient(binding)
        instance_id = await client.start_new("approval", instance_id="via-http")
        host_sample_app.GATE.set()
        for _ in range(600):
            waiting = await client.get_status(instance_id)
            if waiting.custom_status == {"stage": "waiting for approval"}:
                break
            await asyncio.sleep(0.05)
        await client.raise_event(instance_id, "approve", {"by": "ops"})
        return waiting, await _until_done(client, instance_id)

    waiting, done = run(scenario())
    assert waiting.runtime_status.value == "Running"
    assert done.output == {"gate": "opened", "decision": {"by": "ops"}}
    assert host.get_status("via-http").runtime_status is RuntimeStatus.COMPLETED


def test_client_terminates_and_lists_instances(run, binding: str) -> None:
    async def scenario() -> tuple[df.DurableOrchestrationStatus, list[df.DurableOrchestrationStatus]]:
        client = df.DurableOrchestrationClient(binding)
        instance_id = await client.start_new("approval")
        await client.terminate(instance_id, "drill cancelled")
        return await _until_done(client, instance_id), await client.get_status_all()

    terminated, everything = run(scenario())
    assert terminated.runtime_status.value == "Terminated"
    assert terminated.output == "drill cancelled"
    assert terminated.instance_id in [s.instance_id for s in everything]


def test_client_purges_a_finished_instance(run, binding: str) -> None:
    async def scenario() -> tuple[int, bool]:
        client = df.DurableOrchestrationClient(binding)
        instance_id = await client.start_new("sequence", client_input=[1])
        await _until_done(client, instance_id)
        purged = await client.purge_instance_history(instance_id)
        return purged.instances_deleted, bool(await client.get_status(instance_id))

    assert run(scenario()) == (1, False)


def test_client_gets_clear_errors(run, binding: str) -> None:
    async def scenario() -> None:
        client = df.DurableOrchestrationClient(binding)
        with pytest.raises(Exception, match="no orchestrator named 'nope'"):
            await client.start_new("nope")
        assert not await client.get_status("missing")  # the SDK's falsy status for an unknown id
        with pytest.raises(Exception, match="No instance with ID missing found"):
            await client.raise_event("missing", "approve", 1)

    run(scenario())


def test_check_status_payload_points_at_the_served_api(binding: str) -> None:
    client = df.DurableOrchestrationClient(binding)
    payload = client.create_http_management_payload("abc")
    assert payload["id"] == "abc"
    assert payload["statusQueryGetUri"].startswith(json.loads(binding)["baseUrl"] + "/instances/abc")
