"""The approval ledger: single use, rejection wins, two different approvers for a forced failover."""

from regionshift.approvals import ApprovalLedger, Vote


def _vote(decision: str = "approve", nonce: str = "n1", approver: str = "ana@contoso.com") -> Vote:
    return Vote.from_json({"decision": decision, "nonce": nonce, "approver": approver, "comment": "ok"})


def test_one_approval_is_enough_by_default() -> None:
    ledger = ApprovalLedger()
    assert ledger.offer(_vote()) is None
    assert ledger.outcome == "approved"


def test_a_reused_nonce_is_refused() -> None:
    ledger = ApprovalLedger(required=2)
    ledger.offer(_vote())
    assert ledger.offer(_vote(approver="bo@contoso.com")) == "this approval link has already been used"
    assert ledger.outcome == "pending"


def test_two_approvers_must_be_different_people() -> None:
    ledger = ApprovalLedger(required=2)
    ledger.offer(_vote(nonce="n1"))
    refused = ledger.offer(_vote(nonce="n2", approver="ANA@contoso.com"))
    assert refused == "ANA@contoso.com has already approved; a different approver is needed"
    assert ledger.offer(_vote(nonce="n2", approver="bo@contoso.com")) is None  # the refused link is still good
    assert ledger.outcome == "approved"
    assert ledger.status()["approvers"] == ["ana@contoso.com", "bo@contoso.com"]


def test_a_rejection_ends_it_and_later_votes_are_refused() -> None:
    ledger = ApprovalLedger(required=2)
    ledger.offer(_vote(nonce="n1"))
    ledger.offer(_vote("reject", nonce="r1", approver="bo@contoso.com"))
    assert ledger.outcome == "rejected"
    assert ledger.offer(_vote(nonce="n3", approver="cy@contoso.com")) == "the approval is already rejected"


def test_anonymous_votes_are_refused() -> None:
    assert ApprovalLedger().offer(_vote(approver="  ")) == "the approver is not identified"
