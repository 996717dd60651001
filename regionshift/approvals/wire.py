"""JSON in and out of the approval sub-orchestration and its activities.

The failover orchestrator calls `Orchestrators.APPROVAL` with an `ApprovalInput` and gets an
`ApprovalOutcome` back; both cross the Durable history as plain JSON.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ApprovalInput(_Wire):
    plan: dict[str, Any]  # the whole plan, as JSON (its policy says how to approve)
    run_instance_id: str  # the run this approval guards
    # The run's `RunRequest.run_id`: the links are bound to it (and to this approval's execution),
    # so a link from another run, or from before a history reset, decides nothing here.
    run_id: str = ""
    operation: Literal["failover", "failback", "drill"] = "failover"
    forced: bool = False  # a forced (data-loss) failover: may need two approvers
    reason: str = ""  # why the run started ("alert: rule X fired on ...")
    evidence: dict[str, Any] = {}  # alerts and other facts to show the approvers


class Approver(_Wire):
    approver: str
    verified: bool  # identity from Entra ID (App Service authentication), not typed into a form
    principal_id: str = ""  # the identity provider's id of a verified approver
    comment: str = ""
    at: str = ""


class ApprovalOutcome(_Wire):
    decision: Literal["approved", "rejected", "timed_out", "cancelled"]  # cancelled: the run's cancel event
    automatic: bool = False  # approved by policy, after the second signal confirmed the outage
    approvers: list[Approver] = []
    rejected_by: Approver | None = None
    escalated: bool = False
    confirmation: dict[str, Any] | None = None  # the second signal's evidence
    refused: list[dict[str, str]] = []  # votes that were not counted, and why
    notifications: list[dict[str, Any]] = []  # webhook deliveries (host and status, never the URL)
    reason: str = ""


class SendRequestInput(_Wire):
    plan: str
    operation: str
    approval_instance_id: str
    run_instance_id: str
    run_id: str = ""  # the tokens name it...
    execution: str = ""  # ...and this approval's execution (see regionshift.approvals.tokens)
    reason: str
    forced: bool
    approvers_needed: int
    expires_at: str  # ISO 8601; tokens expire then
    webhooks: list[dict[str, str]]  # {"url", "format"}
    escalated: bool = False
    evidence: dict[str, Any] = {}
    # A failover's shape (`regionshift.forecast.shape`), from which the activity forecasts its RTO.
    forecast_shape: dict[str, Any] = {}
