"""Suspend and resume: which of an instance's waiting events its next episode may replay.

DTFx's rules (DurableTask.Core, TaskOrchestrationExecutor.ExecuteCore and TaskOrchestrationContext):
an ExecutionSuspended event sets the instance Suspended (OrchestrationRuntimeState); while it is
suspended every new event is held (`HandleEventWhileSuspended`), except ExecutionResumed and
ExecutionTerminated, and a second ExecutionSuspended is dropped; ExecutionResumed lets the held
events through, in the order they came. Actions the orchestrator had not yet sent when it was
suspended are sent after the resume, so nothing new is scheduled while suspended. Activities
already running go on; their results wait with the other held events.

The Python SDK ignores both events (its TaskOrchestrationExecutor.process_event has no case for
them), so an episode may pass them to replay like any other event.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from azure.durable_functions.models.history.HistoryEventType import HistoryEventType as E

from regionshift.host.engine import Delivery


@dataclass
class EpisodePlan:
    """`replay`: deliveries for a normal episode, in order; `suspend`: record this suspension
    instead (status Suspended, nothing replayed); neither: wait. `more`: deliveries are left
    for a later episode."""

    replay: list[Delivery] = field(default_factory=list)
    suspend: Delivery | None = None
    more: bool = False


def _kind(delivery: Delivery) -> int:
    return int(delivery.event["EventType"])


def plan_episode(deliveries: list[Delivery], suspended: bool) -> EpisodePlan:
    """What the next episode of an instance does with its waiting deliveries (oldest first)."""
    head: list[Delivery] = []
    tail = deliveries
    if suspended:
        resume = next((i for i, d in enumerate(deliveries) if _kind(d) == E.EXECUTION_RESUMED), None)
        if resume is None:
            return EpisodePlan()  # held until a resume (terminate does not wait here: it is direct)
        # the resume first, then what was held; suspensions held meanwhile are no-ops
        head = [deliveries[resume], *deliveries[:resume]]
        tail = deliveries[resume + 1 :]
    cut = next((i for i, d in enumerate(tail) if _kind(d) == E.EXECUTION_SUSPENDED), None)
    if cut is None:
        return EpisodePlan(replay=head + tail)
    if not head and cut == 0:
        return EpisodePlan(suspend=tail[0], more=len(tail) > 1)
    return EpisodePlan(replay=head + tail[:cut], more=True)
