"""The approval ledger: which decisions an approval orchestration has accepted, so far.

Why the orchestration's history is the nonce store: the approval sub-orchestrator replays every
decision event it received, in order, through this ledger. That history lives in the Durable task
hub (Azure Storage in Azure, SQLite in the embedded host), so a spent nonce stays spent across
restarts and across scaled-out instances, with no second store to keep consistent. The HTTP
endpoint also reads the ledger's state from the custom status to refuse a reused link at once,
but the ledger is the authority: two racing clicks of one link reach it in one order, and the
second is refused there.

Two rules live here besides single use:
- A vote is bound to one run's execution: its token names the run id and the approval's
  execution, and a vote naming another is refused (a link from an earlier run, or from before the
  history was reset, decides nothing now). See `regionshift.approvals.tokens`.
- A two-person rule (`required` 2) counts only signed-in principals (`verified`: the identity came
  from App Service authentication or a proxy `regionshift serve` trusts, never from a form), told
  apart by the identity provider's principal id. A typed name never counts toward it: one person
  typing two names is one unverified person. With one approver required, a typed name is accepted
  and recorded as unverified, as before.

Pure and deterministic (no clock, no I/O): safe to run inside an orchestrator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Outcome = Literal["pending", "approved", "rejected"]


@dataclass(frozen=True)
class Vote:
    decision: Literal["approve", "reject"]
    nonce: str
    approver: str
    comment: str = ""
    at: str = ""  # ISO time the endpoint received it
    slot: int = 0
    verified: bool = False  # identity from App Service authentication (or a trusted proxy), not typed
    principal_id: str = ""  # the identity provider's id for a verified approver
    run_id: str = ""  # the run the link's token names
    execution: str = ""  # the approval execution the link's token names

    @classmethod
    def from_json(cls, data: Any) -> Vote:
        if not isinstance(data, dict):
            raise ValueError("a decision event must be an object")
        decision = data.get("decision")
        if decision not in ("approve", "reject"):
            raise ValueError("decision must be approve or reject")
        return cls(
            decision=decision,
            nonce=str(data.get("nonce", "")),
            approver=str(data.get("approver", "")).strip()[:200],
            comment=str(data.get("comment", ""))[:2000],
            at=str(data.get("at", "")),
            slot=int(data.get("slot", 0)),
            verified=data.get("verified") is True,
            principal_id=str(data.get("principal_id", "")).strip()[:200],
            run_id=str(data.get("run_id", "")),
            execution=str(data.get("execution", "")),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "decision": self.decision,
            "nonce": self.nonce,
            "approver": self.approver,
            "comment": self.comment,
            "at": self.at,
            "slot": self.slot,
            "verified": self.verified,
            "principal_id": self.principal_id,
            "run_id": self.run_id,
            "execution": self.execution,
        }

    @property
    def person(self) -> str:
        """Who this is, for telling approvers apart: the principal id when signed in, else the typed name."""
        return f"id:{self.principal_id.lower()}" if self.verified and self.principal_id else self.approver.lower()


@dataclass
class ApprovalLedger:
    required: int = 1  # distinct approvers needed; 2 or more: signed-in principals only
    run_id: str = ""  # the run this approval guards
    execution: str = ""  # this approval orchestration's execution
    accepted: list[Vote] = field(default_factory=list)
    refused: list[dict[str, str]] = field(default_factory=list)
    spent: set[str] = field(default_factory=set)

    @property
    def outcome(self) -> Outcome:
        if any(v.decision == "reject" for v in self.accepted):
            return "rejected"
        approvers = {v.person for v in self.accepted if v.decision == "approve"}
        return "approved" if len(approvers) >= self.required else "pending"

    @property
    def signed_in_only(self) -> bool:
        """A two-person rule: only signed-in principals count."""
        return self.required > 1

    def offer(self, vote: Vote) -> str | None:
        """Accept a vote, or return why it is refused (it is recorded either way)."""
        reason = self._refusal(vote)
        if reason:
            self.refused.append({"approver": vote.approver, "decision": vote.decision, "reason": reason})
            return reason
        # Only a counted vote spends its link: a refused one (say, the same person approving
        # twice) leaves the link for the second approver it was meant for.
        self.spent.add(vote.nonce)
        self.accepted.append(vote)
        return None

    def _refusal(self, vote: Vote) -> str | None:
        if self.outcome != "pending":
            return f"the approval is already {self.outcome}"
        if not vote.nonce:
            return "the decision carries no token nonce"
        if vote.run_id != self.run_id:
            return f"this approval link belongs to run {vote.run_id or '(none named)'}, not to run {self.run_id}"
        if vote.execution != self.execution:
            return "this approval link belongs to an earlier execution of this approval (its history was reset)"
        if vote.nonce in self.spent:
            return "this approval link has already been used"
        if not vote.approver:
            return "the approver is not identified"
        if vote.decision == "approve" and self.signed_in_only and not vote.verified:
            return (
                f"{vote.approver} is not signed in: a typed name never counts toward a rule of "
                f"{self.required} different signed-in approvers"
            )
        if vote.decision == "approve" and any(
            v.person == vote.person for v in self.accepted if v.decision == "approve"
        ):
            return f"{vote.approver} has already approved; a different approver is needed"
        return None

    def status(self) -> dict[str, Any]:
        """What the custom status shows: enough for the endpoint's fast refusal, no secrets."""
        return {
            "outcome": self.outcome,
            "required": self.required,
            "signed_in_only": self.signed_in_only,
            "run_id": self.run_id,
            "execution": self.execution,
            "approvers": [v.approver for v in self.accepted if v.decision == "approve"],
            "spent": sorted(self.spent),
            "refused": self.refused[-10:],
        }
