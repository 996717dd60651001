"""Approval tokens: forged, expired, wrong-run and wrong-decision tokens are refused."""

import pytest

from regionshift.approvals import (
    ApprovalKeyMissing,
    TokenRefused,
    approval_key,
    issue_token,
    verify_token,
)

KEY = b"k" * 32
NOW = 1_700_000_000


def _refusal(token: str, instance: str = "run-1:approval:0", decision: str = "approve", key: bytes = KEY) -> str:
    with pytest.raises(TokenRefused) as info:
        verify_token(key, token, instance, decision, now=NOW)  # type: ignore[arg-type]
    return str(info.value)


def test_a_valid_token_verifies_and_carries_its_binding() -> None:
    token = issue_token(KEY, "run-1:approval:0", "approve", NOW + 60, slot=1, nonce="n1")
    verified = verify_token(KEY, token, "run-1:approval:0", "approve", now=NOW)
    assert (verified.nonce, verified.slot, verified.expires_at) == ("n1", 1, NOW + 60)


def test_a_token_names_the_run_and_the_execution_it_was_signed_for() -> None:
    token = issue_token(KEY, "i", "approve", NOW + 60, run_id="run-7", execution="2025-01-01T00:00:00+00:00")
    verified = verify_token(KEY, token, "i", "approve", now=NOW)
    assert (verified.run_id, verified.execution) == ("run-7", "2025-01-01T00:00:00+00:00")
    unbound = verify_token(KEY, issue_token(KEY, "i", "approve", NOW + 60), "i", "approve", now=NOW)
    assert (unbound.run_id, unbound.execution) == ("", ""), "an unbound token matches no run (the ledger refuses it)"


def test_the_run_binding_is_signed() -> None:
    token = issue_token(KEY, "i", "approve", NOW + 60, run_id="run-6")
    signed, mac = token.rsplit(".", 1)
    other = issue_token(KEY, "i", "approve", NOW + 60, run_id="run-7", nonce="n")
    forged = ".".join([*other.split(".")[:2], mac])
    with pytest.raises(TokenRefused, match="signature is not valid"):
        verify_token(KEY, forged, "i", "approve", now=NOW)
    assert signed.startswith("v1.")


def test_each_token_gets_its_own_nonce() -> None:
    a = verify_token(KEY, issue_token(KEY, "i", "approve", NOW + 60), "i", "approve", now=NOW)
    b = verify_token(KEY, issue_token(KEY, "i", "approve", NOW + 60), "i", "approve", now=NOW)
    assert a.nonce != b.nonce


def test_token_signed_with_another_key_is_refused() -> None:
    token = issue_token(b"x" * 32, "run-1:approval:0", "approve", NOW + 60)
    assert _refusal(token) == "the approval token's signature is not valid"


def test_tampered_payload_is_refused() -> None:
    reject = issue_token(KEY, "run-1:approval:0", "reject", NOW + 60)
    approve = issue_token(KEY, "run-1:approval:0", "approve", NOW + 60)
    spliced = ".".join([*approve.split(".")[:2], reject.split(".")[2]])
    assert _refusal(spliced) == "the approval token's signature is not valid"


def test_expired_token_is_refused() -> None:
    assert _refusal(issue_token(KEY, "run-1:approval:0", "approve", NOW)) == "the approval token has expired"


def test_token_for_the_other_decision_is_refused() -> None:
    token = issue_token(KEY, "run-1:approval:0", "reject", NOW + 60)
    assert _refusal(token) == "the approval token is for 'reject', not 'approve'"


def test_token_for_another_run_is_refused() -> None:
    token = issue_token(KEY, "run-2:approval:0", "approve", NOW + 60)
    assert _refusal(token) == "the approval token belongs to a different run"


@pytest.mark.parametrize("token", ["", "abc", "v1.a.b.c", "v2.e30.AAAA", "v1.!!!.???", "v1." + "a" * 3000])
def test_malformed_tokens_are_refused_without_detail(token: str) -> None:
    assert _refusal(token).startswith("the approval token is")


def test_missing_or_short_key_is_refused() -> None:
    with pytest.raises(ApprovalKeyMissing):
        approval_key({})
    with pytest.raises(ApprovalKeyMissing):
        approval_key({"REGIONSHIFT_APPROVAL_KEY": "short"})
    assert approval_key({"REGIONSHIFT_APPROVAL_KEY": "s" * 40}) == b"s" * 40
