"""The cross-host run lease on Blob Storage, against Azurite (started by the session).

Every outcome is checked through azure-storage-blob's own client: the blob's lease state and the
holder facts in its metadata, as another host would read them.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import unquote

import pytest
from azure.core.exceptions import HttpResponseError
from azure.storage.blob import BlobClient, BlobServiceClient
from lease_tools import race_threads, request_for
from report_azurite import Azurite

from regionshift.lease import acquire_lease, lease_backend, lease_readiness, release_lease
from regionshift.lease.blob import BlobLease
from regionshift.plan import PlanContext


@pytest.fixture
def container() -> str:
    return f"leases-{uuid.uuid4().hex[:12]}"  # a fresh container: created by the first acquire


@pytest.fixture
def plan_with_lock(plan_context: dict[str, Any], azurite: Azurite, container: str) -> dict[str, Any]:
    return {**plan_context, "lock": {"storage_account_url": azurite.account_url, "container": container}}


@pytest.fixture
def env(azurite: Azurite) -> dict[str, str]:
    return {"REGIONSHIFT_LOCK_CONNECTION_STRING": azurite.connection_string()}


def lease_blob(azurite: Azurite, container: str, plan: str = "contoso-web") -> BlobClient:
    service = BlobServiceClient.from_connection_string(azurite.connection_string())
    return service.get_blob_client(container, f"{plan}.lease")


def facts(blob: BlobClient) -> dict[str, str]:
    return {k: unquote(v) for k, v in blob.get_blob_properties().metadata.items()}


def test_the_plans_lock_or_the_environment_names_the_storage(
    plan_with_lock: dict[str, Any], plan_context: dict[str, Any], azurite: Azurite, env: dict[str, str]
) -> None:
    named = lease_backend(PlanContext.model_validate(plan_with_lock), env)
    assert isinstance(named, BlobLease) and named.target.container == plan_with_lock["lock"]["container"]
    by_env = lease_backend(
        PlanContext.model_validate(plan_context), {"REGIONSHIFT_LOCK_STORAGE_URL": azurite.account_url}
    )
    assert isinstance(by_env, BlobLease) and by_env.target.container == "regionshift-leases"
    assert by_env.target.connection_string is None, "without a connection string the identity signs in"


def test_a_connection_string_for_another_account_than_the_plan_names_is_refused(
    plan_context: dict[str, Any], env: dict[str, str]
) -> None:
    plan = {**plan_context, "lock": {"storage_account_url": "https://stcontosodr.blob.core.windows.net"}}
    outcome = acquire_lease(request_for(plan, "run-1"), env)
    assert (outcome.granted, outcome.error) == (False, True)
    assert "signs in to http://127.0.0.1:" in outcome.detail and "stcontosodr" in outcome.detail


def test_acquire_takes_an_infinite_lease_and_writes_the_holder(
    plan_with_lock: dict[str, Any], azurite: Azurite, container: str, env: dict[str, str]
) -> None:
    outcome = acquire_lease(request_for(plan_with_lock, "run-1", started_by="cli:ana ü"), env)
    assert (outcome.granted, outcome.backend, outcome.detail) == (True, "blob", "acquired")
    blob = lease_blob(azurite, container)
    lease = blob.get_blob_properties().lease
    assert (lease.state, lease.status, lease.duration) == ("leased", "locked", "infinite")
    stored = facts(blob)
    assert stored["run_id"] == "run-1" and stored["started_by"] == "cli:ana ü" and stored["operation"] == "failover"
    assert stored["instance_id"] == "failover-contoso-web" and stored["host"] and stored["acquired_at"]


def test_another_run_is_refused_naming_the_holder(
    plan_with_lock: dict[str, Any], azurite: Azurite, container: str, env: dict[str, str]
) -> None:
    acquire_lease(request_for(plan_with_lock, "run-1", started_by="alert:rule"), env)
    before = facts(lease_blob(azurite, container))
    refused = acquire_lease(request_for(plan_with_lock, "run-2", operation="drill"), env)
    assert (refused.granted, refused.error) == (False, False)
    assert refused.holder is not None and (refused.holder.run_id, refused.holder.started_by) == ("run-1", "alert:rule")
    assert "held by failover run run-1" in refused.detail and "--break-lease" in refused.detail
    assert facts(lease_blob(azurite, container)) == before


def test_the_same_run_gets_its_lease_back_and_keeps_when_it_took_it(
    plan_with_lock: dict[str, Any], azurite: Azurite, container: str, env: dict[str, str]
) -> None:
    acquire_lease(request_for(plan_with_lock, "run-1"), env)
    first = facts(lease_blob(azurite, container))
    again = acquire_lease(request_for(plan_with_lock, "run-1"), env)
    assert again.granted
    assert facts(lease_blob(azurite, container))["acquired_at"] == first["acquired_at"]


def test_break_glass_breaks_the_holder_and_records_it(
    plan_with_lock: dict[str, Any], azurite: Azurite, container: str, env: dict[str, str]
) -> None:
    acquire_lease(request_for(plan_with_lock, "run-1", started_by="schedule"), env)
    broke = acquire_lease(request_for(plan_with_lock, "run-2", started_by="cli:bo", break_lease=True), env)
    assert broke.granted and broke.broken_holder is not None
    assert (broke.broken_holder.run_id, broke.broken_holder.started_by) == ("run-1", "schedule")
    blob = lease_blob(azurite, container)
    stored = facts(blob)
    assert (stored["run_id"], stored["started_by"], stored["broke"]) == ("run-2", "cli:bo", "run-1")
    assert blob.get_blob_properties().lease.state == "leased"

    # The broken run can neither take the lease back nor release the breaker's.
    assert not acquire_lease(request_for(plan_with_lock, "run-1"), env).granted
    assert not release_lease(request_for(plan_with_lock, "run-1"), env).released
    assert facts(blob)["run_id"] == "run-2" and blob.get_blob_properties().lease.state == "leased"


def test_release_frees_the_blob_and_leaves_the_facts_for_the_next_reader(
    plan_with_lock: dict[str, Any], azurite: Azurite, container: str, env: dict[str, str]
) -> None:
    acquire_lease(request_for(plan_with_lock, "run-1"), env)
    released = release_lease(request_for(plan_with_lock, "run-1"), env)
    assert released.released
    blob = lease_blob(azurite, container)
    assert blob.get_blob_properties().lease.state == "available"
    assert facts(blob)["run_id"] == "run-1" and facts(blob)["released_at"]
    again = release_lease(request_for(plan_with_lock, "run-1"), env)
    assert (again.released, again.detail) == (False, "was not held (the lease is available)")
    assert acquire_lease(request_for(plan_with_lock, "run-2"), env).granted
    assert facts(blob)["run_id"] == "run-2" and "released_at" not in facts(blob)


def test_storage_that_cannot_be_reached_is_an_error_not_a_grant(plan_context: dict[str, Any], azurite: Azurite) -> None:
    bad_key = azurite.connection_string(key="bm90LXRoZS1rZXk=")
    outcome = acquire_lease(request_for(plan_context, "run-1"), {"REGIONSHIFT_LOCK_CONNECTION_STRING": bad_key})
    assert (outcome.granted, outcome.error, outcome.backend) == (False, True, "blob")
    assert outcome.detail.startswith("could not take the run lease: ") and "\n" not in outcome.detail


def test_racing_runs_exactly_one_wins_every_time(
    plan_context: dict[str, Any], azurite: Azurite, container: str, env: dict[str, str]
) -> None:
    plan = {**plan_context, "lock": {"storage_account_url": azurite.account_url, "container": container}}
    for trial in range(15):
        racing = {**plan, "name": f"race-{trial}"}
        granted = race_threads(
            [f"run-{n}" for n in range(6)],
            lambda run_id, racing=racing: acquire_lease(request_for(racing, run_id), env).granted,
        )
        assert len(granted) == 1, f"trial {trial}: {granted}"
        assert facts(lease_blob(azurite, container, racing["name"]))["run_id"] == granted[0]


def test_readiness_warns_without_cross_host_storage_and_reads_the_named_one(
    plan_context: dict[str, Any], plan_with_lock: dict[str, Any], azurite: Azurite, env: dict[str, str], tmp_path: Any
) -> None:
    local = lease_readiness(PlanContext.model_validate(plan_context), {"REGIONSHIFT_LEASE_DIR": str(tmp_path)})
    assert (local.action, local.status, local.data["advisory"]) == ("run_lease", "failed", True)
    assert "only runs on this machine exclude each other" in local.detail

    named = lease_readiness(PlanContext.model_validate(plan_with_lock), env)
    assert named.status == "succeeded" and "created by the first run" in named.detail
    acquire_lease(request_for(plan_with_lock, "run-1"), env)
    assert lease_readiness(PlanContext.model_validate(plan_with_lock), env).detail.startswith("cross-host lease in ")

    bad_key = {"REGIONSHIFT_LOCK_CONNECTION_STRING": azurite.connection_string(key="bm90LXRoZS1rZXk=")}
    unreadable = lease_readiness(PlanContext.model_validate(plan_with_lock), bad_key)
    assert unreadable.status == "failed" and "advisory" not in unreadable.data


def test_a_lease_blob_leased_by_someone_else_is_never_overwritten(
    plan_with_lock: dict[str, Any], azurite: Azurite, container: str, env: dict[str, str]
) -> None:
    """A holder that wrote no facts (say, it crashed right after acquiring) still excludes."""
    acquire_lease(request_for(plan_with_lock, "run-0"), env)
    release_lease(request_for(plan_with_lock, "run-0"), env)
    blob = lease_blob(azurite, container)
    blob.acquire_lease(lease_duration=-1, lease_id=str(uuid.uuid4()))
    refused = acquire_lease(request_for(plan_with_lock, "run-1"), env)
    assert (refused.granted, refused.holder) == (False, None)
    assert "held by a run that wrote no facts; the last recorded holder, failover run run-0" in refused.detail
    with pytest.raises(HttpResponseError):
        blob.set_blob_metadata({"run_id": "x"})  # still leased by the foreign holder
