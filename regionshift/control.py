"""In-flight control of a run: pause, resume and cancel, as ARC's Region switch offers them.

One set of rules for every way in: the HTTP API (`POST /api/runs/{instance}/pause|resume|cancel`,
triggers/runs.py, through the Durable client) and the CLI (`regionshift runs ...`, on the embedded
host, `HostInstances`). They differ only in how they reach the instances (`Instances`).

- **pause** suspends the run and every running sub-orchestration under it (their ids are
  `<run>:...`), with Durable's suspend API (`SuspendAsync`, "Manage instances in Durable
  Functions", Learn: a suspended instance holds new events and schedules nothing until resumed;
  activities that already run finish).
- **resume** resumes them, the branches first, then the run.
- **cancel** raises the `cancel` event (`Events.CANCEL`, a `CancelRequest`: who, why, when) on the
  run and on its running branches that honour it (`CANCEL_AWARE`): ARC's CancelPlanExecution
  "stops the execution of the plan and prevents any further steps from being processed" (AWS ARC
  API reference); orchestrators/cancel.py says what each orchestrator then does. A paused run is
  resumed after the events are raised, so that it can end; a run cancelled once is not cancelled
  again (its custom status names who cancelled it).

Branches are created by their parents' episodes, so one listing can miss one that is being created
at that moment: the branches are listed in passes until two passes in a row find nothing new
(`PASSES`). A branch created after the last pass still gets no event of its own; its parent has
it, and schedules nothing new after it (for cancel), or holds back its results (for pause).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, ValidationError

from regionshift.contracts import MAX_CANCEL_REASON, CancelRequest
from regionshift.errors import RegionshiftError
from regionshift.host import DurableHost, InstanceNotFound, InstanceStatus, InvalidInstanceState, RuntimeStatus
from regionshift.names import Events, Orchestrators

Action = Literal["pause", "resume", "cancel", "list"]
RUNS = {Orchestrators.FAILOVER: "failover", Orchestrators.FAILBACK: "failback", Orchestrators.DRILL: "drill"}
# The orchestrators that wait for the cancel event (orchestrators/cancel.py); others never read it.
CANCEL_AWARE = {
    *RUNS,
    Orchestrators.APPROVAL,
    Orchestrators.SQL_BRANCH,
    Orchestrators.COSMOS_BRANCH,
    Orchestrators.SCALE_SET_BRANCH,
    Orchestrators.PROVISION_COMPUTE,
}
RUNNING, PENDING, SUSPENDED = "Running", "Pending", "Suspended"
UNFINISHED = (RUNNING, PENDING, SUSPENDED)
PASSES = 20  # at most this many listings of a run's branches...
PASS_PAUSE = 0.25  # ...this many seconds apart, until two in a row find nothing new


class ControlRefused(RegionshiftError):
    """The action does not apply (no such run, it has ended, it is not paused, ...); `status` is
    the HTTP status that says why: 400, 404 or 409."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        super().__init__(message)


class InstanceGone(Exception):
    """An instance ended (or vanished) between listing it and acting on it."""


@dataclass(frozen=True)
class Instance:
    instance_id: str
    name: str
    status: str  # Durable's runtime status: Running, Pending, Suspended, Completed, Failed, Terminated
    custom_status: Any = None
    created: str = ""


class Instances(Protocol):
    """How the rules reach Durable instances: the Durable client (HTTP) or the embedded host."""

    async def get(self, instance_id: str) -> Instance | None: ...
    async def under(self, prefix: str, statuses: Iterable[str]) -> list[Instance]: ...
    async def suspend(self, instance_id: str, reason: str) -> None: ...
    async def resume(self, instance_id: str, reason: str) -> None: ...
    async def raise_event(self, instance_id: str, name: str, data: Any) -> None: ...


class ControlRequest(BaseModel):
    """One control action, from the HTTP API, the CLI, or the CLI through a state folder's inbox."""

    model_config = ConfigDict(extra="forbid")

    action: Action
    instance_id: str = ""  # the run; or, from the CLI, found from the plan and the operation
    plan: str = ""
    operation: str = ""
    by: str = "someone"
    reason: str = ""


@dataclass
class ControlOutcome:
    action: Action
    instance_id: str
    instances: list[str] = field(default_factory=list)  # every instance acted on, the run first
    detail: str = ""
    runs: list[dict[str, Any]] = field(default_factory=list)  # `list` only

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"action": self.action, "instance_id": self.instance_id, "detail": self.detail}
        body["instances"] = self.instances
        if self.action == "list":
            body["runs"] = self.runs
        return body


async def control(instances: Instances, request: ControlRequest) -> ControlOutcome:
    """Carry out `request`; ControlRefused says why it does not apply."""
    if request.action == "list":
        return ControlOutcome("list", "", runs=await list_runs(instances, request.plan))
    run = await _run(instances, request)
    reason = request.reason[:MAX_CANCEL_REASON]
    if request.action == "pause":
        return await _pause(instances, run, request.by, reason)
    if request.action == "resume":
        return await _resume(instances, run, request.by, reason)
    return await _cancel(instances, run, request.by, reason)


async def list_runs(instances: Instances, plan: str = "") -> list[dict[str, Any]]:
    """The runs (not their branches), newest first, of one plan or of all."""
    found = [i for i in await instances.under("", ()) if i.name in RUNS and ":" not in i.instance_id]
    if plan:
        ids = {run_id(operation, plan) for operation in RUNS.values()}
        found = [i for i in found if i.instance_id in ids]
    found.sort(key=lambda i: i.created, reverse=True)
    return [
        {
            "instance_id": i.instance_id,
            "operation": RUNS[i.name],
            "runtime_status": i.status,
            "phase": _custom(i).get("phase"),
            "cancelled_by": _custom(i).get("cancelled_by") or None,
            "created": i.created,
        }
        for i in found
    ]


def run_id(operation: str, plan: str) -> str:
    """A run's instance id: one run per plan and operation (as the CLI and triggers/common.py name it)."""
    return f"{operation}-{plan}"


def _custom(instance: Instance) -> dict[str, Any]:
    return instance.custom_status if isinstance(instance.custom_status, dict) else {}


async def _run(instances: Instances, request: ControlRequest) -> Instance:
    """The run the request names: by instance id, or the plan's unfinished run (of `operation`)."""
    if request.instance_id:
        run = await instances.get(request.instance_id)
        if run is None:
            raise ControlRefused(404, f"no run with id {request.instance_id[:120]!r}")
        if run.name not in RUNS:
            raise ControlRefused(400, f"{run.instance_id} is a part of a run, not a run: name the run itself")
        return run
    if not request.plan:
        raise ControlRefused(400, "name the run (its instance id) or its plan")
    operations = [request.operation] if request.operation else list(RUNS.values())
    found = [r for op in operations if (r := await instances.get(run_id(op, request.plan))) is not None]
    unfinished = [r for r in found if r.status in UNFINISHED]
    if len(unfinished) == 1:
        return unfinished[0]
    if len(unfinished) > 1:
        names = ", ".join(r.instance_id for r in unfinished)
        raise ControlRefused(
            409, f"plan {request.plan!r} has several unfinished runs ({names}): name one with --operation"
        )
    if found and request.operation:
        return found[0]  # it has ended: the action says so
    what = f"{request.operation} of plan" if request.operation else "run of plan"
    raise ControlRefused(404, f"no unfinished {what} {request.plan!r}")


def _ended(run: Instance, action: str) -> ControlRefused:
    return ControlRefused(409, f"{run.instance_id} has ended ({run.status}): there is nothing to {action}")


async def _pause(instances: Instances, run: Instance, by: str, reason: str) -> ControlOutcome:
    if run.status == SUSPENDED:
        raise ControlRefused(409, f"{run.instance_id} is already paused")
    if run.status not in UNFINISHED:
        raise _ended(run, "pause")
    why = f"paused by {by}" + (f": {reason}" if reason else "")
    await instances.suspend(run.instance_id, why)
    branches = await _each_branch(instances, run, (RUNNING, PENDING), lambda i: instances.suspend(i, why))
    return ControlOutcome(
        "pause",
        run.instance_id,
        [run.instance_id, *branches],
        f"{why}: {run.instance_id} and {len(branches)} running part(s) hold; activities already running finish, "
        "and operations they started go on in Azure",
    )


async def _resume(instances: Instances, run: Instance, by: str, reason: str) -> ControlOutcome:
    if run.status in (RUNNING, PENDING):
        raise ControlRefused(409, f"{run.instance_id} is not paused ({run.status})")
    if run.status != SUSPENDED:
        raise _ended(run, "resume")
    why = f"resumed by {by}" + (f": {reason}" if reason else "")
    branches = await _each_branch(instances, run, (SUSPENDED,), lambda i: instances.resume(i, why))
    await instances.resume(run.instance_id, why)
    return ControlOutcome("resume", run.instance_id, [run.instance_id, *branches], f"{why}: it goes on")


async def _cancel(instances: Instances, run: Instance, by: str, reason: str) -> ControlOutcome:
    if run.status not in UNFINISHED:
        raise _ended(run, "cancel")
    earlier = _custom(run).get("cancelled_by")
    if earlier:
        raise ControlRefused(409, f"{run.instance_id} is already being cancelled ({earlier})")
    data = CancelRequest(by=by, reason=reason, at=datetime.now(UTC).isoformat()).model_dump(mode="json")
    await instances.raise_event(run.instance_id, Events.CANCEL, data)
    branches = await _each_branch(
        instances, run, UNFINISHED, lambda i: instances.raise_event(i, Events.CANCEL, data), names=CANCEL_AWARE
    )
    detail = (
        f"{CancelRequest.model_validate(data).describe()}: {run.instance_id} schedules nothing new and never "
        f"switches DNS after it; {len(branches)} running branch(es) start no write; operations already "
        "started are waited for up to their deadlines"
    )
    resumed: list[str] = []
    if run.status == SUSPENDED:  # a paused run holds the event: let it go on, so that it can end
        why = f"resumed to be cancelled by {by}"
        resumed = await _each_branch(instances, run, (SUSPENDED,), lambda i: instances.resume(i, why))
        await instances.resume(run.instance_id, why)
        detail += f"; it was paused, and is resumed ({len(resumed)} part(s) too) so that it can end"
    return ControlOutcome("cancel", run.instance_id, [run.instance_id, *branches], detail)


async def _each_branch(
    instances: Instances,
    run: Instance,
    statuses: tuple[str, ...],
    act: Callable[[str], Awaitable[None]],
    names: set[str] | None = None,
) -> list[str]:
    """Act on every instance under the run in `statuses` (of `names`), in passes (see the module
    docstring); instances that ended meanwhile are left alone. Returns the ids acted on."""
    done: list[str] = []
    seen: set[str] = set()
    quiet = 0
    for attempt in range(PASSES):
        if attempt:
            await asyncio.sleep(PASS_PAUSE)
        found = [
            i
            for i in await instances.under(f"{run.instance_id}:", statuses)
            if i.instance_id not in seen and (names is None or i.name in names)
        ]
        quiet = 0 if found else quiet + 1
        if quiet >= 2:
            break
        for instance in found:
            seen.add(instance.instance_id)
            try:
                await act(instance.instance_id)
            except InstanceGone:
                continue
            done.append(instance.instance_id)
    return done


def answer_on_host(host: DurableHost, request: dict[str, Any]) -> dict[str, Any]:
    """Carry out a control request on an embedded host: `{"ok": true, ...outcome}` or
    `{"ok": false, "status": 400|404|409, "error": "..."}` (the HTTP API's answers, as JSON)."""
    try:
        parsed = ControlRequest.model_validate(request)
    except ValidationError as exc:
        return {"ok": False, "status": 400, "error": f"not a control request: {exc.errors()[0]['msg']}"}
    try:
        outcome = asyncio.run(control(HostInstances(host), parsed))
    except ControlRefused as exc:
        return {"ok": False, "status": exc.status, "error": str(exc)}
    return {"ok": True, **outcome.to_json()}


class HostInstances:
    """`Instances` on an embedded Durable host (the CLI, directly or through the state folder's inbox)."""

    def __init__(self, host: DurableHost) -> None:
        self.host = host

    async def get(self, instance_id: str) -> Instance | None:
        status = self.host.get_status(instance_id)
        return _instance(status) if status is not None else None

    async def under(self, prefix: str, statuses: Iterable[str]) -> list[Instance]:
        wanted = [RuntimeStatus(s) for s in statuses]
        found: list[Instance] = []
        token: str | None = None
        while True:
            page = self.host.list_instances(prefix=prefix, statuses=wanted, continuation=token)
            found += [_instance(s) for s in page]
            token = page.continuation
            if token is None:
                return found

    async def suspend(self, instance_id: str, reason: str) -> None:
        self._gone_if_refused(self.host.suspend, instance_id, reason)

    async def resume(self, instance_id: str, reason: str) -> None:
        self._gone_if_refused(self.host.resume, instance_id, reason)

    async def raise_event(self, instance_id: str, name: str, data: Any) -> None:
        self._gone_if_refused(self.host.raise_event, instance_id, name, data)

    @staticmethod
    def _gone_if_refused(operation: Callable[..., None], *args: Any) -> None:
        try:
            operation(*args)
        except (InvalidInstanceState, InstanceNotFound) as exc:
            raise InstanceGone(str(exc)) from None


def _instance(status: InstanceStatus) -> Instance:
    return Instance(
        status.instance_id,
        status.name,
        status.runtime_status.value,
        status.custom_status,
        status.created_at.isoformat(),
    )
