"""The approval flow through `regionshift serve`: links posted to the webhook, decided over HTTP,
counted by the approval orchestration on the embedded host."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from serve_stack import APPROVAL_KEY, Stack

from regionshift.approvals import issue_token
from regionshift.approvals.wire import ApprovalInput
from regionshift.names import Orchestrators
from triggers.common import load_plans

APPROVAL_ID = "failover-contoso-web:approval"


def _start(stack: Stack, forced: bool = False) -> dict[str, Any]:
    """Start the approval sub-orchestration as the failover would, and return the posted request."""
    plan = load_plans()["contoso-web"]
    args = ApprovalInput(
        plan=plan.model_dump(mode="json"), run_instance_id="failover-contoso-web", forced=forced, reason="alert"
    )
    stack.host.start_new(Orchestrators.APPROVAL, args.model_dump(mode="json"), instance_id=APPROVAL_ID)
    stack.wait_for(lambda: stack.hooks.posts, "the approval request on the webhook")
    stack.wait_for(lambda: _phase(stack) == "awaiting_approval", "the approval to wait")
    return stack.hooks.posts[-1]


def _phase(stack: Stack) -> str | None:
    status = stack.host.get_status(APPROVAL_ID)
    return status.custom_status.get("phase") if status and isinstance(status.custom_status, dict) else None


def _path(link: str) -> str:
    return urlsplit(link).path + "?" + urlsplit(link).query


def _decide(stack: Stack, link: str, approver: str, comment: str = "") -> tuple[int, Any]:
    body = f"approver={approver}&comment={comment}".encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    return stack.call("POST", _path(link), body, key=None, headers=headers)


def _outcome(stack: Stack) -> dict[str, Any]:
    status = stack.host.wait_for_completion(APPROVAL_ID, timeout=30)
    assert status.is_terminal, status
    return status.output


@pytest.fixture
def stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    s = Stack(tmp_path, monkeypatch, {"forced_approvers": 2})
    yield s
    s.close()


def test_the_request_carries_approve_and_reject_links_for_this_approval(stack: Stack) -> None:
    request = _start(stack)
    assert request["approvalInstanceId"] == APPROVAL_ID
    assert len(request["links"]["approve"]) == 1
    assert urlsplit(request["links"]["reject"]).path == "/api/approvals/failover-contoso-web%3Aapproval/reject"


def test_get_shows_a_form_and_decides_nothing(stack: Stack) -> None:
    request = _start(stack)
    status, page = stack.call("GET", _path(request["links"]["approve"][0]), key=None)
    assert status == 200 and '<form method="post">' in page
    assert _phase(stack) == "awaiting_approval"


def test_approve_records_the_approver_and_comment(stack: Stack) -> None:
    request = _start(stack)
    status, body = _decide(stack, request["links"]["approve"][0], "ana@contoso.com", "primary is down")
    assert (status, body["recorded"]) == (202, "approve")
    outcome = _outcome(stack)
    assert outcome["decision"] == "approved"
    assert outcome["approvers"] == [
        {
            "approver": "ana@contoso.com",
            "verified": False,
            "comment": "primary is down",
            "at": outcome["approvers"][0]["at"],
        }
    ]


def test_reject_ends_the_approval_rejected(stack: Stack) -> None:
    request = _start(stack)
    assert _decide(stack, request["links"]["reject"], "bo@contoso.com", "false alarm")[0] == 202
    outcome = _outcome(stack)
    assert (outcome["decision"], outcome["rejected_by"]["approver"]) == ("rejected", "bo@contoso.com")


def test_forged_and_wrong_decision_tokens_are_refused(stack: Stack) -> None:
    request = _start(stack)
    approve = request["links"]["approve"][0]
    token = parse_qs(urlsplit(approve).query)["token"][0]
    forged = issue_token(b"not-the-key-not-the-key-not-the-key!", APPROVAL_ID, "approve", int(time.time()) + 600)
    base = urlsplit(approve).path
    assert _decide(stack, f"{base}?token={forged}", "eve")[1]["error"] == "the approval token's signature is not valid"
    wrong = base.replace("/approve", "/reject") + f"?token={token}"
    assert _decide(stack, wrong, "eve")[0] == 403
    assert _decide(stack, f"{base}?token=", "eve")[0] == 403
    assert _phase(stack) == "awaiting_approval"


def test_expired_token_is_refused(stack: Stack) -> None:
    request = _start(stack)
    expired = issue_token(APPROVAL_KEY.encode(), APPROVAL_ID, "approve", int(time.time()) - 1)
    base = urlsplit(request["links"]["approve"][0]).path
    status, body = _decide(stack, f"{base}?token={expired}", "ana")
    assert (status, body["error"]) == (403, "the approval token has expired")


def test_forced_failover_needs_two_different_approvers_and_links_are_single_use(stack: Stack) -> None:
    request = _start(stack, forced=True)
    first, second = request["links"]["approve"]
    assert _decide(stack, first, "ana@contoso.com")[0] == 202

    def counted() -> bool:
        status = stack.host.get_status(APPROVAL_ID)
        return bool(status and status.custom_status["approval"]["approvers"] == ["ana@contoso.com"])

    stack.wait_for(counted, "the first approval to be counted")
    status, body = _decide(stack, first, "bo@contoso.com")
    assert (status, body["error"]) == (409, "this approval link has already been used")
    assert _decide(stack, second, "ANA@contoso.com")[0] == 202  # recorded, but not counted

    def refused() -> bool:
        return bool(stack.host.get_status(APPROVAL_ID).custom_status["approval"]["refused"])

    stack.wait_for(refused, "the same approver's second vote to be refused")
    assert _phase(stack) == "awaiting_approval"
    assert _decide(stack, second, "bo@contoso.com")[0] == 202
    outcome = _outcome(stack)
    assert outcome["decision"] == "approved"
    assert [a["approver"] for a in outcome["approvers"]] == ["ana@contoso.com", "bo@contoso.com"]
    assert outcome["refused"][0]["reason"] == "ANA@contoso.com has already approved; a different approver is needed"


def test_decision_after_the_approval_ended_is_refused(stack: Stack) -> None:
    request = _start(stack)
    _decide(stack, request["links"]["reject"], "bo@contoso.com")
    _outcome(stack)
    status, body = _decide(stack, request["links"]["approve"][0], "ana@contoso.com")
    assert (status, body["error"]) == (409, "this approval is no longer waiting for a decision")


def test_timeout_escalates_once_then_ends_timed_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A clock 240x faster: the one-minute timeout passes in a quarter of a second of real time.
    stack = Stack(tmp_path, monkeypatch, {"approval_timeout_minutes": 1}, clock_speed=240)
    try:
        data = yaml.safe_load((tmp_path / "plan.yaml").read_text())
        escalation = [{"url": stack.hooks_url, "format": "slack"}]
        data["policy"].update(on_approval_timeout="escalate", escalation_webhooks=escalation)
        (tmp_path / "plan.yaml").write_text(yaml.safe_dump(data))
        _start(stack)
        outcome = _outcome(stack)
        assert (outcome["decision"], outcome["escalated"]) == ("timed_out", True)
        assert [n["round"] for n in outcome["notifications"]] == [0, 1]
        assert stack.hooks.posts[1]["text"].startswith("ESCALATED: Approve failover")
    finally:
        stack.close()


def test_a_forged_identity_header_is_stripped_before_the_handler(stack: Stack) -> None:
    request = _start(stack)
    headers = {"X-MS-CLIENT-PRINCIPAL-NAME": "ceo@contoso.com", "Content-Type": "application/x-www-form-urlencoded"}
    status, body = stack.call("POST", _path(request["links"]["approve"][0]), b"comment=x", key=None, headers=headers)
    assert (status, body["error"]) == (400, "approver is required: who is deciding?")
