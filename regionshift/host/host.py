"""DurableHost: runs the app's orchestrators and activities the way the Durable extension does.

A dispatcher thread fires due timers; a small pool runs orchestration episodes (one at a time
per instance, many instances at once); a larger pool runs activities. Everything durable goes
through `Store`, so a host started on the same database after a crash carries on where the
last one stopped: unfinished activities run again, delivered events are replayed, timers fire.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any

from azure.functions import meta
from azure.functions.durable_functions import ActivityTriggerConverter

from regionshift.host import history as h
from regionshift.host.client_api import ClientApi
from regionshift.host.clock import Clock, SystemClock
from regionshift.host.engine import run_episode
from regionshift.host.functions import index_functions
from regionshift.host.status import (
    InstanceAlreadyRunning,
    InstanceNotFound,
    InstanceStatus,
    RuntimeStatus,
    UnknownFunction,
)
from regionshift.host.store import InstanceRow, Store, WorkRow


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


def _failure_details(exc: BaseException) -> str:
    """Type and the last frames of the traceback: enough to find the line, short enough for history."""
    here = str(Path(__file__).parent)
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not f.filename.startswith(here)]
    return f"{type(exc).__name__}: {exc}\n" + "".join(traceback.format_list(frames[-3:]))


class DurableHost:
    """An embedded Durable Functions host for one `df.DFApp`, keeping its state in SQLite."""

    def __init__(self, app: Any, db_path: str | Path, *, max_workers: int = 16, clock: Clock | None = None) -> None:
        self._functions = index_functions(app)
        self._store = Store(db_path)
        self._clock: Clock = clock or SystemClock()
        self._max_workers = max_workers
        self._changed = threading.Condition()
        self._version = 0
        self._lock = threading.Lock()
        self._active: set[str] = set()
        self._dirty: set[str] = set()
        self._running = False
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._dispatcher: threading.Thread | None = None
        self._episodes: ThreadPoolExecutor | None = None
        self._activities: ThreadPoolExecutor | None = None
        self._client_apis: list[ClientApi] = []

    @property
    def clock(self) -> Clock:
        return self._clock

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Start dispatching and resume every unfinished instance from its history."""
        if self._running:
            return
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._episodes = ThreadPoolExecutor(max(2, min(4, self._max_workers)), thread_name_prefix="df-episode")
        self._activities = ThreadPoolExecutor(self._max_workers, thread_name_prefix="df-activity")
        self._running = True
        for work in self._store.work():
            self._submit_work(work.id)
        for instance_id in self._store.instances_with_inbox():
            self._poke(instance_id)
        self._dispatcher = threading.Thread(target=self._dispatch_timers, name="df-timers", daemon=True)
        self._dispatcher.start()

    def stop(self) -> None:
        """Stop dispatching; activities still running are abandoned and run again on the next start."""
        if not self._running:
            return
        self._running = False
        self._stopping.set()
        self._wake.set()
        if self._dispatcher is not None:
            self._dispatcher.join()
        assert self._episodes is not None and self._activities is not None
        self._activities.shutdown(wait=False, cancel_futures=True)
        self._episodes.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            self._active.clear()
            self._dirty.clear()
        for api in self._client_apis:
            api.close()
        self._client_apis.clear()

    def __enter__(self) -> DurableHost:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- client operations -------------------------------------------------------------------

    def start_new(self, name: str, input: Any = None, instance_id: str | None = None) -> str:
        """Start orchestrator `name`; a finished instance with the same id is replaced."""
        if name not in self._functions.orchestrators:
            known = ", ".join(sorted(self._functions.orchestrators)) or "none"
            raise UnknownFunction(f"no orchestrator named '{name}' in the app (orchestrators: {known})")
        try:
            input_json = json.dumps(input)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"input of orchestrator '{name}' is not JSON-serializable: {exc}") from exc
        instance_id = instance_id or uuid.uuid4().hex
        now = self._clock.now()
        row = self._new_row(instance_id, name, input_json, now)
        start = h.execution_started(now, name, input_json, instance_id, row.execution_id)
        blocking = self._store.create(row, start)
        if blocking is not None:
            raise InstanceAlreadyRunning(
                f"instance '{instance_id}' of '{blocking.name}' is {blocking.status.value}; "
                "wait for it to finish or terminate it first"
            )
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
        `is_terminal`); `on_progress` sees every runtime/custom status change while waiting."""
        deadline = None if timeout is None else time.monotonic() + timeout
        seen: tuple[Any, ...] | None = None
        while True:
            version = self._version
            status = self.get_status(instance_id)
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
        if self._store.instance(instance_id) is None:
            raise InstanceNotFound(f"no instance with id '{instance_id}'")
        try:
            data_json = json.dumps(data)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"data of event '{name}' is not JSON-serializable: {exc}") from exc
        if self._store.deliver(instance_id, None, h.event_raised(self._clock.now(), name, data_json)):
            self._poke(instance_id)

    def terminate(self, instance_id: str, reason: str) -> None:
        """Terminate an unfinished instance (a finished one is left as it is)."""
        if self._store.instance(instance_id) is None:
            raise InstanceNotFound(f"no instance with id '{instance_id}'")
        now = self._clock.now()
        row = self._store.instance(instance_id)
        parent_event = None
        if row is not None and row.parent_task_id is not None:
            parent_event = h.sub_orchestration_failed(
                now, row.parent_task_id, f"Orchestrator function '{row.name}' was terminated: {reason}", reason
            )
        terminated = self._store.terminate(
            instance_id, reason, h.fmt_time(now), h.execution_terminated(now, reason), parent_event
        )
        if terminated is not None and terminated.parent_instance_id:
            self._poke(terminated.parent_instance_id)
        self._changed_now()

    def purge(self, instance_id: str) -> bool:
        """Delete a finished instance and its history; False when there is no such instance."""
        purged = self._store.purge(instance_id)
        if purged is None:
            raise ValueError(f"instance '{instance_id}' has not finished; terminate it before purging")
        return purged

    def serve_client_api(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve the Durable extension's HTTP API on loopback, backed by this host; returns the
        client binding JSON to pass to `df.DurableOrchestrationClient(binding)`."""
        api = ClientApi(self, host, port)
        self._client_apis.append(api)
        return api.binding

    def list_instances(self, name: str | None = None, limit: int = 50) -> list[InstanceStatus]:
        return [_status(r) for r in self._store.instances(name, limit)]

    def get_history(self, instance_id: str) -> list[dict[str, Any]]:
        """The current execution's history events, oldest first (the extension's JSON shape)."""
        return self._store.history(instance_id)

    # -- dispatching -------------------------------------------------------------------------

    def _new_row(
        self,
        instance_id: str,
        name: str,
        input_json: str | None,
        now: Any,
        parent: InstanceRow | None = None,
        task_id: int | None = None,
        parent_meta: dict[str, Any] | None = None,
    ) -> InstanceRow:
        stamp = h.fmt_time(now)
        return InstanceRow(
            instance_id,
            name,
            uuid.uuid4().hex,
            RuntimeStatus.PENDING,
            input_json,
            None,
            None,
            None,
            stamp,
            stamp,
            parent.instance_id if parent else None,
            parent.execution_id if parent else None,
            task_id,
            parent_meta,
            0,
            [],
        )

    def _changed_now(self) -> None:
        with self._changed:
            self._version += 1
            self._changed.notify_all()

    def _poke(self, instance_id: str) -> None:
        """Run an episode for the instance soon; at most one runs per instance at a time."""
        if not self._running or self._episodes is None:
            return
        with self._lock:
            if instance_id in self._active:
                self._dirty.add(instance_id)
                return
            self._active.add(instance_id)
        try:
            self._episodes.submit(self._episode_loop, instance_id)
        except RuntimeError:  # shutting down
            with self._lock:
                self._active.discard(instance_id)

    def _episode_loop(self, instance_id: str) -> None:
        while True:
            try:
                if not self._stopping.is_set():
                    self._episode(instance_id)
            except Exception:  # a host bug must not kill the pool thread silently
                traceback.print_exc()
            with self._lock:
                if instance_id in self._dirty and not self._stopping.is_set():
                    self._dirty.discard(instance_id)
                    continue
                self._active.discard(instance_id)
                self._dirty.discard(instance_id)
                return

    def _episode(self, instance_id: str) -> None:
        row, inbox = self._store.episode_input(instance_id)
        if row is None or not inbox:
            return
        live = [d for execution, d in inbox if execution == row.execution_id]
        if row.status.is_terminal or not live:
            self._store.discard([d.id for _, d in inbox])
            return
        now = self._clock.now()
        handle = self._functions.orchestrators.get(row.name)
        outcome = run_episode(handle, row.episode_state(), self._store.history(instance_id), live, now)
        new_execution = None
        if outcome.continued_as_new:
            execution_id = uuid.uuid4().hex
            start = h.execution_started(now, row.name, outcome.continue_as_new_input, instance_id, execution_id)
            new_execution = (execution_id, start)
        children = []
        for child in outcome.children:
            child_row = self._new_row(
                child.instance_id, child.name, child.input_json, now, row, child.task_id, child.meta
            )
            parent_ref = {
                "Name": row.name,
                "OrchestrationInstance": {"InstanceId": instance_id, "ExecutionId": row.execution_id},
                "TaskScheduleId": child.task_id,
            }
            children.append(
                (
                    child_row,
                    h.execution_started(
                        now, child.name, child.input_json, child.instance_id, child_row.execution_id, parent_ref
                    ),
                )
            )
        parent_event = None
        if row.parent_task_id is not None and outcome.status is RuntimeStatus.COMPLETED:
            parent_event = (
                h.sub_orchestration_completed(now, row.parent_task_id, outcome.output_json),
                row.parent_meta,
            )
        elif row.parent_task_id is not None and outcome.status is RuntimeStatus.FAILED:
            reason = f"Orchestrator function '{row.name}' failed: {outcome.failure}"
            parent_event = (
                h.sub_orchestration_failed(now, row.parent_task_id, reason, outcome.failure or ""),
                row.parent_meta,
            )
        committed = self._store.commit_episode(
            row, [d.id for _, d in inbox], outcome, h.fmt_time(now), new_execution, children, parent_event
        )
        self._changed_now()
        if committed is None:
            return
        work_ids, wake = committed
        for work_id in work_ids:
            self._submit_work(work_id)
        if outcome.timers:
            self._wake.set()
        for other in wake:
            self._poke(other)

    def _submit_work(self, work_id: int) -> None:
        if self._activities is None or not self._running:
            return
        with contextlib.suppress(RuntimeError):  # shutting down: the work row stays for the next start
            self._activities.submit(self._run_activity, work_id)

    def _run_activity(self, work_id: int) -> None:
        if self._stopping.is_set():
            return
        found = self._store.work(work_id)
        if not found:
            return
        work: WorkRow = found[0]
        activity = self._functions.activities.get(work.name)
        if activity is None:
            known = ", ".join(sorted(self._functions.activities)) or "none"
            reason = f"no activity named '{work.name}' in the app (activities: {known})"
            event = h.task_failed(self._clock.now(), work.task_id, reason, "")
        else:
            try:
                # the worker's own converters: JSON in as the activity's argument, result out as JSON
                value = ActivityTriggerConverter.decode(meta.Datum(work.input, "json"), trigger_metadata=None)
                result = activity.invoke(value)
                encoded = ActivityTriggerConverter.encode(result, expected_type=None)
                event = h.task_completed(self._clock.now(), work.task_id, encoded.value)
            except Exception as exc:
                event = h.task_failed(
                    self._clock.now(), work.task_id, str(exc) or type(exc).__name__, _failure_details(exc)
                )
        if self._stopping.is_set():
            return  # abandoned: the work row stays and the activity runs again on the next start
        if self._store.complete_work(work, event):
            self._poke(work.instance_id)

    def _dispatch_timers(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            for instance_id in self._store.fire_due_timers(h.fmt_time(self._clock.now())):
                self._poke(instance_id)
            upcoming = self._store.next_timer()
            self._clock.wait_until(h.parse_time(upcoming) if upcoming else None, self._wake)
