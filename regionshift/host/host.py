"""DurableHost: runs the app's orchestrators and activities the way the Durable extension does.

The host owns its SQLite state store while it is open (`StateLock`: one process at a time) and
drives only the instances it owns: those it starts, those it is told to adopt (`adopt`, or an
`owns` predicate), and their sub-orchestrations. Anything else in the store waits untouched,
so a command that finds a dead run's instance does not carry out that run's writes. The Functions
app owns its whole task hub; `regionshift serve`, standing in for it, passes `owns=everything`.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from regionshift.host import history as h
from regionshift.host.client_api import ClientApi
from regionshift.host.clock import Clock, SystemClock
from regionshift.host.dispatch import Dispatcher, new_row
from regionshift.host.functions import index_functions
from regionshift.host.limits import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from regionshift.host.lock import StateLock
from regionshift.host.options import HostOptions, OverridableStates
from regionshift.host.rows import InstanceQuery, InstanceRow
from regionshift.host.status import (
    HostError,
    InstanceAlreadyRunning,
    InstanceNotFound,
    InstanceStatus,
    InvalidInstanceState,
    RuntimeStatus,
    UnknownFunction,
)
from regionshift.host.store import Store

_MAX_DEPTH = 64


def everything(_: str) -> bool:
    """An `owns` predicate for a host that owns its whole task hub, as the Functions app does."""
    return True


def _status(row: InstanceRow) -> InstanceStatus:
    def value(text: str | None) -> Any:
        return json.loads(text) if text is not None else None

    return InstanceStatus(
        instance_id=row.instance_id,
        name=row.name,
        runtime_status=row.status,
        input=value(row.input),
        output=value(row.output),
        custom_status=value(row.custom_status),
        created_at=h.parse_time(row.created_at),
        last_updated_at=h.parse_time(row.updated_at),
        failure=row.failure,
    )


class InstancePage(list[InstanceStatus]):
    """One page of a listing; `continuation` is None on the last page."""

    continuation: str | None = None


def _token(last_id: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": last_id}).encode()).decode()


def _after(token: str | None) -> str | None:
    if not token:
        return None
    try:
        after = json.loads(base64.urlsafe_b64decode(token.encode()))["after"]
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise ValueError("the continuation token is not one this host issued") from None
    if not isinstance(after, str):
        raise ValueError("the continuation token is not one this host issued")
    return after


class DurableHost:
    """An embedded Durable Functions host for one `df.DFApp`, keeping its state in SQLite."""

    def __init__(
        self,
        app: Any,
        db_path: str | Path,
        *,
        max_workers: int = 16,
        clock: Clock | None = None,
        options: HostOptions | None = None,
        owns: Callable[[str], bool] | None = None,
    ) -> None:
        self._functions = index_functions(app)
        self._state_lock = StateLock.acquire(Path(db_path))
        try:
            self._store = Store(db_path)
        except BaseException:
            self._state_lock.release()
            raise
        self._clock: Clock = clock or SystemClock()
        self._options = options or HostOptions()
        self._max_workers = max_workers
        self._owns_predicate = owns
        self._owned: set[str] = set()
        self._lock = threading.Lock()
        self._changed = threading.Condition()
        self._version = 0
        self._fatal: BaseException | None = None
        self._dispatcher: Dispatcher | None = None
        self._client_apis: list[ClientApi] = []
        self._closed = False

    @property
    def clock(self) -> Clock:
        return self._clock

    @property
    def options(self) -> HostOptions:
        return self._options

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Start dispatching and resume the unfinished instances this host owns."""
        if self._closed:
            raise HostError("this host was closed; open a new one on the same store")
        if self._dispatcher is not None:
            return
        self._dispatcher = Dispatcher(
            self._functions,
            self._store,
            self._clock,
            self._max_workers,
            self._options.function_timeout,
            self.owns,
            self._changed_now,
            self._failed,
        )
        self._dispatcher.start()

    def stop(self) -> None:
        """Stop dispatching; activities still running are abandoned and run again on the next start."""
        dispatcher, self._dispatcher = self._dispatcher, None
        if dispatcher is not None:
            dispatcher.stop()
        for api in self._client_apis:
            api.close()
        self._client_apis.clear()

    def close(self) -> None:
        """Stop, close the store and give up its lock (another process may then open it)."""
        self.stop()
        if not self._closed:
            self._closed = True
            self._store.close()
            self._state_lock.release()

    def __enter__(self) -> DurableHost:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- ownership ---------------------------------------------------------------------------

    def owns(self, instance_id: str) -> bool:
        """Whether this host drives the instance: it, or the root of its sub-orchestration tree,
        was started here, adopted, or accepted by the `owns` predicate."""
        chain: list[str] = []
        current: str | None = instance_id
        while current is not None and len(chain) < _MAX_DEPTH:
            with self._lock:
                known = current in self._owned
            if known or (self._owns_predicate is not None and self._owns_predicate(current)):
                with self._lock:
                    self._owned.update([*chain, current])
                return True
            chain.append(current)
            row = self._store.instance(current)
            current = row.parent_instance_id if row is not None else None
        return False

    def adopt(self, instance_id: str) -> None:
        """Own this instance (and its sub-orchestrations) from now on, and resume it if started."""
        if self._store.instance(instance_id) is None:
            raise InstanceNotFound(f"no instance with id '{instance_id}'")
        with self._lock:
            self._owned.add(instance_id)
        if self._dispatcher is not None:
            self._dispatcher.resume_owned()

    # -- client operations -------------------------------------------------------------------

    def start_new(self, name: str, input: Any = None, instance_id: str | None = None) -> str:
        """Start orchestrator `name` and own it. An existing instance with the same id is replaced
        when it has finished; when it has not, as host.json's overridableExistingInstanceStates
        says: refused (NonRunningStates, DTFx's OrchestrationAlreadyExistsException) or replaced
        (AnyState)."""
        if name not in self._functions.orchestrators:
            known = ", ".join(sorted(self._functions.orchestrators)) or "none"
            raise UnknownFunction(f"no orchestrator named '{name}' in the app (orchestrators: {known})")
        try:
            input_json = json.dumps(input)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"input of orchestrator '{name}' is not JSON-serializable: {exc}") from exc
        instance_id = instance_id or uuid.uuid4().hex
        now = self._clock.now()
        row = new_row(instance_id, name, input_json, now)
        start = h.execution_started(now, name, input_json, instance_id, row.execution_id)
        replace = self._options.overridable_states is OverridableStates.ANY_STATE
        blocking = self._store.create(row, start, replace_running=replace)
        if blocking is not None:
            # AzureStorageOrchestrationService.CreateTaskOrchestrationAsync, word for word
            raise InstanceAlreadyRunning(
                f"An Orchestration instance with the status {blocking.status.value} already exists."
            )
        with self._lock:
            self._owned.add(instance_id)
        self._changed_now()
        self._poke(instance_id)
        return instance_id

    def get_status(self, instance_id: str) -> InstanceStatus | None:
        row = self._store.instance(instance_id)
        return _status(row) if row is not None else None

    def wait_for_completion(
        self,
        instance_id: str,
        timeout: float | None = None,
        on_progress: Callable[[InstanceStatus], None] | None = None,
    ) -> InstanceStatus:
        """Block until the instance finishes or `timeout` seconds pass, then return its status (check
        `is_terminal`); `on_progress` sees every runtime/custom status change while waiting. Raises
        the store's error if the host had to stop because of it."""
        deadline = None if timeout is None else time.monotonic() + timeout
        seen: tuple[Any, ...] | None = None
        stamp: tuple[Any, ...] | None = None
        status: InstanceStatus | None = None
        while True:
            version = self._version
            if self._fatal is not None:
                raise self._fatal
            now_stamp = self._store.status_stamp(instance_id)  # every change in the host wakes this
            if now_stamp is None:
                raise InstanceNotFound(f"no instance with id '{instance_id}'")
            if now_stamp != stamp or status is None:  # this instance changed: read it whole
                stamp, status = now_stamp, self.get_status(instance_id)
                if status is None:
                    raise InstanceNotFound(f"no instance with id '{instance_id}'")
            key = (status.runtime_status, json.dumps(status.custom_status, sort_keys=True))
            if key != seen:
                seen = key
                if on_progress is not None:
                    on_progress(status)
            if status.is_terminal:
                return status
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return status  # still running: the caller checks is_terminal and may wait again
            with self._changed:
                self._changed.wait_for(
                    lambda v=version: self._version != v,  # type: ignore[misc]
                    timeout=1.0 if remaining is None else min(remaining, 1.0),
                )

    def raise_event(self, instance_id: str, name: str, data: Any = None) -> None:
        """Deliver external event `name`; events for a finished instance are dropped, as Durable does."""
        self._existing(instance_id)
        try:
            data_json = json.dumps(data)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"data of event '{name}' is not JSON-serializable: {exc}") from exc
        if self._store.deliver(instance_id, None, h.event_raised(self._clock.now(), name, data_json)):
            self._poke(instance_id)

    def suspend(self, instance_id: str, reason: str | None = None) -> None:
        """Suspend a Pending or Running instance (`DurableClient.SuspendAsync`, the extension's
        ContextImplementations/DurableClient.cs); see `suspension` for what that holds back."""
        row = self._existing(instance_id)
        if row.status not in (RuntimeStatus.PENDING, RuntimeStatus.RUNNING):
            raise InvalidInstanceState(
                f"Cannot suspend the orchestration instance {instance_id} because instance is in the "
                f"{row.status.value} state."
            )
        if self._store.deliver(instance_id, None, h.execution_suspended(self._clock.now(), reason)):
            self._poke(instance_id)

    def resume(self, instance_id: str, reason: str | None = None) -> None:
        """Resume a Suspended instance (`DurableClient.ResumeAsync`)."""
        row = self._existing(instance_id)
        if row.status is not RuntimeStatus.SUSPENDED:
            raise InvalidInstanceState(
                f"Cannot resume the orchestration instance {instance_id} because instance is in the "
                f"{row.status.value} state."
            )
        if self._store.deliver(instance_id, None, h.execution_resumed(self._clock.now(), reason)):
            self._poke(instance_id)

    def terminate(self, instance_id: str, reason: str, *, recursive: bool = False) -> None:
        """Terminate an unfinished instance (a finished one is left as it is).

        As in Azure, terminating an instance "has no effect on any in-flight activity function
        executions or sub-orchestrations that were started by the orchestration instance"
        (IDurableOrchestrationClient.TerminateAsync, Learn): its running children go on. With
        `recursive`, every unfinished descendant is terminated too, as durabletask-dotnet's
        `TerminateInstanceOptions(Recursive)` does; the Functions Python SDK has no such option,
        and the client API never passes it."""
        row = self._existing(instance_id)
        now = self._clock.now()
        parent_event = None
        if row.parent_task_id is not None:
            # DTFx reports a terminated child to its parent as SubOrchestrationInstanceFailed whose
            # reason is the termination's (TaskOrchestrationDispatcher.ProcessWorkflowCompletedTaskDecision)
            parent_event = h.sub_orchestration_failed(now, row.parent_task_id, reason, "")
        terminated = self._store.terminate(
            instance_id, reason, h.fmt_time(now), h.execution_terminated(now, reason), parent_event
        )
        if terminated is not None and terminated.parent_instance_id:
            self._poke(terminated.parent_instance_id)
        self._changed_now()
        if recursive:
            for child in self._store.children(instance_id):
                self.terminate(child.instance_id, reason, recursive=True)

    def purge(self, instance_id: str) -> bool:
        """Delete a finished instance and its history; False when there is no such instance."""
        purged = self._store.purge(instance_id)
        if purged is None:
            raise ValueError(f"instance '{instance_id}' has not finished; terminate it before purging")
        return purged

    def list_instances(
        self,
        name: str | None = None,
        *,
        prefix: str = "",
        statuses: Iterable[RuntimeStatus] = (),
        created_from: datetime | None = None,
        created_to: datetime | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        continuation: str | None = None,
    ) -> InstancePage:
        """One page of instances in instance-id order, as the extension's list API pages them
        (`DurableClient.ListInstancesAsync`). A full page always carries a continuation token,
        even when nothing follows (Table storage may end a page early too); only a page with no
        token is the last."""
        if page_size < 1:
            raise ValueError(f"page size must be at least 1, got {page_size}")
        query = InstanceQuery(
            prefix=prefix,
            statuses=tuple(statuses),
            created_from=h.fmt_time(created_from) if created_from else None,
            created_to=h.fmt_time(created_to) if created_to else None,
            name=name,
        )
        limit = min(page_size, MAX_PAGE_SIZE)
        rows = self._store.instances_page(query, _after(continuation), limit)
        page = InstancePage(_status(r) for r in rows)
        page.continuation = _token(rows[-1].instance_id) if len(rows) == limit else None
        return page

    def activities_in_flight(self) -> int:
        """Activities queued or running on this host (a timed-out one counts until it returns)."""
        return self._dispatcher.activities_in_flight() if self._dispatcher is not None else 0

    def get_history(self, instance_id: str) -> list[dict[str, Any]]:
        """The current execution's history events, oldest first (the extension's JSON shape)."""
        return self._store.history(instance_id)

    def serve_client_api(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve the Durable extension's HTTP API on loopback, backed by this host; returns the
        client binding JSON to pass to `df.DurableOrchestrationClient(binding)`."""
        api = ClientApi(self, host, port)
        self._client_apis.append(api)
        return api.binding

    # -- internals ---------------------------------------------------------------------------

    def _existing(self, instance_id: str) -> InstanceRow:
        row = self._store.instance(instance_id)
        if row is None:
            raise InstanceNotFound(f"no instance with id '{instance_id}'")
        return row

    def _poke(self, instance_id: str) -> None:
        if self._dispatcher is not None:
            self._dispatcher.poke(instance_id)

    def _changed_now(self) -> None:
        with self._changed:
            self._version += 1
            self._changed.notify_all()

    def _failed(self, exc: BaseException) -> None:
        if self._fatal is None:
            self._fatal = exc
        self._changed_now()
