"""Approval request messages: generic JSON, a Teams incoming-webhook card, a Slack message.

Each carries the approve link(s) and the reject link. The links open a confirmation page (GET)
whose form posts the decision: chat clients and link scanners fetch URLs on their own, and a GET
that decided a failover would let a preview spend the token.

A two-person rule is spelled out: it needs different *signed-in* people, and where the app signs
nobody in (`sign_in` empty: no App Service authentication, no trusted proxy) the message says the
rule cannot be met there, so nobody waits for approvals that can never count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Format = Literal["json", "teams", "slack"]


@dataclass(frozen=True)
class ApprovalRequest:
    plan: str
    operation: str
    instance_id: str  # the approval orchestration's instance id
    run_instance_id: str  # the failover run it guards
    reason: str
    forced: bool
    approvers_needed: int
    expires_at: str  # ISO 8601
    approve_urls: tuple[str, ...]
    reject_url: str
    status_url: str = ""
    escalated: bool = False
    evidence: dict[str, Any] = field(default_factory=dict)
    sign_in: str = ""  # where approvers' identities come from (`identity_source`); "" when nowhere
    forecast: dict[str, Any] = field(default_factory=dict)  # `regionshift.forecast.Forecast` as JSON

    @property
    def two_person_rule(self) -> str:
        """What the approvers must know about a rule of several approvers; "" for one approver."""
        if self.approvers_needed < 2:
            return ""
        rule = (
            f"Approvers needed: {self.approvers_needed} different signed-in people "
            "(a typed name never counts toward this rule)"
        )
        if not self.sign_in:
            rule += (
                ". This app signs nobody in (no App Service authentication, no trusted proxy), so this "
                "rule cannot be met here: reject, or have a person start the run by hand"
            )
        return rule

    @property
    def title(self) -> str:
        what = "FORCED (possible data loss) " if self.forced else ""
        prefix = "ESCALATED: " if self.escalated else ""
        return f"{prefix}Approve {what}{self.operation} of plan {self.plan}?"

    def lines(self) -> list[str]:
        out = [
            f"Reason: {self.reason}",
            f"Run: {self.run_instance_id}",
            self.two_person_rule or "Approvers needed: 1",
            f"Decide before: {self.expires_at}",
        ]
        confirmation = self.evidence.get("confirmation")
        if isinstance(confirmation, dict) and "summary" in confirmation:
            out.append(f"Second signal: {confirmation['summary']}")
        if self.forecast.get("summary"):
            out.append(forecast_line(self.forecast))
        return out


def forecast_line(forecast: dict[str, Any]) -> str:
    """The RTO forecast in one line: "Forecast RTO: p50 ..., p90 ... (within the target ...)"."""
    text = "Forecast: " + str(forecast["summary"]).removeprefix("forecast ")
    return text + (f"; {forecast['warning']}" if forecast.get("warning") else "")


def _approve_titles(request: ApprovalRequest) -> list[tuple[str, str]]:
    urls = request.approve_urls
    if len(urls) == 1:
        return [("Approve", urls[0])]
    return [(f"Approve ({i} of {len(urls)})", url) for i, url in enumerate(urls, 1)]


def render_json(request: ApprovalRequest) -> dict[str, Any]:
    return {
        "type": "regionshift.approvalRequest",
        "version": 1,
        "title": request.title,
        "plan": request.plan,
        "operation": request.operation,
        "approvalInstanceId": request.instance_id,
        "runInstanceId": request.run_instance_id,
        "reason": request.reason,
        "forced": request.forced,
        "approversNeeded": request.approvers_needed,
        # A rule of two or more counts only signed-in people; it cannot be met where nobody signs in.
        "signedInApproversOnly": request.approvers_needed > 1,
        "signIn": request.sign_in or None,
        "ruleCanBeMet": request.approvers_needed < 2 or bool(request.sign_in),
        "expiresAt": request.expires_at,
        "escalated": request.escalated,
        "links": {"approve": list(request.approve_urls), "reject": request.reject_url},
        "statusUrl": request.status_url,
        "evidence": request.evidence,
        "forecast": request.forecast or None,
    }


def render_teams(request: ApprovalRequest) -> dict[str, Any]:
    """An Adaptive Card in the message envelope Teams incoming webhooks (and Workflows) accept."""
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": request.title, "weight": "Bolder", "size": "Medium", "wrap": True},
    ]
    body += [{"type": "TextBlock", "text": line, "wrap": True, "spacing": "Small"} for line in request.lines()]
    actions = [{"type": "Action.OpenUrl", "title": t, "url": u} for t, u in _approve_titles(request)]
    actions.append({"type": "Action.OpenUrl", "title": "Reject", "url": request.reject_url})
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": body,
                    "actions": actions,
                },
            }
        ],
    }


def render_slack(request: ApprovalRequest) -> dict[str, Any]:
    """Block Kit for a Slack incoming webhook; `text` is the notification fallback."""
    buttons: list[dict[str, Any]] = [
        {
            "type": "button",
            "text": {"type": "plain_text", "text": t},
            "url": u,
            "style": "primary",
            "action_id": f"approve_{i}",
        }
        for i, (t, u) in enumerate(_approve_titles(request))
    ]
    buttons.append(
        {
            "type": "button",
            "text": {"type": "plain_text", "text": "Reject"},
            "url": request.reject_url,
            "style": "danger",
            "action_id": "reject",
        }
    )
    return {
        "text": request.title,
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": request.title[:150]}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(request.lines())}},
            {"type": "actions", "elements": buttons},
        ],
    }


def render(request: ApprovalRequest, fmt: Format) -> dict[str, Any]:
    """The webhook body for one format."""
    return {"json": render_json, "teams": render_teams, "slack": render_slack}[fmt](request)
