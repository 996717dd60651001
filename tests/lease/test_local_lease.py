"""The local run lease: one file per plan in a folder shared by every process of this user.

Outcomes are checked on disk (the lease file's JSON), not only through what the lease says.
"""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys
from pathlib import Path
from typing import Any

from lease_tools import race_threads, request_for

from regionshift.lease import acquire_lease, lease_backend, lease_id_for, release_lease
from regionshift.lease.local import LocalLease, lease_dir
from regionshift.plan import PlanContext


def lease_file(env: dict[str, str], plan: dict[str, Any]) -> Path:
    return Path(env["REGIONSHIFT_LEASE_DIR"]) / f"{plan['name']}.lease"


def on_disk(env: dict[str, str], plan: dict[str, Any]) -> dict[str, Any]:
    return json.loads(lease_file(env, plan).read_text())


def test_without_storage_the_lease_is_local_and_not_in_the_state_folder(plan_context: dict[str, Any]) -> None:
    env = {"HOME": "/home/ana", "REGIONSHIFT_STATE_DIR": "/work/a/.regionshift"}
    assert lease_dir(env) == Path("/home/ana/.cache/regionshift/leases")
    assert lease_dir({**env, "XDG_CACHE_HOME": "/var/cache/ana"}) == Path("/var/cache/ana/regionshift/leases")
    other_state = {**env, "REGIONSHIFT_STATE_DIR": "/work/b/.regionshift"}
    assert lease_dir(other_state) == lease_dir(env), "two state folders must share one lease folder"
    backend = lease_backend(PlanContext.model_validate(plan_context), {"REGIONSHIFT_LEASE_DIR": "/tmp/x"})
    assert isinstance(backend, LocalLease) and backend.path == Path("/tmp/x/contoso-web.lease")


def test_acquire_writes_the_holder_and_another_run_is_refused_naming_it(
    plan_context: dict[str, Any], lease_env: dict[str, str]
) -> None:
    first = acquire_lease(request_for(plan_context, "run-1", started_by="cli:ana"), lease_env)
    assert (first.granted, first.backend, first.error) == (True, "local", False)
    stored = on_disk(lease_env, plan_context)
    assert stored["lease_id"] == lease_id_for("run-1")
    assert stored["holder"]["run_id"] == "run-1" and stored["holder"]["started_by"] == "cli:ana"

    second = acquire_lease(request_for(plan_context, "run-2", operation="failback"), lease_env)
    assert (second.granted, second.error) == (False, False)
    assert second.holder is not None and second.holder.run_id == "run-1"
    assert "held by failover run run-1 (instance failover-contoso-web) by cli:ana" in second.detail
    assert "--break-lease" in second.detail
    assert on_disk(lease_env, plan_context) == stored, "a refused run must not touch the lease"


def test_the_same_run_gets_its_lease_back(plan_context: dict[str, Any], lease_env: dict[str, str]) -> None:
    acquire_lease(request_for(plan_context, "run-1"), lease_env)
    stored = on_disk(lease_env, plan_context)
    again = acquire_lease(request_for(plan_context, "run-1"), lease_env)
    assert again.granted and again.detail == "already held by this run"
    assert on_disk(lease_env, plan_context) == stored


def test_release_lets_go_only_of_the_runs_own_lease(plan_context: dict[str, Any], lease_env: dict[str, str]) -> None:
    acquire_lease(request_for(plan_context, "run-1"), lease_env)
    other = release_lease(request_for(plan_context, "run-2"), lease_env)
    assert (other.released, other.holder.run_id if other.holder else None) == (False, "run-1")
    assert lease_file(lease_env, plan_context).exists()

    mine = release_lease(request_for(plan_context, "run-1"), lease_env)
    assert mine.released and not lease_file(lease_env, plan_context).exists()
    again = release_lease(request_for(plan_context, "run-1"), lease_env)
    assert (again.released, again.error, again.detail) == (False, False, "was not held (already released)")
    assert acquire_lease(request_for(plan_context, "run-2"), lease_env).granted


def test_break_glass_takes_the_lease_and_records_whose_it_was(
    plan_context: dict[str, Any], lease_env: dict[str, str]
) -> None:
    acquire_lease(request_for(plan_context, "run-1", started_by="alert:rule"), lease_env)
    broke = acquire_lease(request_for(plan_context, "run-2", started_by="cli:bo", break_lease=True), lease_env)
    assert broke.granted and broke.broken_holder is not None
    assert (broke.broken_holder.run_id, broke.broken_holder.started_by) == ("run-1", "alert:rule")
    stored = on_disk(lease_env, plan_context)
    assert stored["lease_id"] == lease_id_for("run-2") and stored["holder"]["broke"] == "run-1"

    # The run whose lease was broken cannot take it back, nor release the breaker's lease.
    old = acquire_lease(request_for(plan_context, "run-1"), lease_env)
    assert not old.granted and old.holder is not None and old.holder.run_id == "run-2"
    assert not release_lease(request_for(plan_context, "run-1"), lease_env).released
    assert on_disk(lease_env, plan_context) == stored


def test_a_lease_whose_process_exited_is_reported_stale_and_not_taken(
    plan_context: dict[str, Any], lease_env: dict[str, str]
) -> None:
    code = (
        "import sys; from regionshift.lease import acquire_lease, LeaseRequest; "
        "r = LeaseRequest.model_validate_json(sys.argv[1]); "
        f"assert acquire_lease(r, {lease_env!r}).granted"
    )
    payload = request_for(plan_context, "run-crashed").model_dump_json()
    subprocess.run([sys.executable, "-c", code, payload], check=True)  # took the lease, then exited
    stored = on_disk(lease_env, plan_context)

    refused = acquire_lease(request_for(plan_context, "run-2"), lease_env)
    assert not refused.granted
    assert f"it looks stale: process {stored['holder']['pid']} on this host" in refused.detail
    assert on_disk(lease_env, plan_context) == stored, "a stale lease is never taken silently"
    assert acquire_lease(request_for(plan_context, "run-2", break_lease=True), lease_env).granted


def test_an_unreadable_lease_file_is_refused_until_broken(
    plan_context: dict[str, Any], lease_env: dict[str, str]
) -> None:
    path = lease_file(lease_env, plan_context)
    path.parent.mkdir(parents=True)
    path.write_text('{"lease_id": "half-writ')
    refused = acquire_lease(request_for(plan_context, "run-1"), lease_env)
    assert (refused.granted, refused.error) == (False, True)
    assert "is unreadable" in refused.detail and "--break-lease" in refused.detail
    assert path.read_text() == '{"lease_id": "half-writ'
    broke = acquire_lease(request_for(plan_context, "run-1", break_lease=True), lease_env)
    assert broke.granted and broke.broken_holder is None
    assert on_disk(lease_env, plan_context)["holder"]["broke"] == "(unreadable lease)"


def test_an_unwritable_lease_folder_is_refused_with_one_line(plan_context: dict[str, Any], tmp_path: Path) -> None:
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    outcome = acquire_lease(request_for(plan_context, "run-1"), {"REGIONSHIFT_LEASE_DIR": str(blocked / "leases")})
    assert (outcome.granted, outcome.error) == (False, True)
    assert outcome.detail.startswith("could not take the run lease: ") and "\n" not in outcome.detail


def _race_in_process(plan: dict[str, Any], env: dict[str, str], run_id: str, start: Any, results: Any) -> None:
    start.wait()
    results.put((run_id, acquire_lease(request_for(plan, run_id), env).granted))


def test_racing_processes_exactly_one_wins_every_time(plan_context: dict[str, Any], tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    for trial in range(15):
        env = {"REGIONSHIFT_LEASE_DIR": str(tmp_path / f"trial-{trial}")}
        start, results = context.Event(), context.Queue()
        runs = [f"run-{trial}-{n}" for n in range(5)]
        workers = [context.Process(target=_race_in_process, args=(plan_context, env, r, start, results)) for r in runs]
        for worker in workers:
            worker.start()
        start.set()
        outcomes = dict(results.get(timeout=60) for _ in runs)
        for worker in workers:
            worker.join(timeout=60)
        winners = [r for r, granted in outcomes.items() if granted]
        assert len(winners) == 1, f"trial {trial}: {outcomes}"
        assert on_disk(env, plan_context)["holder"]["run_id"] == winners[0]


def test_racing_threads_exactly_one_wins_every_time(plan_context: dict[str, Any], tmp_path: Path) -> None:
    for trial in range(30):
        env = {"REGIONSHIFT_LEASE_DIR": str(tmp_path / f"trial-{trial}")}
        granted = race_threads(
            [f"run-{n}" for n in range(8)],
            lambda run_id, env=env: acquire_lease(request_for(plan_context, run_id), env).granted,
        )
        assert len(granted) == 1, f"trial {trial}: {granted}"
        assert on_disk(env, plan_context)["holder"]["run_id"] == granted[0]
