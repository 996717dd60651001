"""Live progress of a run: one row per branch (a resource), read from the Durable instances.

The run's custom status holds only its phase (the extension caps custom status at 16 KB). Each
branch is a sub-orchestration that publishes its own state ("probing", "waiting", ...) and ends
with a step outcome; the rows come from walking the run's history to those sub-orchestrations
(through fan-out batches), plus the steps that are single activities (the failover resource group,
DNS records, readiness checks). A branch that has ended is read once and remembered.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Protocol

from rich.table import Table
from rich.text import Text

from regionshift.names import Activities, Orchestrators

SCHEDULED, COMPLETED, FAILED = 4, 5, 6
SUB_CREATED, SUB_COMPLETED, SUB_FAILED = 7, 8, 9
STYLES = {"running": "yellow", "succeeded": "green", "already_done": "cyan", "failed": "bold red", "skipped": "dim"}
# Sub-orchestrations that are one resource each, and the containers walked through to find them.
BRANCHES = {
    Orchestrators.SQL_BRANCH: "SQL failover group",
    Orchestrators.COSMOS_BRANCH: "Cosmos DB account",
    Orchestrators.SCALE_SET_BRANCH: "scale set",
    Orchestrators.DELETE_GROUP: "delete resource group",
}
CONTAINERS = {Orchestrators.FAN_OUT, Orchestrators.PROVISION_COMPUTE, Orchestrators.READINESS}
STEP_ACTIVITIES = {
    Activities.ENSURE_RESOURCE_GROUP: "resource group",
    Activities.SWITCH_DNS_RECORD: "DNS record",
    Activities.CHECK_READINESS: "readiness check",
    Activities.CHECK_FAILBACK_READY: "failback check",
    Activities.PROBE_HEALTH: "health probe",
}


class InstanceSource(Protocol):
    def get_history(self, instance_id: str) -> list[dict[str, Any]]: ...
    def get_status(self, instance_id: str) -> Any: ...


@dataclass
class BranchRow:
    activity: str  # what a person would call the step
    resource: str
    status: str  # running | succeeded | already_done | failed | skipped | a branch's own state
    detail: str = ""


@dataclass
class ProgressReader:
    """Reads a run's rows; finished branches are kept, so each tick reads only what still runs."""

    source: InstanceSource
    _done: dict[str, list[BranchRow]] = field(default_factory=dict)

    def rows(self, instance_id: str) -> list[BranchRow]:
        if instance_id in self._done:
            return self._done[instance_id]
        rows: list[BranchRow] = []
        history = self.source.get_history(instance_id)
        ended = {
            e["TaskScheduledId"]: e for e in history if e["EventType"] in (COMPLETED, FAILED, SUB_COMPLETED, SUB_FAILED)
        }
        finished = any(e["EventType"] == 1 for e in history)  # ExecutionCompleted
        for event in history:
            kind, name = event["EventType"], event.get("Name", "")
            result = ended.get(event["EventId"])
            if kind == SUB_CREATED and name in CONTAINERS:
                rows += self.rows(event["InstanceId"])
            elif kind == SUB_CREATED and name in BRANCHES:
                rows.append(self._branch(event, result))
            elif kind == SCHEDULED and name in STEP_ACTIVITIES:
                rows += _activity_rows(event, result)
        if finished:
            self._done[instance_id] = rows
        return rows

    def _branch(self, event: dict[str, Any], result: dict[str, Any] | None) -> BranchRow:
        row = BranchRow(BRANCHES[event["Name"]], _label(event.get("Input")), "running")
        if result is not None:
            return _ended(row, result)
        status = self.source.get_status(event["InstanceId"])
        custom = getattr(status, "custom_status", None)
        if isinstance(custom, dict) and custom.get("state"):
            row.status = str(custom["state"])
        return row


def branch_rows(source: InstanceSource, instance_id: str) -> list[BranchRow]:
    return ProgressReader(source).rows(instance_id)


def _activity_rows(event: dict[str, Any], result: dict[str, Any] | None) -> list[BranchRow]:
    row = BranchRow(STEP_ACTIVITIES[event["Name"]], _label(event.get("Input")), "running")
    if result is None:
        return [row]
    value = _json(result.get("Result"))
    if isinstance(value, list):  # a readiness unit answers a list of checks
        return [
            BranchRow(row.activity, str(v.get("resource", "")), str(v.get("status", "")), str(v.get("detail", "")))
            for v in value
            if isinstance(v, dict)
        ]
    return [_ended(row, result)]


def _ended(row: BranchRow, result: dict[str, Any]) -> BranchRow:
    if result["EventType"] in (FAILED, SUB_FAILED):
        row.status, row.detail = "failed", str(result.get("Reason", ""))
        return row
    value = _json(result.get("Result"))
    if isinstance(value, list):
        value = value[-1] if value else {}
    if isinstance(value, dict) and "status" in value:
        row.status, row.detail = str(value["status"]), str(value.get("detail", ""))
        row.resource = str(value.get("resource") or row.resource)
    else:
        row.status = "succeeded"
    return row


def progress_table(phase: str, rows: list[BranchRow], width: int = 120) -> Table:
    table = Table(title=f"phase: {phase}", title_justify="left", expand=False)
    table.add_column("step", no_wrap=True)
    table.add_column("resource", overflow="fold")
    table.add_column("status", no_wrap=True)
    table.add_column("detail", overflow="fold", max_width=max(20, width - 60))
    for row in rows:
        table.add_row(row.activity, row.resource, Text(row.status, style=STYLES.get(row.status, "")), row.detail)
    return table


def _json(text: Any) -> Any:
    try:
        return json.loads(text) if isinstance(text, str) else text
    except ValueError:
        return None


def _label(input_json: Any) -> str:
    payload = _json(input_json)
    if not isinstance(payload, dict):
        return ""
    item = payload.get("item") or {}
    if "zone" in item:
        return f"{item.get('name')}.{item['zone']} {item.get('type', '')}".strip()
    if "server" in item:
        return f"{item['server']}/{item.get('name')}"
    if item.get("name"):
        return str(item["name"])
    return str(payload.get("resource_group") or (payload.get("plan") or {}).get("name", ""))
