"""The scheduled readiness check: its result, when it has changed, and the message that says so.

Every `REGIONSHIFT_CHECK_SCHEDULE` tick (NCRONTAB; every 30 minutes unless set, after AWS ARC Region
switch, which evaluates every plan every 30 minutes), the timer runs `check --drift` for every plan
as the `scheduled_check` orchestration. Its result is a `Snapshot`: small (the failing checks and
drift findings, at most `SHOWN` of each, details cut), because it is kept as that orchestration's
output and custom status. That is where the latest result lives: the task hub in Azure (the app
has no disk), the embedded host's SQLite locally; the next tick passes it on as the new run's input,
so one instance per plan (`readiness-<plan>`) always holds the latest, and `GET /api/plans/{plan}/
readiness` reads it there.

Posting only on change: each snapshot carries `announced`, the state people were last told about
(a fingerprint of what fails and drifts, and whether that is healthy). A new result is announced
when its fingerprint differs: `broke` (it was healthy), `cleared` (it is healthy again), `changed`
(something else now fails). A first result counts against "healthy", so a healthy start posts
nothing. A post that no webhook accepted leaves `announced` as it was, so the next tick tries
again; without webhooks there is nobody to tell and the state counts as announced. The webhooks are
`policy.notification_webhooks`, else `policy.approval_webhooks`: readiness is news for the people who
would approve a failover that would not work, but some teams want it in a channel of its own.

Pure: no I/O or clock (the orchestration passes its replay time); the posting is an activity.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any, Literal

from regionshift.azure.readiness import blocking
from regionshift.contracts import StepOutcome, WireModel
from regionshift.plan import PlanContext

CHECK_SCHEDULE_SETTING = "REGIONSHIFT_CHECK_SCHEDULE"
DEFAULT_CHECK_SCHEDULE = "0 */30 * * * *"  # NCRONTAB: second 0 of every 30th minute
SHOWN = 20
DETAIL_CHARS = 300
Change = Literal["broke", "changed", "cleared"]


def instance_id(plan_name: str) -> str:
    """The one orchestration instance per plan that holds its latest readiness result."""
    return f"readiness-{plan_name}"


class Finding(WireModel):
    check: str
    resource: str
    status: str
    detail: str = ""


class Announced(WireModel):
    fingerprint: str
    healthy: bool


class Snapshot(WireModel):
    plan: str
    taken_at: datetime
    ready: bool  # no check stops a failover
    drift: bool  # the plan and the estate differ
    counts: dict[str, int]  # passed, failed, unknown, advisory, drift
    stopping: list[Finding] = []
    drift_findings: list[Finding] = []
    fingerprint: str
    announced: Announced | None = None
    change: Change | None = None  # what this result announced, if anything
    deliveries: list[dict[str, Any]] = []

    @property
    def healthy(self) -> bool:
        return self.ready and not self.drift


HEALTHY = Announced(fingerprint="healthy", healthy=True)


def _finding(check: StepOutcome) -> Finding:
    return Finding(check=check.action, resource=check.resource, status=check.status, detail=check.detail[:DETAIL_CHARS])


def summarize(plan: PlanContext, results: list[StepOutcome], taken_at: datetime) -> Snapshot:
    """The snapshot of one scheduled check (readiness outcomes and drift outcomes together)."""
    stopping = blocking(plan, results)
    drift = [c for c in results if c.action == "drift" and c.status == "failed"]
    keys = sorted(
        {("stop", c.action, c.resource, c.status) for c in stopping}
        | {("drift", c.action, c.resource, c.status) for c in drift}
    )
    healthy = not stopping and not drift
    fingerprint = "healthy" if healthy else hashlib.sha256(json.dumps(keys).encode()).hexdigest()[:16]
    counts = {
        "passed": sum(1 for c in results if c.ok),
        "failed": sum(1 for c in results if c.status == "failed" and not c.data.get("advisory")),
        "unknown": sum(1 for c in results if c.status == "skipped"),
        "advisory": sum(1 for c in results if c.status == "failed" and c.data.get("advisory")),
        "drift": len(drift),
        "stopping": len(stopping),
    }
    return Snapshot(
        plan=plan.name,
        taken_at=taken_at,
        ready=not stopping,
        drift=bool(drift),
        counts=counts,
        stopping=[_finding(c) for c in stopping[:SHOWN]],
        drift_findings=[_finding(c) for c in drift[:SHOWN]],
        fingerprint=fingerprint,
    )


def change_since(previous: Snapshot | None, current: Snapshot) -> Change | None:
    """What `current` has to announce, against what was announced before it (None: nothing)."""
    announced = (previous.announced if previous else None) or HEALTHY
    if announced.fingerprint == current.fingerprint:
        return None
    if current.healthy:
        return "cleared"
    return "broke" if announced.healthy else "changed"


def settle(previous: Snapshot | None, current: Snapshot, change: Change | None, delivered: bool) -> Snapshot:
    """`current` with what is now announced: itself once told (or with nobody to tell), else the old."""
    before = (previous.announced if previous else None) or HEALTHY
    now = Announced(fingerprint=current.fingerprint, healthy=current.healthy)
    told = change is None or delivered
    return current.model_copy(update={"announced": now if told else before, "change": change if delivered else None})


def title(snapshot: Snapshot, change: Change) -> str:
    counts = snapshot.counts
    what = []
    if counts.get("stopping"):
        what.append(f"{counts['stopping']} check(s) would stop a failover")
    if counts.get("drift"):
        what.append(f"{counts['drift']} drift finding(s)")
    detail = "; ".join(what)
    if change == "cleared":
        return f"regionshift: plan {snapshot.plan} is ready to fail over again"
    if change == "broke":
        return f"regionshift: plan {snapshot.plan} is NOT ready to fail over ({detail})"
    return f"regionshift: plan {snapshot.plan}'s readiness changed ({detail})"


def lines(snapshot: Snapshot) -> list[str]:
    out = [f"Taken at {snapshot.taken_at:%Y-%m-%d %H:%M:%S} UTC"]
    out += [f"Stops a failover: {f.check} {f.resource}: {f.detail}" for f in snapshot.stopping]
    out += [f"Drift: {f.resource}: {f.detail}" for f in snapshot.drift_findings]
    hidden = snapshot.counts.get("stopping", 0) + snapshot.counts.get("drift", 0)
    hidden -= len(snapshot.stopping) + len(snapshot.drift_findings)
    if hidden > 0:
        out.append(f"... and {hidden} more (see the readiness API)")
    return out


def render(snapshot: Snapshot, change: Change, fmt: str, status_url: str) -> dict[str, Any]:
    """The webhook body: generic JSON, a Teams Adaptive Card, or a Slack message (as approvals post)."""
    heading = title(snapshot, change)
    if fmt == "teams":
        body = [{"type": "TextBlock", "text": heading, "weight": "Bolder", "size": "Medium", "wrap": True}]
        body += [{"type": "TextBlock", "text": line, "wrap": True, "spacing": "Small"} for line in lines(snapshot)]
        card = {
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard",
            "version": "1.4",
            "body": body,
            "actions": [{"type": "Action.OpenUrl", "title": "Readiness", "url": status_url}],
        }
        attachment = {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        return {"type": "message", "attachments": [attachment]}
    if fmt == "slack":
        return {
            "text": heading,
            "blocks": [
                {"type": "header", "text": {"type": "plain_text", "text": heading[:150]}},
                {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines(snapshot))[:2900]}},
                {"type": "context", "elements": [{"type": "mrkdwn", "text": f"<{status_url}|readiness>"}]},
            ],
        }
    return {
        "type": "regionshift.readinessChange",
        "version": 1,
        "title": heading,
        "plan": snapshot.plan,
        "change": change,
        "ready": snapshot.ready,
        "drift": snapshot.drift,
        "takenAt": snapshot.taken_at.isoformat(),
        "counts": snapshot.counts,
        "stopping": [f.model_dump() for f in snapshot.stopping],
        "driftFindings": [f.model_dump() for f in snapshot.drift_findings],
        "statusUrl": status_url,
    }
