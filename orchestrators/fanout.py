"""Fan-out in batches: many branches without one history that grows with the plan.

Durable replays an orchestration's whole history at every episode, and a parent gets an episode
each time one of its children ends. A thousand branches straight under the failover would make
its history long and every replay slow. So branches go in batches of at most `BATCH`: each batch
is a `fan_out` sub-orchestration of its own (nested when there are more batches than `BATCH`), and
every history stays short however large the plan is.

A branch is a sub-orchestration or an activity; its result is a step outcome (or a list of them)
as plain JSON. Branches never raise: they return failures as outcomes, so a fan-in sees every
branch end (Durable's `task_all` fails fast on a raised error).
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any, Literal

import azure.durable_functions as df
from pydantic import BaseModel, ConfigDict

from orchestrators.cancel import Cancellation
from regionshift.contracts import StepKind, StepOutcome
from regionshift.names import Orchestrators

bp = df.Blueprint()
BATCH = 25


class Branch(BaseModel):
    """One branch of a fan-out: what to call, with what, and the suffix of its instance id."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["orchestrator", "activity"] = "orchestrator"
    name: str
    key: str  # unique among its siblings; the branch's instance id is `<parent>:<key>`
    input: Any = None


def never_raises(context: Any, kind: StepKind, body: Generator[Any, Any, Any]) -> Generator[Any, Any, Any]:
    """Run a branch's body (`yield from`); a bug in it ends the branch as a failed step instead of
    failing the whole run's fan-in (which would leave no report)."""
    try:
        return (yield from body)
    except Exception as exc:  # deterministic: the same history raises the same error on replay
        return StepOutcome(
            kind=kind,
            resource=context.instance_id,
            action="unknown",
            status="failed",
            detail=f"internal error in the branch: {type(exc).__name__}: {exc}",
        ).model_dump(mode="json")


def run_branches(
    context: Any,
    branches: list[Branch],
    cancel: Cancellation | None = None,
    on_cancel: Callable[[], None] | None = None,
) -> Generator[Any, Any, list[Any]]:
    """Run every branch and return their results in order, flattened one level (`yield from`).
    With `cancel`, the wait watches the run's cancel event (`on_cancel` runs when it comes; the
    branches, which get the event too, are still waited for: see orchestrators/cancel.py)."""
    if not branches:
        return []
    every = branches_task(context, branches)
    results = (yield from cancel.watch(every, on_cancel)) if cancel is not None else (yield every)
    return flatten(results)


def branches_task(context: Any, branches: list[Branch]) -> Any:
    """The one task that completes when every branch has (scheduled now, not waited for): for a
    caller that waits for it beside other work. Its result goes through `flatten`."""
    if len(branches) <= BATCH:
        tasks = [
            context.call_activity(b.name, b.input)
            if b.kind == "activity"
            else context.call_sub_orchestrator(b.name, b.input, instance_id=f"{context.instance_id}:{b.key}")
            for b in branches
        ]
    else:
        size = BATCH
        while -(-len(branches) // size) > BATCH:  # ceil: at most BATCH batches at this level
            size *= BATCH
        batches = [branches[i : i + size] for i in range(0, len(branches), size)]
        tasks = [
            context.call_sub_orchestrator(
                Orchestrators.FAN_OUT, _batch_input(batch), instance_id=f"{context.instance_id}:b{index}"
            )
            for index, batch in enumerate(batches)
        ]
    return context.task_all(tasks)


def flatten(results: list[Any]) -> list[Any]:
    """Branch results in order, batches' lists flattened one level."""
    flat: list[Any] = []
    for result in results:
        flat += result if isinstance(result, list) else [result]
    return flat


def _batch_input(batch: list[Branch]) -> dict[str, Any]:
    """A batch's input. The plan's context every branch input carries is written once, not once per
    branch: the batch's creation is in its parent's history, which every parent episode replays."""
    inputs = [b.input for b in batch]
    plan = inputs[0].get("plan") if isinstance(inputs[0], dict) else None
    if plan is None or not all(isinstance(i, dict) and i.get("plan") == plan for i in inputs):
        return {"branches": [b.model_dump(mode="json") for b in batch]}
    stripped = [b.model_copy(update={"input": {k: v for k, v in b.input.items() if k != "plan"}}) for b in batch]
    return {"plan": plan, "branches": [b.model_dump(mode="json") for b in stripped]}


@bp.function_name(Orchestrators.FAN_OUT)
@bp.orchestration_trigger(context_name="context")
def fan_out(context: df.DurableOrchestrationContext) -> Generator[Any, Any, list[Any]]:
    batch = context.get_input()
    branches = [Branch.model_validate(b) for b in batch["branches"]]
    if "plan" in batch:  # put back what _batch_input wrote once
        branches = [b.model_copy(update={"input": {**b.input, "plan": batch["plan"]}}) for b in branches]
    return (yield from run_branches(context, branches))
