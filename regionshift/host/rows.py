"""The host's SQLite schema and the rows read from it (an instance, a pending activity).

Instances are keyed by id, as Azure Storage's Instances table is keyed by PartitionKey = id; a
listing walks them in that order (see `Store.instances_page`).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from regionshift.host.engine import InstanceState
from regionshift.host.status import RuntimeStatus

SCHEMA = """
CREATE TABLE IF NOT EXISTS instances (
    instance_id TEXT PRIMARY KEY, name TEXT NOT NULL, execution_id TEXT NOT NULL,
    status TEXT NOT NULL, input TEXT, output TEXT, custom_status TEXT, failure TEXT,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    parent_instance_id TEXT, parent_execution_id TEXT, parent_task_id INTEGER, parent_meta TEXT,
    next_seq INTEGER NOT NULL DEFAULT 0, action_ids TEXT NOT NULL DEFAULT '[]');
CREATE INDEX IF NOT EXISTS instances_by_created ON instances(created_at);
CREATE INDEX IF NOT EXISTS instances_by_parent ON instances(parent_instance_id);
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


def loads(text: str | None) -> Any:
    return json.loads(text) if text is not None else None


def dumps(value: Any) -> str | None:
    return json.dumps(value) if value is not None else None


def instance_from(row: sqlite3.Row) -> InstanceRow:
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
        loads(row["parent_meta"]),
        row["next_seq"],
        json.loads(row["action_ids"]),
    )


@dataclass(frozen=True)
class InstanceQuery:
    """The list-instances filters of the extension's HTTP API (`instanceIdPrefix`,
    `runtimeStatus`, `createdTimeFrom`/`To`) and the orchestrator name; times are the store's
    text form (`history.fmt_time`), which sorts as time does."""

    prefix: str = ""
    statuses: tuple[RuntimeStatus, ...] = ()
    created_from: str | None = None
    created_to: str | None = None
    name: str | None = None
