"""The scheduled readiness check on the embedded host: its result is kept as the instance's output
and custom status, and a change is posted once to the plan's webhooks (a local receiver)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from app_runs import app_host
from webhooks import WebhookReceiver

from regionshift.host import DurableHost
from regionshift.names import Orchestrators
from regionshift.plan import Plan
from regionshift.readiness_watch import Snapshot, instance_id
from regionshift_emulator.harness import app_on_emulator, example_plan, writes
from regionshift_emulator.server import Emulator

QUOTA_GONE = {"quotas": {"standardDSv5Family": 0}}


def check(host: DurableHost, plan: Plan, previous: dict[str, Any] | None) -> Snapshot:
    instance = instance_id(plan.name)
    host.start_new(
        Orchestrators.SCHEDULED_CHECK, {"plan": plan.model_dump(mode="json"), "previous": previous}, instance
    )
    status = host.wait_for_completion(instance, timeout=120)
    assert status.output is not None, status.failure
    assert status.custom_status == {"phase": "done", "latest": status.output}
    return Snapshot.model_validate(status.output)


@pytest.fixture
def hooks() -> Any:
    with WebhookReceiver() as receiver:
        yield receiver, receiver.url


def test_a_healthy_first_result_is_kept_and_posts_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hooks: Any
) -> None:
    receiver, url = hooks
    plan = example_plan(notification_webhooks=[{"url": url, "format": "json"}])
    with app_on_emulator(plan, None, tmp_path, monkeypatch) as emu, app_host(tmp_path) as host:
        first = check(host, plan, None)
        assert writes(emu) == []
    assert (first.ready, first.drift, first.change, receiver.posts) == (True, False, None, [])
    assert first.announced is not None and first.announced.healthy


def test_a_break_posts_once_and_its_clearing_posts_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hooks: Any
) -> None:
    receiver, url = hooks
    plan = example_plan(notification_webhooks=[{"url": url, "format": "json"}])
    with app_on_emulator(plan, None, tmp_path, monkeypatch) as emu, app_host(tmp_path) as host:
        healthy = check(host, plan, None)
        emu.set_scenario(QUOTA_GONE)
        broken = check(host, plan, healthy.model_dump(mode="json"))
        still = check(host, plan, broken.model_dump(mode="json"))
        emu.set_scenario({})
        cleared = check(host, plan, still.model_dump(mode="json"))
    assert [broken.change, still.change, cleared.change] == ["broke", None, "cleared"]
    assert [p["change"] for p in receiver.posts] == ["broke", "cleared"]
    assert receiver.posts[0]["stopping"][0]["check"] == "compute_quota"
    assert receiver.posts[0]["statusUrl"].endswith("/api/plans/contoso-web/readiness")


def test_a_post_nobody_took_is_tried_again_at_the_next_tick(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hooks: Any
) -> None:
    receiver, url = hooks
    dead = "http://127.0.0.1:9/hook"  # the discard port: nothing listens there
    plan = example_plan(notification_webhooks=[{"url": dead, "format": "teams"}])
    with app_on_emulator(plan, QUOTA_GONE, tmp_path, monkeypatch), app_host(tmp_path) as host:
        unsent = check(host, plan, None)
        retried = check(
            host, example_plan(notification_webhooks=[{"url": url, "format": "slack"}]), unsent.model_dump(mode="json")
        )
    assert (unsent.change, unsent.deliveries[0]["ok"], unsent.announced and unsent.announced.healthy) == (
        None,
        False,
        True,
    )
    assert retried.change == "broke"
    (post,) = receiver.posts
    assert post["text"].startswith("regionshift: plan contoso-web is NOT ready to fail over")


def test_drift_alone_makes_the_result_unhealthy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hooks: Any) -> None:
    receiver, url = hooks
    plan = example_plan(notification_webhooks=[{"url": url, "format": "json"}])
    with app_on_emulator(plan, None, tmp_path, monkeypatch) as emu, app_host(tmp_path) as host:
        _add_failover_group(emu)
        snapshot = check(host, plan, None)
    assert (snapshot.ready, snapshot.drift, snapshot.change) == (False, True, "broke")  # drift blocks unless advisory
    assert receiver.posts[0]["driftFindings"][0]["resource"] == "failover group fg-billing on sql-eus2"


def _add_failover_group(emu: Emulator) -> None:
    from regionshift_emulator.services.sql.models import SqlBackend

    group = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups"
    store = emu.state.store
    emu.state.backend(SqlBackend).add_failover_group(
        store.require(f"{group}/rg-data-eus2/providers/Microsoft.Sql/servers/sql-eus2"),
        store.require(f"{group}/rg-dr-cus/providers/Microsoft.Sql/servers/sql-cus"),
        "fg-billing",
        [],
    )
