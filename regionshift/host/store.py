"""SQLite storage of the host: instances, their history, inboxes, timers and pending activities.

One database file holds everything, so a host that was killed resumes from it: history rows
are what replay reads; `inbox` rows are events delivered but not yet replayed; `timers` rows
become inbox rows when due; `work` rows are activities scheduled and not yet finished (they
run again after a restart). Every episode is committed in one transaction. WAL mode; one
connection shared by the host's threads behind a lock.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from regionshift.host.engine import Delivery, Outcome
from regionshift.host.rows import SCHEMA, InstanceQuery, InstanceRow, WorkRow, dumps, instance_from, loads
from regionshift.host.status import RuntimeStatus, StateStoreError


def _explain(path: Path, exc: BaseException) -> StateStoreError:
    """One line that says what is wrong with the state store and what to do about it."""
    text = str(exc).strip() or type(exc).__name__
    lowered = text.lower()
    if "full" in lowered or "no space" in lowered or "disk i/o" in lowered:
        advice = "the disk could not be written (full?): free some space, then run the same command again to resume"
    elif "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
        advice = "it is corrupt: move it aside to start afresh (the runs it held cannot be resumed)"
    elif "readonly" in lowered or "permission" in lowered or "unable to open" in lowered:
        advice = "check that the folder exists and this user may write to it (REGIONSHIFT_STATE_DIR)"
    else:
        advice = "see the message; the runs it holds resume once it can be written again"
    return StateStoreError(f"state store {path}: {text}; {advice}")


class Store:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None, timeout=30)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(SCHEMA)
            self._db.execute("SELECT COUNT(*) FROM instances").fetchall()
        except (sqlite3.Error, OSError) as exc:
            raise _explain(self.path, exc) from None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; a SQLite failure (full, corrupt, read-only) becomes StateStoreError."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise _explain(self.path, exc) from None
            try:
                yield self._db
            except sqlite3.Error as exc:
                self._rollback()
                raise _explain(self.path, exc) from None
            except BaseException:
                self._rollback()
                raise
            try:
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                self._rollback()
                raise _explain(self.path, exc) from None

    def _rollback(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.execute("ROLLBACK")

    def _query(self, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            try:
                return self._db.execute(sql, args).fetchall()
            except sqlite3.Error as exc:
                raise _explain(self.path, exc) from None

    # -- reads -------------------------------------------------------------------------------

    def instance(self, instance_id: str) -> InstanceRow | None:
        rows = self._query("SELECT * FROM instances WHERE instance_id = ?", (instance_id,))
        return instance_from(rows[0]) if rows else None

    def status_stamp(self, instance_id: str) -> tuple[str, str, str | None] | None:
        """What changes when an instance's status does (runtime status, last update, custom status),
        without its input and output: a waiter reads this on every change in the host, and a plan's
        input can be hundreds of kilobytes."""
        rows = self._query(
            "SELECT status, updated_at, custom_status FROM instances WHERE instance_id = ?", (instance_id,)
        )
        return (rows[0][0], rows[0][1], rows[0][2]) if rows else None

    def instances_page(self, query: InstanceQuery, after: str | None, limit: int) -> list[InstanceRow]:
        """Up to `limit` instances matching `query` with ids after `after`, in id order.

        Id order is Azure Storage's: DTFx.AzureStorage keeps one Instances-table row per
        instance with PartitionKey = instance id, and Table storage returns query results
        "sorted by PartitionKey, then by RowKey" (Learn, "Understanding the Table service data
        model"). Nobody may rely on a listing being newest first."""
        where: list[str] = ["instance_id > ?"]
        args: list[Any] = [after or ""]
        if query.prefix:
            where.append("substr(instance_id, 1, ?) = ?")
            args += [len(query.prefix), query.prefix]
        if query.statuses:
            where.append(f"status IN ({','.join('?' * len(query.statuses))})")
            args += [s.value for s in query.statuses]
        if query.created_from:
            where.append("created_at >= ?")
            args.append(query.created_from)
        if query.created_to:
            where.append("created_at <= ?")
            args.append(query.created_to)
        if query.name:
            where.append("name = ?")
            args.append(query.name)
        sql = f"SELECT * FROM instances WHERE {' AND '.join(where)} ORDER BY instance_id LIMIT ?"
        return [instance_from(r) for r in self._query(sql, (*args, limit))]

    def children(self, instance_id: str) -> list[InstanceRow]:
        rows = self._query("SELECT * FROM instances WHERE parent_instance_id = ? ORDER BY instance_id", (instance_id,))
        return [instance_from(r) for r in rows]

    def history(self, instance_id: str) -> list[dict[str, Any]]:
        rows = self._query("SELECT event FROM history WHERE instance_id = ? ORDER BY position", (instance_id,))
        return [json.loads(r["event"]) for r in rows]

    def inbox(self, instance_id: str) -> list[tuple[str, Delivery]]:
        rows = self._query("SELECT * FROM inbox WHERE instance_id = ? ORDER BY id", (instance_id,))
        return [(r["execution_id"], Delivery(r["id"], json.loads(r["event"]), loads(r["meta"]))) for r in rows]

    def episode_input(self, instance_id: str) -> tuple[InstanceRow | None, list[tuple[str, Delivery]]]:
        """The instance and its inbox read together, as one snapshot.

        Read apart, a start_new that replaces a just-finished instance between the two reads
        paired the old (finished) row with the new execution's ExecutionStarted, and the episode
        threw that start away as stale: the new instance stayed Pending for good."""
        with self._lock:
            return self.instance(instance_id), self.inbox(instance_id)

    def instances_with_inbox(self) -> list[str]:
        return [r[0] for r in self._query("SELECT DISTINCT instance_id FROM inbox")]

    def work(self, work_id: int | None = None) -> list[WorkRow]:
        if work_id is None:
            rows = self._query("SELECT * FROM work ORDER BY id")
        else:
            rows = self._query("SELECT * FROM work WHERE id = ?", (work_id,))
        return [
            WorkRow(r["id"], r["instance_id"], r["execution_id"], r["task_id"], r["name"], r["input"], loads(r["meta"]))
            for r in rows
        ]

    def timers(self, limit: int = 1000) -> list[tuple[int, str, str]]:
        """(timer id, instance id, fire_at) of the earliest pending timers."""
        rows = self._query("SELECT id, instance_id, fire_at FROM timers ORDER BY fire_at, id LIMIT ?", (limit,))
        return [(r["id"], r["instance_id"], r["fire_at"]) for r in rows]

    # -- writes ------------------------------------------------------------------------------

    def _clear(self, db: sqlite3.Connection, instance_id: str, *, history: bool = True) -> None:
        tables = ("history", "inbox", "timers", "work") if history else ("inbox", "timers", "work")
        for table in tables:
            db.execute(f"DELETE FROM {table} WHERE instance_id = ?", (instance_id,))

    def _insert_instance(self, db: sqlite3.Connection, row: InstanceRow, start: dict[str, Any]) -> None:
        self._clear(db, row.instance_id)
        db.execute("DELETE FROM instances WHERE instance_id = ?", (row.instance_id,))
        db.execute(
            "INSERT INTO instances VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                row.instance_id,
                row.name,
                row.execution_id,
                row.status.value,
                row.input,
                None,
                None,
                None,
                row.created_at,
                row.updated_at,
                row.parent_instance_id,
                row.parent_execution_id,
                row.parent_task_id,
                dumps(row.parent_meta),
                0,
                "[]",
            ),
        )
        db.execute(
            "INSERT INTO inbox(instance_id, execution_id, event) VALUES (?,?,?)",
            (row.instance_id, row.execution_id, json.dumps(start)),
        )

    def create(self, row: InstanceRow, start: dict[str, Any], *, replace_running: bool) -> InstanceRow | None:
        """Create an instance, or overwrite one that has finished (or any, with `replace_running`),
        in one transaction; returns the unfinished instance that blocks it."""
        with self.transaction() as db:
            found = db.execute("SELECT * FROM instances WHERE instance_id = ?", (row.instance_id,)).fetchall()
            if found and not replace_running and not RuntimeStatus(found[0]["status"]).is_terminal:
                return instance_from(found[0])
            self._insert_instance(db, row, start)
        return None

    def deliver(
        self, instance_id: str, execution_id: str | None, event: dict[str, Any], meta: dict[str, Any] | None = None
    ) -> bool:
        """Queue an event for an instance (its current execution when `execution_id` is None)."""
        with self.transaction() as db:
            return self._deliver(db, instance_id, execution_id, event, meta)

    def _deliver(
        self,
        db: sqlite3.Connection,
        instance_id: str,
        execution_id: str | None,
        event: dict[str, Any],
        meta: dict[str, Any] | None,
    ) -> bool:
        found = db.execute(
            "SELECT execution_id, status FROM instances WHERE instance_id = ?", (instance_id,)
        ).fetchall()
        if not found or RuntimeStatus(found[0]["status"]).is_terminal:
            return False
        if execution_id is not None and found[0]["execution_id"] != execution_id:
            return False
        db.execute(
            "INSERT INTO inbox(instance_id, execution_id, event, meta) VALUES (?,?,?,?)",
            (instance_id, found[0]["execution_id"], json.dumps(event), dumps(meta)),
        )
        return True

    def discard(self, delivery_ids: list[int]) -> None:
        with self.transaction() as db:
            db.executemany("DELETE FROM inbox WHERE id = ?", [(i,) for i in delivery_ids])

    def complete_work(self, work: WorkRow, event: dict[str, Any]) -> bool:
        """Record an activity's result, once: the work row goes, the event enters the inbox."""
        with self.transaction() as db:
            gone = db.execute("DELETE FROM work WHERE id = ?", (work.id,)).rowcount == 0
            if gone:
                return False
            return self._deliver(db, work.instance_id, work.execution_id, event, work.meta)

    def fire_timers(self, timer_ids: list[int]) -> list[str]:
        """Move these timers into their instances' inboxes; the instances to wake."""
        with self.transaction() as db:
            due = [
                r
                for timer_id in timer_ids
                for r in db.execute("SELECT * FROM timers WHERE id = ?", (timer_id,)).fetchall()
            ]
            for r in due:
                db.execute("DELETE FROM timers WHERE id = ?", (r["id"],))
                db.execute(
                    "INSERT INTO inbox(instance_id, execution_id, event, meta) VALUES (?,?,?,?)",
                    (r["instance_id"], r["execution_id"], r["event"], r["meta"]),
                )
        return sorted({r["instance_id"] for r in due})

    def commit_episode(
        self,
        row: InstanceRow,
        delivered: list[int],
        outcome: Outcome,
        now: str,
        new_execution: tuple[str, dict[str, Any]] | None,
        child_rows: list[tuple[InstanceRow, dict[str, Any]]],
        parent_event: tuple[dict[str, Any], dict[str, Any] | None] | None,
    ) -> tuple[list[int], list[str]] | None:
        """Commit one episode. Returns (work ids to run, instances to wake), or None when the
        instance changed under the episode (terminated or restarted), in which case nothing is kept."""
        with self.transaction() as db:
            if not self._still_running(db, row):
                return None
            db.executemany("DELETE FROM inbox WHERE id = ?", [(i,) for i in delivered])
            wake: list[str] = []
            work_ids: list[int] = []
            if new_execution is not None:  # continue-as-new: a fresh history, same instance
                execution_id, start = new_execution
                self._clear(db, row.instance_id)
                db.execute(
                    "UPDATE instances SET execution_id=?, input=?, custom_status=?, updated_at=?, "
                    "next_seq=0, action_ids='[]' WHERE instance_id=?",
                    (execution_id, outcome.continue_as_new_input, outcome.custom_status_json, now, row.instance_id),
                )
                db.execute(
                    "INSERT INTO inbox(instance_id, execution_id, event) VALUES (?,?,?)",
                    (row.instance_id, execution_id, json.dumps(start)),
                )
                return [], [row.instance_id]
            self._append(db, row.instance_id, outcome.appended)
            db.execute(
                "UPDATE instances SET status=?, output=?, custom_status=?, failure=?, updated_at=?, "
                "next_seq=?, action_ids=? WHERE instance_id=?",
                (
                    outcome.status.value,
                    outcome.output_json,
                    outcome.custom_status_json,
                    outcome.failure,
                    now,
                    outcome.next_seq,
                    json.dumps(outcome.action_ids),
                    row.instance_id,
                ),
            )
            if outcome.status.is_terminal:
                self._clear(db, row.instance_id, history=False)
            for w in outcome.work:
                cur = db.execute(
                    "INSERT INTO work(instance_id, execution_id, task_id, name, input, meta) VALUES (?,?,?,?,?,?)",
                    (row.instance_id, row.execution_id, w.task_id, w.name, w.input_json, dumps(w.meta)),
                )
                work_ids.append(int(cur.lastrowid or 0))
            db.executemany(
                "INSERT INTO timers(instance_id, execution_id, task_id, fire_at, event, meta) VALUES (?,?,?,?,?,?)",
                [
                    (
                        row.instance_id,
                        row.execution_id,
                        t.event["TimerId"],
                        t.fire_at,
                        json.dumps(t.event),
                        dumps(t.meta),
                    )
                    for t in outcome.timers
                ],
            )
            db.executemany(
                "DELETE FROM timers WHERE instance_id = ? AND execution_id = ? AND task_id = ?",
                [(row.instance_id, row.execution_id, t) for t in outcome.cancelled_timers],
            )
            for child, child_start in child_rows:
                # A child id that is still running is not refused: DTFx.AzureStorage loads the
                # history of the start message's new ExecutionId (GetHistoryEventsAsync with
                # expectedExecutionId, AzureTableTrackingStore.cs), finds none, and runs the new
                # execution over the old one ("De-dupe protection for sub-orchestrations is not
                # implemented", OrchestrationSessionManager.cs). The old execution's results are
                # dropped and the parent that started it is never told.
                self._insert_instance(db, child, child_start)
                wake.append(child.instance_id)
            if parent_event is not None and row.parent_instance_id:
                event, meta = parent_event
                if self._deliver(db, row.parent_instance_id, row.parent_execution_id, event, meta):
                    wake.append(row.parent_instance_id)
            return work_ids, wake

    def _still_running(self, db: sqlite3.Connection, row: InstanceRow) -> bool:
        """The instance is still on the execution an episode read, and has not finished."""
        found = db.execute("SELECT execution_id, status FROM instances WHERE instance_id = ?", (row.instance_id,))
        current = found.fetchone()
        return (
            current is not None
            and current["execution_id"] == row.execution_id
            and not RuntimeStatus(current["status"]).is_terminal
        )

    def _append(self, db: sqlite3.Connection, instance_id: str, events: list[dict[str, Any]]) -> None:
        start = db.execute(
            "SELECT COALESCE(MAX(position), -1) + 1 FROM history WHERE instance_id = ?", (instance_id,)
        ).fetchone()[0]
        db.executemany(
            "INSERT INTO history VALUES (?,?,?)",
            [(instance_id, start + i, json.dumps(e)) for i, e in enumerate(events)],
        )

    def commit_suspension(self, row: InstanceRow, delivered: list[int], events: list[dict[str, Any]], now: str) -> bool:
        """Record a suspension episode (its events; status Suspended). False when the instance
        changed under it (finished, terminated or restarted), in which case nothing is kept."""
        with self.transaction() as db:
            if not self._still_running(db, row):
                return False
            db.executemany("DELETE FROM inbox WHERE id = ?", [(i,) for i in delivered])
            self._append(db, row.instance_id, events)
            db.execute(
                "UPDATE instances SET status=?, updated_at=? WHERE instance_id=?",
                (RuntimeStatus.SUSPENDED.value, now, row.instance_id),
            )
            return True

    def terminate(
        self, instance_id: str, reason: str, now: str, event: dict[str, Any], parent_event: dict[str, Any] | None
    ) -> InstanceRow | None:
        """Mark a running instance Terminated; returns its row (before), or None if it was finished."""
        with self.transaction() as db:
            found = db.execute("SELECT * FROM instances WHERE instance_id = ?", (instance_id,)).fetchall()
            if not found or RuntimeStatus(found[0]["status"]).is_terminal:
                return None
            row = instance_from(found[0])
            self._clear(db, instance_id, history=False)
            self._append(db, instance_id, [event])
            db.execute(
                "UPDATE instances SET status=?, output=?, updated_at=? WHERE instance_id=?",
                (RuntimeStatus.TERMINATED.value, json.dumps(reason), now, instance_id),
            )
            if parent_event is not None and row.parent_instance_id:
                self._deliver(db, row.parent_instance_id, row.parent_execution_id, parent_event, row.parent_meta)
            return row

    def purge(self, instance_id: str) -> bool | None:
        """Delete a finished instance and its history: True, False if unknown, None if unfinished."""
        with self.transaction() as db:
            found = db.execute("SELECT status FROM instances WHERE instance_id = ?", (instance_id,)).fetchall()
            if not found:
                return False
            if not RuntimeStatus(found[0]["status"]).is_terminal:
                return None
            self._clear(db, instance_id)
            db.execute("DELETE FROM instances WHERE instance_id = ?", (instance_id,))
            return True

    def close(self) -> None:
        with self._lock:
            self._db.close()
