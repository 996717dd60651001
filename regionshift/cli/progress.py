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

from rich import box
from rich.table import Table
from rich.text import Text

from regionshift.names import Activities, Orchestrators
from regionshift.reports.labels import short_resource
from regionshift.reports.upload import UPLOAD_BOUND_SECONDS

SCHEDULED, COMPLETED, FAILED = 4, 5, 6
SUB_CREATED, SUB_COMPLETED, SUB_FAILED = 7, 8, 9
STYLES = {"running": "yellow", "succeeded": "green", "already_done": "cyan", "failed": "bold red", "skipped": "dim"}
ENDED = {"succeeded", "already_done", "failed", "skipped", "ended", "unknown"}
# Sub-orchestrations that are one resource each, and the containers walked through to find them.
BRANCHES = {
    Orchestrators.SQL_BRANCH: "SQL failover group",
    Orchestrators.COSMOS_BRANCH: "Cosmos DB account",
    Orchestrators.SCALE_SET_BRANCH: "scale set",
    Orchestrators.DELETE_GROUP: "delete resource group",
    Orchestrators.DNS_RECORD: "DNS record",
}
CONTAINERS = {Orchestrators.FAN_OUT, Orchestrators.PROVISION_COMPUTE, Orchestrators.READINESS}
STEP_ACTIVITIES = {
    Activities.ENSURE_RESOURCE_GROUP: "resource group",
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
    advisory: bool = False  # a check that only warns (`policy.advisory_checks`, the run lease)


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
            BranchRow(
                row.activity,
                str(v.get("resource", "")),
                str(v.get("status") or "unknown"),
                str(v.get("detail", "")),
                advisory=bool((v.get("data") or {}).get("advisory")),
            )
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
        row.advisory = bool((value.get("data") or {}).get("advisory"))
    else:  # it ended without saying how: never call that a success
        row.status = "ended"
    return row


# -- what a person sees: words, not the orchestrators' names; one line per row ---------------------

PHASE_WORDS = {
    "approval": "waiting for approval",
    "readiness": "readiness checks",
    "data_and_compute": "failing over data and compute",
    "guard": "checking that everything is in the target before DNS",
    "dns": "switching DNS, then asking its name servers",
    "report": "reading where everything stands",
    "publishing": f"publishing the report (a storage account that does not answer: ~{UPLOAD_BOUND_SECONDS} s at most)",
    "quiesce": "scaling the secondary's compute to zero",
    "data": "failing the data back",
    "restore": "restoring the secondary after a failed failback",
    "cleanup": "deleting the resource group regionshift created",
    "compute": "building the drill's compute",
    "health": "asking the health probes",
    "cancelling": "cancelling: waiting for operations already started",
    "paused": "paused",
}
CHECKS = {"readiness check", "failback check", "health probe"}
# A check reads; its outcome is a verdict, not a change (a skipped check could not be answered).
CHECK_WORDS = {"succeeded": "passed", "already_done": "passed", "failed": "FAILED", "skipped": "unknown"}
STEP_WORDS = {"already_done": "already done", "failed": "FAILED"}
# The phase line, the header, its rule, the line that counts hidden rows, and the cursor's line.
HEADER_LINES = 5
ACTIVE_FIRST = 0
FAILED_NEXT = 1


def phase_words(phase: str) -> str:
    return PHASE_WORDS.get(phase, phase.replace("_", " "))


def status_words(row: BranchRow) -> tuple[str, str]:
    """What the status column says, and its style: "passed" or "FAILED" for a check (a warning for
    an advisory one), "succeeded" only for a step that did what it set out to."""
    if row.activity in CHECKS:
        if row.status == "failed" and row.advisory:
            return "warning", "yellow"
        word = CHECK_WORDS.get(row.status, row.status)
    else:
        word = STEP_WORDS.get(row.status, row.status)
    return word, STYLES.get(row.status, "yellow")  # a branch's own state ("probing", ...) still runs


def _visible(rows: list[BranchRow], room: int) -> tuple[list[BranchRow], list[BranchRow]]:
    """The rows that fit in `room` lines: those still running first, then failures, then the most
    recent; shown in their own order. Returns (shown, hidden)."""
    if len(rows) <= room:
        return rows, []

    def rank(item: tuple[int, BranchRow]) -> tuple[int, int]:
        index, row = item
        group = 2
        if row.status not in ENDED:
            group = ACTIVE_FIRST
        elif row.status == "failed" and not row.advisory:
            group = FAILED_NEXT
        return group, -index

    chosen = {index for index, _ in sorted(enumerate(rows), key=rank)[: max(room, 0)]}
    shown = [row for index, row in enumerate(rows) if index in chosen]
    hidden = [row for index, row in enumerate(rows) if index not in chosen]
    return shown, hidden


def progress_table(phase: str, rows: list[BranchRow], width: int = 120, height: int | None = None) -> Table:
    """The live view: one line per row, cut with an ellipsis to `width`, and no more rows than fit
    in `height` lines (the rest are counted in the last line); the status column is never cut."""
    shown, hidden = _visible(rows, (height - HEADER_LINES) if height else len(rows))
    table = Table(
        title=f"phase: {phase_words(phase) if phase in PHASE_WORDS else phase}",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        width=max(40, width),
        caption=_hidden_caption(hidden),
        caption_justify="left",
    )
    table.add_column("status", no_wrap=True, min_width=9)
    table.add_column("step", no_wrap=True, overflow="ellipsis", min_width=12, max_width=18)
    table.add_column("resource", no_wrap=True, overflow="ellipsis", ratio=1)
    table.add_column("detail", no_wrap=True, overflow="ellipsis", ratio=2)
    for row in shown:
        word, style = status_words(row)
        table.add_row(Text(word, style=style), row.activity, short_resource(row.resource), row.detail)
    return table


def _hidden_caption(hidden: list[BranchRow]) -> str | None:
    if not hidden:
        return None
    counts: dict[str, int] = {}
    for row in hidden:
        word = status_words(row)[0]
        counts[word] = counts.get(word, 0) + 1
    return f"… and {len(hidden)} more: " + ", ".join(f"{n} {word}" for word, n in counts.items())


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
