"""Running activities: a thread pool, each call bounded by the function timeout.

An activity's result reaches its instance once: `Store.complete_work` deletes the work row as it
records the result, so whichever comes first, the result or the timeout's TaskFailed, wins and
the other is dropped. A timed-out activity keeps its thread until it returns (a thread cannot be
killed); its late result is then ignored, as Azure ignores the result of a function whose
invocation already failed.

Azure does more on a timeout than fail the task: the Functions host restarts the language worker,
so other activities running on it are cut short and run again (FunctionExecutor.cs: the timeout
"will bubble up and eventually bring down the host"). The host does not emulate that restart.
"""

from __future__ import annotations

import contextlib
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

from azure.functions import meta
from azure.functions.durable_functions import ActivityTriggerConverter

from regionshift.host import history as h
from regionshift.host.clock import Clock
from regionshift.host.functions import FunctionIndex
from regionshift.host.limits import activity_timeout_reason
from regionshift.host.rows import WorkRow
from regionshift.host.status import StateStoreError
from regionshift.host.store import Store


def _failure_details(exc: BaseException) -> str:
    """Type and the last frames of the traceback: enough to find the line, short enough for history."""
    here = str(Path(__file__).parent)
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not f.filename.startswith(here)]
    return f"{type(exc).__name__}: {exc}\n" + "".join(traceback.format_list(frames[-3:]))


class ActivityRunner:
    """Runs work rows on a pool; `on_result(instance_id)` is called after a result is recorded,
    `on_error(exc)` when the store fails under it."""

    def __init__(
        self,
        functions: FunctionIndex,
        store: Store,
        clock: Clock,
        max_workers: int,
        timeout: timedelta | None,
        on_result: Callable[[str], None],
        on_error: Callable[[BaseException], None],
        wake: Callable[[], None],
    ) -> None:
        self._functions = functions
        self._store = store
        self._clock = clock
        self._timeout = timeout
        self._on_result = on_result
        self._on_error = on_error
        self._wake = wake  # tells the timer thread a new deadline exists
        self._pool = ThreadPoolExecutor(max_workers, thread_name_prefix="df-activity")
        self._lock = threading.Lock()
        self._queued: set[int] = set()  # submitted and not yet finished (never submitted twice)
        self._deadlines: dict[int, tuple[WorkRow, datetime]] = {}
        self._stopping = threading.Event()

    def submit(self, work_id: int) -> bool:
        """Queue a work row unless it is already queued or running; False when it was."""
        with self._lock:
            if work_id in self._queued or self._stopping.is_set():
                return False
            self._queued.add(work_id)
        with contextlib.suppress(RuntimeError):  # shutting down: the work row stays for the next start
            self._pool.submit(self._run, work_id)
        return True

    def in_flight(self) -> int:
        with self._lock:
            return len(self._queued)

    def next_deadline(self) -> datetime | None:
        with self._lock:
            return min((deadline for _, deadline in self._deadlines.values()), default=None)

    def expire(self, now: datetime) -> None:
        """Fail every running activity whose deadline has passed (the timer thread calls this)."""
        if self._timeout is None:
            return
        with self._lock:
            due = [work for work, deadline in self._deadlines.values() if deadline <= now]
            for work in due:
                del self._deadlines[work.id]
        for work in due:
            reason = activity_timeout_reason(work.name, self._timeout)
            self._record(work, h.task_failed(now, work.task_id, reason, f"FunctionTimeoutException: {reason}"))

    def stop(self) -> None:
        """Abandon what runs: work rows stay, and run again on the next start."""
        self._stopping.set()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _run(self, work_id: int) -> None:
        try:
            if not self._stopping.is_set():
                self._run_one(work_id)
        except StateStoreError as exc:  # the store failed: the host stops and says why
            self._on_error(exc)
        except Exception:  # a host bug must not die silently on a pool thread
            traceback.print_exc()
        finally:
            with self._lock:
                self._queued.discard(work_id)
                self._deadlines.pop(work_id, None)

    def _run_one(self, work_id: int) -> None:
        found = self._store.work(work_id)
        if not found:
            return
        work = found[0]
        if self._timeout is not None:
            with self._lock:
                self._deadlines[work.id] = (work, self._clock.now() + self._timeout)
            self._wake()
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
        self._record(work, event)

    def _record(self, work: WorkRow, event: dict[str, object]) -> None:
        if self._store.complete_work(work, event):
            self._on_result(work.instance_id)
