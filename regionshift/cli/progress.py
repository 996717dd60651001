"""Live progress of a run, read from the instance's Durable history.

The orchestrator publishes its phase as custom status; which branch is running, done or failed is
read from the history (TaskScheduled / TaskCompleted / TaskFailed events, and the histories of
sub-orchestrations), which is what Durable's own status API offers with `showHistory`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

from rich.table import Table
from rich.text import Text

SCHEDULED, COMPLETED, FAILED, SUB_CREATED = 4, 5, 6, 7
STYLES = {"running": "yellow", "succeeded": "green", "already_done": "cyan", "failed": "bold red", "skipped": "dim"}


class HistorySource(Protocol):
    def get_history(self, instance_id: str) -> list[dict[str, Any]]: ...


@dataclass
class BranchRow:
    activity: str
    resource: str
    status: str  # running | succeeded | already_done | failed | skipped
    detail: str = ""


def branch_rows(host: HistorySource, instance_id: str) -> list[BranchRow]:
    rows: list[BranchRow] = []
    history = host.get_history(instance_id)
    results = {e["TaskScheduledId"]: e for e in history if e["EventType"] in (COMPLETED, FAILED)}
    for event in history:
        if event["EventType"] == SUB_CREATED and event.get("InstanceId"):
            rows += branch_rows(host, event["InstanceId"])
        if event["EventType"] != SCHEDULED:
            continue
        row = BranchRow(event.get("Name", "?"), _label(event.get("Input")), "running")
        done = results.get(event["EventId"])
        if done is not None and done["EventType"] == FAILED:
            row.status, row.detail = "failed", str(done.get("Reason", ""))
        elif done is not None:
            result = _json(done.get("Result"))
            if isinstance(result, dict) and "status" in result:
                row.status, row.detail = result["status"], str(result.get("detail", ""))
            else:
                row.status = "succeeded"
        rows.append(row)
    return rows


def progress_table(phase: str, rows: list[BranchRow]) -> Table:
    table = Table(title=f"phase: {phase}", title_justify="left", expand=False)
    table.add_column("step")
    table.add_column("resource")
    table.add_column("status")
    table.add_column("detail", overflow="fold", max_width=70)
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
