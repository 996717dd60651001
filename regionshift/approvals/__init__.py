"""Approvals: signed single-use links, the decision ledger, and the request messages."""

from regionshift.approvals.ledger import ApprovalLedger, Vote
from regionshift.approvals.payloads import ApprovalRequest, render
from regionshift.approvals.tokens import (
    KEY_SETTING,
    ApprovalKeyMissing,
    ApprovalToken,
    TokenRefused,
    approval_key,
    issue_token,
    verify_token,
)

__all__ = [
    "KEY_SETTING",
    "ApprovalKeyMissing",
    "ApprovalLedger",
    "ApprovalRequest",
    "ApprovalToken",
    "TokenRefused",
    "Vote",
    "approval_key",
    "issue_token",
    "render",
    "verify_token",
]
