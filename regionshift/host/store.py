"""SQLite storage of the host: instances, their history, inboxes, timers and pending activities.

One database file holds everything, so a host that was killed resumes from it: history rows
are what replay reads; `inbox` rows are events delivered but not yet replayed; `timers` rows
become inbox rows when due; `work` rows are activities scheduled and not yet finished (they
run again after a restart). Every episode is committed in one transaction. WAL mode; one
connection shared by the host's threads behind a lock.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from regionshift.host.engine import Delivery, InstanceState, Outcome
from regionshift.host.status import RuntimeStatus

_SCHEMA = """
CREATE TABLE IF NOT EXISTS instances (
    instance_id TEXT PRIMARY KEY, name TEXT NOT NULL, execution_id TEXT NOT NULL,
    status TEXT NOT NULL, input TEXT, output TEXT, custom_status TEXT, failure TEXT,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    parent_instance_id TEXT, parent_execution_id TEXT, parent_task_id INTEGER, parent_meta TEXT,
    next_seq INTEGER NOT NULL DEFAULT 0, action_ids TEXT NOT NULL DEFAULT '[]');
CREATE INDEX IF NOT EXISTS instances_by_created ON instances(created_at);
CREATE TABLE IF NOT EXISTS history (
    instance_id TEXT NOT NULL, position INTEGER NOT NULL, event TEXT NOT NULL,
    PRIMARY KEY (instance_id, position));
CREATE TABLE IF NOT EXISTS inbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT, instance_id TEXT NOT NULL, execution_id TEXT NOT NULL,
    event TEXT NOT NULL, meta TEXT);
CREATE INDEX IF NOT EXISTS inbox_by_instance ON inbox(instance_id);
CREATE TABLE IF NOT EXISTS timers (
    id INTEGER PRIMARY KEY AUTOINCREMENT, instance_id TEXT NOT NULL, execution_id TEXT NOT NULL,
    task_id INTEGER NOT NULL, fire_at TEXT NOT NULL, event TEXT NOT NULL, meta TEXT);
CREATE INDEX IF NOT EXISTS timers_by_fire_at ON timers(fire_at);
CREATE TABLE IF NOT EXISTS work (
    id INTEGER PRIMARY KEY AUTOINCREMENT, instance_id TEXT NOT NULL, execution_id TEXT NOT NULL,
    task_id INTEGER NOT NULL, name TEXT NOT NULL, input TEXT, meta TEXT);
CREATE INDEX IF NOT EXISTS work_by_instance ON work(instance_id);
"""


@dataclass
class InstanceRow:
    instance_id: str
    name: str
    execution_id: str
    status: RuntimeStatus
    input: str | None
    output: str | None
    custom_status: str | None
    failure: str | None
    created_at: str
    updated_at: str
    parent_instance_id: str | None
    parent_execution_id: str | None
    parent_task_id: int | None
    parent_meta: dict[str, Any] | None
    next_seq: int
    action_ids: list[int | None]

    def episode_state(self) -> InstanceState:
        return InstanceState(
            self.instance_id,
            self.name,
            self.execution_id,
            self.input,
            self.parent_instance_id,
            self.next_seq,
            list(self.action_ids),
        )


@dataclass
class WorkRow:
    id: int
    instance_id: str
    execution_id: str
    task_id: int
    name: str
    input: str | None
    meta: dict[str, Any] | None


def _loads(text: str | None) -> Any:
    return json.loads(text) if text is not None else None


def _dumps(value: Any) -> str | None:
    return json.dumps(value) if value is not None else None


def _instance(row: sqlite3.Row) -> InstanceRow:
    return InstanceRow(
        row["instance_id"],
        row["name"],
        row["execution_id"],
        RuntimeStatus(row["status"]),
        row["input"],
        row["output"],
        row["custom_status"],
        row["failure"],
        row["created_at"],
        row["updated_at"],
        row["parent_instance_id"],
        row["parent_execution_id"],
        row["parent_task_id"],
        _loads(row["parent_meta"]),
        row["next_seq"],
        json.loads(row["action_ids"]),
    )


class Store:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None, timeout=30)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _query(self, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    # -- reads -------------------------------------------------------------------------------

    def instance(self, instance_id: str) -> InstanceRow | None:
        rows = self._query("SELECT * FROM instances WHERE instance_id = ?", (instance_id,))
        return _instance(rows[0]) if rows else None

    def instances(self, name: str | None, limit: int) -> list[InstanceRow]:
        if name is None:
            rows = self._query("SELECT * FROM instances ORDER BY created_at DESC LIMIT ?", (limit,))
        else:
            rows = self._query("SELECT * FROM instances WHERE name = ? ORDER BY created_at DESC LIMIT ?", (name, limit))
        return [_instance(r) for r in rows]

    def history(self, instance_id: str) -> list[dict[str, Any]]:
        rows = self._query("SELECT event FROM history WHERE instance_id = ? ORDER BY position", (instance_id,))
        return [json.loads(r["event"]) for r in rows]

    def inbox(self, instance_id: str) -> list[tuple[str, Delivery]]:
        rows = self._query("SELECT * FROM inbox WHERE instance_id = ? ORDER BY id", (instance_id,))
        return [(r["execution_id"], Delivery(r["id"], json.loads(r["event"]), _loads(r["meta"]))) for r in rows]

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
            WorkRow(
                r["id"], r["instance_id"], r["execution_id"], r["task_id"], r["name"], r["input"], _loads(r["meta"])
            )
            for r in rows
        ]

    def next_timer(self) -> str | None:
        rows = self._query("SELECT MIN(fire_at) FROM timers")
        return rows[0][0] if rows else None

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
                _dumps(row.parent_meta),
                0,
                "[]",
            ),
        )
        db.execute(
            "INSERT INTO inbox(instance_id, execution_id, event) VALUES (?,?,?)",
            (row.instance_id, row.execution_id, json.dumps(start)),
        )

    def create(self, row: InstanceRow, start: dict[str, Any]) -> InstanceRow | None:
        """Create (or overwrite a finished) instance; returns the unfinished one that blocks it."""
        with self.transaction() as db:
            found = db.execute("SELECT * FROM instances WHERE instance_id = ?", (row.instance_id,)).fetchall()
            if found and not RuntimeStatus(found[0]["status"]).is_terminal:
                return _instance(found[0])
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
            (instance_id, found[0]["execution_id"], json.dumps(event), _dumps(meta)),
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

    def fire_due_timers(self, now: str) -> list[str]:
        """Move timers due at `now` into their instances' inboxes; the instances to wake."""
        with self.transaction() as db:
            due = db.execute("SELECT * FROM timers WHERE fire_at <= ? ORDER BY fire_at, id", (now,)).fetchall()
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
            found = db.execute(
                "SELECT execution_id, status FROM instances WHERE instance_id = ?", (row.instance_id,)
            ).fetchall()
            if (
                not found
                or found[0]["execution_id"] != row.execution_id
                or RuntimeStatus(found[0]["status"]).is_terminal
            ):
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
            start = db.execute(
                "SELECT COALESCE(MAX(position), -1) + 1 FROM history WHERE instance_id = ?", (row.instance_id,)
            ).fetchone()[0]
            db.executemany(
                "INSERT INTO history VALUES (?,?,?)",
                [(row.instance_id, start + i, json.dumps(e)) for i, e in enumerate(outcome.appended)],
            )
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
                    (row.instance_id, row.execution_id, w.task_id, w.name, w.input_json, _dumps(w.meta)),
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
                        _dumps(t.meta),
                    )
                    for t in outcome.timers
                ],
            )
            db.executemany(
                "DELETE FROM timers WHERE instance_id = ? AND execution_id = ? AND task_id = ?",
                [(row.instance_id, row.execution_id, t) for t in outcome.cancelled_timers],
            )
            for child, child_start in child_rows:
                existing = db.execute(
                    "SELECT status FROM instances WHERE instance_id = ?", (child.instance_id,)
                ).fetchall()
                if existing and not RuntimeStatus(existing[0]["status"]).is_terminal:
                    # Durable refuses to start a sub-orchestration over a running instance
                    failed = {
                        "EventType": 9,
                        "EventId": -1,
                        "IsPlayed": False,
                        "Timestamp": now,
                        "TaskScheduledId": child.parent_task_id,
                        "Reason": f"an instance with id '{child.instance_id}' is already running",
                        "Details": "",
                    }
                    self._deliver(db, row.instance_id, row.execution_id, failed, child.parent_meta)
                    wake.append(row.instance_id)
                    continue
                self._insert_instance(db, child, child_start)
                wake.append(child.instance_id)
            if parent_event is not None and row.parent_instance_id:
                event, meta = parent_event
                if self._deliver(db, row.parent_instance_id, row.parent_execution_id, event, meta):
                    wake.append(row.parent_instance_id)
            return work_ids, wake

    def terminate(
        self, instance_id: str, reason: str, now: str, event: dict[str, Any], parent_event: dict[str, Any] | None
    ) -> InstanceRow | None:
        """Mark a running instance Terminated; returns its row (before), or None if it was finished."""
        with self.transaction() as db:
            found = db.execute("SELECT * FROM instances WHERE instance_id = ?", (instance_id,)).fetchall()
            if not found or RuntimeStatus(found[0]["status"]).is_terminal:
                return None
            row = _instance(found[0])
            self._clear(db, instance_id, history=False)
            start = db.execute(
                "SELECT COALESCE(MAX(position), -1) + 1 FROM history WHERE instance_id = ?", (instance_id,)
            ).fetchone()[0]
            db.execute("INSERT INTO history VALUES (?,?,?)", (instance_id, start, json.dumps(event)))
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
