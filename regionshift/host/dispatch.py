"""The host's engine room: episodes, activities and timers of the instances the host owns.

A timer thread fires due timers and times out activities; a small pool runs orchestration
episodes (one at a time per instance, many instances at once); `ActivityRunner` runs activities.
Everything durable goes through `Store`, so a host started on the same database after a crash
carries on where the last one stopped. The dispatcher touches only instances `owns` accepts: an
instance that belongs to another run stays exactly as it was left.
"""

from __future__ import annotations

import threading
import traceback
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from regionshift.host import history as h
from regionshift.host.activities import ActivityRunner
from regionshift.host.clock import Clock
from regionshift.host.engine import Outcome, run_episode
from regionshift.host.functions import FunctionIndex
from regionshift.host.rows import InstanceRow
from regionshift.host.status import RuntimeStatus, StateStoreError
from regionshift.host.store import Store
from regionshift.host.suspension import plan_episode

_TIMER_BATCH = 1000
_MORE = object()


def new_row(
    instance_id: str,
    name: str,
    input_json: str | None,
    now: datetime,
    parent: InstanceRow | None = None,
    task_id: int | None = None,
    parent_meta: dict[str, Any] | None = None,
) -> InstanceRow:
    """A Pending instance row with a fresh execution id."""
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


class Dispatcher:
    def __init__(
        self,
        functions: FunctionIndex,
        store: Store,
        clock: Clock,
        max_workers: int,
        function_timeout: timedelta | None,
        owns: Callable[[str], bool],
        changed: Callable[[], None],
        failed: Callable[[BaseException], None],
    ) -> None:
        self._functions = functions
        self._store = store
        self._clock = clock
        self._owns = owns
        self._changed = changed
        self._failed = failed
        self._lock = threading.Lock()
        self._active: set[str] = set()
        self._dirty: set[str] = set()
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._episodes = ThreadPoolExecutor(max(2, min(4, max_workers)), thread_name_prefix="df-episode")
        self._activities = ActivityRunner(
            functions, store, clock, max_workers, function_timeout, self.poke, self._fail, self._wake.set
        )
        self._timers = threading.Thread(target=self._dispatch_timers, name="df-timers", daemon=True)

    def start(self) -> None:
        self._timers.start()
        self.resume_owned()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        self._timers.join()
        self._activities.stop()
        self._episodes.shutdown(wait=True, cancel_futures=True)

    def resume_owned(self) -> None:
        """Pick up everything owned that is waiting: unfinished activities, inboxes, timers."""
        for work in self._store.work():
            if self._owns(work.instance_id):
                self._activities.submit(work.id)
        for instance_id in self._store.instances_with_inbox():
            self.poke(instance_id)
        self._wake.set()

    def activities_in_flight(self) -> int:
        return self._activities.in_flight()

    def poke(self, instance_id: str) -> None:
        """Run an episode for the instance soon (if owned); at most one runs per instance at a time."""
        if self._stopping.is_set() or not self._owns(instance_id):
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

    def _fail(self, exc: BaseException) -> None:
        """The store failed under a background thread: stop everything and let the waiter know."""
        self._stopping.set()
        self._wake.set()
        self._failed(exc)

    def _episode_loop(self, instance_id: str) -> None:
        while True:
            try:
                if not self._stopping.is_set():
                    self._episode(instance_id)
            except StateStoreError as exc:
                self._fail(exc)
            except Exception:  # a host bug must not kill the pool thread silently
                traceback.print_exc()
            with self._lock:
                if instance_id in self._dirty and not self._stopping.is_set():
                    self._dirty.discard(instance_id)
                    continue
                self._active.discard(instance_id)
                self._dirty.discard(instance_id)
                return

    def _again(self, instance_id: str) -> None:
        with self._lock:
            self._dirty.add(instance_id)

    def _episode(self, instance_id: str) -> None:
        row, inbox = self._store.episode_input(instance_id)
        if row is None or not inbox:
            return
        live = [d for execution, d in inbox if execution == row.execution_id]
        if row.status.is_terminal or not live:
            self._store.discard([d.id for _, d in inbox])
            return
        stale = [d.id for execution, d in inbox if execution != row.execution_id]
        plan = plan_episode(live, suspended=row.status is RuntimeStatus.SUSPENDED)
        now = self._clock.now()
        if plan.suspend is not None:
            events = [
                h.orchestrator_started(now),
                plan.suspend.event,
                h.orchestrator_completed(now),
            ]
            self._store.commit_suspension(row, [plan.suspend.id, *stale], events, h.fmt_time(now))
            self._changed()
        if plan.more:
            self._again(instance_id)
        if not plan.replay:
            return
        handle = self._functions.orchestrators.get(row.name)
        outcome = run_episode(handle, row.episode_state(), self._store.history(instance_id), plan.replay, now)
        self._commit(row, [d.id for d in plan.replay] + stale, outcome, now)

    def _commit(self, row: InstanceRow, delivered: list[int], outcome: Outcome, now: datetime) -> None:
        new_execution = None
        if outcome.continued_as_new:
            execution_id = uuid.uuid4().hex
            start = h.execution_started(now, row.name, outcome.continue_as_new_input, row.instance_id, execution_id)
            new_execution = (execution_id, start)
        children = []
        for child in outcome.children:
            child_row = new_row(child.instance_id, child.name, child.input_json, now, row, child.task_id, child.meta)
            parent_ref = {
                "Name": row.name,
                "OrchestrationInstance": {"InstanceId": row.instance_id, "ExecutionId": row.execution_id},
                "TaskScheduleId": child.task_id,
            }
            start = h.execution_started(
                now, child.name, child.input_json, child.instance_id, child_row.execution_id, parent_ref
            )
            children.append((child_row, start))
        parent_event = None
        if row.parent_task_id is not None and outcome.status is RuntimeStatus.COMPLETED:
            parent_event = (
                h.sub_orchestration_completed(now, row.parent_task_id, outcome.output_json),
                row.parent_meta,
            )
        elif row.parent_task_id is not None and outcome.status is RuntimeStatus.FAILED:
            # the parent sees the reason the extension gives the child's failure
            prefix = f"Orchestrator function '{row.name}' failed: "
            failure = outcome.failure or ""
            reason = failure if failure.startswith(prefix) else prefix + failure
            parent_event = (
                h.sub_orchestration_failed(now, row.parent_task_id, reason, outcome.failure or ""),
                row.parent_meta,
            )
        committed = self._store.commit_episode(
            row, delivered, outcome, h.fmt_time(now), new_execution, children, parent_event
        )
        self._changed()
        if committed is None:
            return
        work_ids, wake = committed
        for work_id in work_ids:
            self._activities.submit(work_id)
        if outcome.timers:
            self._wake.set()
        for other in wake:
            self.poke(other)

    def _dispatch_timers(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                now = self._clock.now()
                self._activities.expire(now)
                due, upcoming = self._owned_timers(h.fmt_time(now))
                for instance_id in self._store.fire_timers(due):
                    self.poke(instance_id)
            except StateStoreError as exc:
                self._fail(exc)
                return
            if upcoming is _MORE:
                self._wake.wait(0.05)  # a full batch: there may be more due, or owned ones past it
                continue
            deadlines = [d for d in (upcoming, self._activities.next_deadline()) if isinstance(d, datetime)]
            self._clock.wait_until(min(deadlines) if deadlines else None, self._wake)

    def _owned_timers(self, now: str) -> tuple[list[int], datetime | object | None]:
        """Ids of owned timers due at `now`, and when the next owned one is due (`_MORE` when the
        batch read ended before that was known)."""
        due: list[int] = []
        batch = self._store.timers(_TIMER_BATCH)
        for timer_id, instance_id, fire_at in batch:
            if not self._owns(instance_id):
                continue
            if fire_at > now:
                return due, h.parse_time(fire_at)
            due.append(timer_id)
        return due, _MORE if len(batch) == _TIMER_BATCH else None
