"""The approval ledger: single use, rejection wins, bound to one run's execution, and two different
signed-in people for a two-person rule."""

from typing import Any

from regionshift.approvals import ApprovalLedger, Vote

RUN, EXECUTION = "run-7", "2025-01-01T00:00:00+00:00"


def _ledger(required: int = 1) -> ApprovalLedger:
    return ApprovalLedger(required=required, run_id=RUN, execution=EXECUTION)


def _vote(decision: str = "approve", nonce: str = "n1", approver: str = "ana@contoso.com", **extra: Any) -> Vote:
    data = {"decision": decision, "nonce": nonce, "approver": approver, "comment": "ok", "run_id": RUN}
    return Vote.from_json({**data, "execution": EXECUTION, **extra})


def _signed_in(nonce: str, name: str, principal_id: str, decision: str = "approve") -> Vote:
    return _vote(decision, nonce, name, verified=True, principal_id=principal_id)


def test_one_approval_is_enough_by_default_and_a_typed_name_is_recorded_unverified() -> None:
    ledger = _ledger()
    assert ledger.offer(_vote()) is None
    assert ledger.outcome == "approved"
    assert ledger.accepted[0].verified is False


def test_a_reused_nonce_is_refused() -> None:
    ledger = _ledger(required=2)
    ledger.offer(_signed_in("n1", "ana@contoso.com", "oid-ana"))
    assert ledger.offer(_signed_in("n1", "bo@contoso.com", "oid-bo")) == "this approval link has already been used"
    assert ledger.outcome == "pending"


def test_two_approvers_must_be_different_signed_in_principals() -> None:
    ledger = _ledger(required=2)
    assert ledger.offer(_signed_in("n1", "ana@contoso.com", "oid-ana")) is None
    # Another display name, the same principal: still one person.
    refused = ledger.offer(_signed_in("n2", "Ana Lima", "OID-ANA"))
    assert refused == "Ana Lima has already approved; a different approver is needed"
    assert ledger.offer(_signed_in("n2", "bo@contoso.com", "oid-bo")) is None  # the refused link is still good
    assert ledger.outcome == "approved"
    assert ledger.status()["approvers"] == ["ana@contoso.com", "bo@contoso.com"]


def test_typed_names_never_count_toward_a_two_person_rule() -> None:
    """One person typing two names is the attack of issue 7 item 8."""
    ledger = _ledger(required=2)
    first = ledger.offer(_vote(nonce="n1", approver="ana@contoso.com"))
    second = ledger.offer(_vote(nonce="n2", approver="bo@contoso.com"))
    expected = "is not signed in: a typed name never counts toward a rule of 2 different signed-in approvers"
    assert first == f"ana@contoso.com {expected}" and second == f"bo@contoso.com {expected}"
    assert ledger.offer(_signed_in("n1", "cy@contoso.com", "oid-cy")) is None
    assert ledger.outcome == "pending", "one signed-in approver and typed names are not two people"
    assert ledger.status()["signed_in_only"] is True


def test_a_typed_name_may_still_reject() -> None:
    ledger = _ledger(required=2)
    assert ledger.offer(_vote("reject", "r1", "bo@contoso.com")) is None
    assert ledger.outcome == "rejected"


def test_a_vote_from_another_run_or_an_earlier_execution_is_refused() -> None:
    ledger = _ledger()
    assert ledger.offer(_vote(run_id="run-6")) == "this approval link belongs to run run-6, not to run run-7"
    assert ledger.offer(_vote(run_id="")) == "this approval link belongs to run (none named), not to run run-7"
    reset = ledger.offer(_vote(execution="2024-12-31T23:00:00+00:00"))
    assert reset == "this approval link belongs to an earlier execution of this approval (its history was reset)"
    assert ledger.outcome == "pending" and not ledger.spent
    assert [r["reason"][:26] for r in ledger.status()["refused"]] == ["this approval link belongs"] * 3


def test_a_rejection_ends_it_and_later_votes_are_refused() -> None:
    ledger = _ledger(required=2)
    ledger.offer(_signed_in("n1", "ana@contoso.com", "oid-ana"))
    ledger.offer(_vote("reject", nonce="r1", approver="bo@contoso.com"))
    assert ledger.outcome == "rejected"
    assert ledger.offer(_signed_in("n3", "cy@contoso.com", "oid-cy")) == "the approval is already rejected"


def test_anonymous_votes_are_refused() -> None:
    assert _ledger().offer(_vote(approver="  ")) == "the approver is not identified"
