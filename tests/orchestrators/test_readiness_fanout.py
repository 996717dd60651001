"""The readiness sub-orchestration fans every check unit out at once and returns the outcomes in
the units' order, whatever order they finish in: the same list `regionshift check` shows."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from app_runs import app_host
from azure.durable_functions.models.history.HistoryEventType import HistoryEventType as E

from orchestrators.readiness import UNITS_PER_ACTIVITY
from regionshift.azure.clients import default_clients
from regionshift.azure.readiness import run_checks, units
from regionshift.contracts import StepOutcome
from regionshift.host import DurableHost
from regionshift.names import Activities, Orchestrators
from regionshift.plan import Plan
from regionshift_emulator import server
from regionshift_emulator.core.app import EmulatorApp
from regionshift_emulator.harness import app_on_emulator, example_plan

SLOW_PATH = "/galleries/"  # the image check: the first unit, made to finish last
SLOW_SECONDS = 0.5


class SlowImages(EmulatorApp):
    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if SLOW_PATH in environ.get("PATH_INFO", ""):
            time.sleep(SLOW_SECONDS)
        return super().__call__(environ, start_response)


def run_readiness(host: DurableHost, plan: Plan, instance_id: str) -> list[StepOutcome]:
    host.start_new(Orchestrators.READINESS, {"plan": plan.model_dump(mode="json")}, instance_id=instance_id)
    status = host.wait_for_completion(instance_id, timeout=120)
    assert status.output is not None, status.failure
    return [StepOutcome.model_validate(c) for c in status.output]


def test_every_check_unit_is_scheduled_in_one_episode_before_any_completes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    plan = example_plan()
    with (
        app_on_emulator(plan, None, tmp_path, monkeypatch),
        app_host(tmp_path) as host,
    ):
        run_readiness(host, plan, "readiness-fanout")
        history = host.get_history("readiness-fanout")
    kinds = [E(e["EventType"]) for e in history]
    scheduled = [i for i, e in enumerate(history) if kinds[i] is E.TASK_SCHEDULED]
    # A few units to an activity: every unit is in exactly one of them, in order.
    batches = -(-len(units(plan)) // UNITS_PER_ACTIVITY)
    assert [history[i]["Name"] for i in scheduled] == [Activities.CHECK_READINESS] * batches
    scheduled_units = [u for i in scheduled for u in json.loads(history[i]["Input"])["units"]]
    assert scheduled_units == [u.model_dump(mode="json") for u in units(plan)]
    assert len(scheduled) > 1
    first, last = scheduled[0], scheduled[-1]
    assert E.ORCHESTRATOR_STARTED not in kinds[first:last], "the units were scheduled over several episodes"
    assert kinds.index(E.TASK_COMPLETED) > last, "a unit completed before the last one was scheduled"


def test_outcomes_keep_the_unit_order_when_the_first_unit_finishes_last(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    monkeypatch.setattr(server, "EmulatorApp", SlowImages)
    plan = example_plan()
    with (
        app_on_emulator(plan, None, tmp_path, monkeypatch),
        app_host(tmp_path) as host,
    ):
        fanned = run_readiness(host, plan, "readiness-order")
        history = host.get_history("readiness-order")
        serial = run_checks(default_clients(), plan)
    completed = [e["TaskScheduledId"] for e in history if e["EventType"] == E.TASK_COMPLETED]
    assert completed[0] != 0, "the image check was meant to finish after another unit"
    key = [(c.kind, c.action, c.resource, c.status) for c in fanned]
    assert key == [(c.kind, c.action, c.resource, c.status) for c in serial]
    assert [c.action for c in fanned][:3] == ["image_replicated", "subnet", "backend_pool"]
    assert [c.action for c in fanned][-2:] == ["permissions", "run_lease"]
