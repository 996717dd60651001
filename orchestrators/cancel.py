"""Cancelling a run, as ARC's Region switch has it: stop scheduling, let what runs finish.

ARC's CancelPlanExecution "stops the execution of the plan and prevents any further steps from
being processed" (AWS ARC API reference, CancelPlanExecution). Here a person raises the `cancel`
event (`Events.CANCEL`) on a run and on its running branches (`regionshift.control`). Every
orchestrator that honours it makes the event's task once, at its start (`Cancellation(context)`),
and asks `requested` at its boundaries:

- a run (failover, failback, drill) schedules no new phase, never switches DNS after the cancel,
  and ends with a report of which steps ran and what state that leaves (`orchestrators/steps.py`);
- a branch (orchestrators/replicas.py, compute.py) ends "skipped: cancelled by ..." before it
  starts any write or data-loss action; an operation it already started is waited for up to its
  deadline, as before.

Why `watch`: the Durable Python SDK tracks a task only once it has been yielded
(`DurableOrchestrationContext._add_to_open_tasks`, azure-functions-durable 1.7.0): the event of a
task that was made but never yielded is kept aside, and the task's `is_completed` stays False
(pinned in tests/host/test_sdk_contract.py). So each of these orchestrators yields its first work
through `watch`, in a `task_any` beside the cancel task; from then on the SDK completes the
cancel task when the event arrives, whatever the orchestrator waits on, and `requested` is exact.
It depends on the history only, so it gives the same answer on every replay.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

from regionshift.contracts import CancelRequest, StepOutcome
from regionshift.names import Events
from regionshift.reports.labels import KIND_WORDS, short_resource


class Cancellation:
    """The cancel event of one orchestration: made once, at its start."""

    def __init__(self, context: Any) -> None:
        self._context = context
        self._task = context.wait_for_external_event(Events.CANCEL)

    @property
    def requested(self) -> bool:
        """Whether a cancel arrived (exact once `watch` has yielded the task once)."""
        return bool(self._task.is_completed)

    @property
    def request(self) -> CancelRequest | None:
        return CancelRequest.from_event(self._task.result) if self.requested else None

    @property
    def by(self) -> str:
        request = self.request
        return request.describe() if request else ""

    def watch(self, work: Any, on_cancel: Callable[[], None] | None = None) -> Generator[Any, Any, Any]:
        """Wait for the task `work` (`yield from`) and return its result, with the cancel event
        beside it: when the cancel comes first, `on_cancel()` runs (e.g. to publish "cancelling")
        and the wait goes on, because what already runs is let finish."""
        if not self.requested:
            winner = yield self._context.task_any([work, self._task])
            if winner != work and on_cancel is not None:
                on_cancel()
        # Yielding a task again is the SDK's way to take its result, or its error, once it is done.
        return (yield work)

    def race(self, *tasks: Any) -> Generator[Any, Any, Any]:
        """The first of `tasks` to complete (`yield from`), or None when the cancel comes first."""
        winner = yield self._context.task_any([*tasks, self._task])
        return None if winner == self._task else winner


# -- what a cancelled run did, and what that leaves -------------------------------------------------

_LISTED = 8  # names per list in the summary; the report's steps and resources hold them all


def _listed(items: list[str]) -> str:
    shown = ", ".join(items[:_LISTED])
    return shown + (f" and {len(items) - _LISTED} more" if len(items) > _LISTED else "")


def _step(step: StepOutcome) -> str:
    return f"{KIND_WORDS.get(step.kind, step.kind)} {short_resource(step.resource)} {step.action}: {step.status}"


def _state(resource: dict[str, Any]) -> str:
    """One resource of the final state, in words (regionshift.azure.*.describe shapes)."""
    kind = resource.get("kind")
    name = str(
        resource.get("failover_group")
        or resource.get("account")
        or resource.get("record")
        or resource.get("name")
        or "the plan"
    )
    if resource.get("error") and kind != "sql":
        return f"{name}: not readable now"
    if kind == "sql":
        sides = [resource.get("partner_server"), resource.get("primary_server")]
        roles = [f"{s['server']} {str(s.get('role', '?')).lower()}" for s in sides if isinstance(s, dict)]
        return f"SQL {name}: {', '.join(roles)}" if roles else f"SQL {name}: not readable now"
    if kind == "cosmos":
        return f"Cosmos DB {name}: writes in {resource.get('write_region') or 'an unknown region'}"
    if kind == "dns":
        return f"DNS {name}: points at the {resource.get('points_at', 'unknown')}"
    if kind == "scale_set":
        if not resource.get("exists"):
            return f"scale set {name}: absent"
        return f"scale set {name}: {resource.get('capacity')} instances"
    if kind == "resource_group":
        return f"resource group {name}: {'exists' if resource.get('exists') else 'absent'}"
    return name


def cancel_summary(
    request: CancelRequest, phase: str, steps: list[StepOutcome], resources: list[dict[str, Any]]
) -> str:
    """The reason of a cancelled run: who, in which phase, which steps ran, which did not start,
    and where every resource stands now (the report's `resources` hold the details)."""
    ran = [_step(s) for s in steps if s.status != "skipped"]
    not_started = [
        f"{KIND_WORDS.get(s.kind, s.kind)} {short_resource(s.resource)}" for s in steps if s.status == "skipped"
    ]
    parts = [f"{request.describe()} during {phase.replace('_', ' ')}"]
    parts.append(f"ran: {_listed(ran)}" if ran else "no step ran")
    if not_started:
        parts.append(f"not started: {_listed(not_started)}")
    if resources:
        parts.append(f"now: {_listed([_state(r) for r in resources])}")
    return "; ".join(parts)
