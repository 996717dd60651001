"""The approval flow through `regionshift serve`: links posted to the webhook, decided over HTTP,
counted by the approval orchestration on the embedded host.

Signed-in approvers come from the one way `serve` trusts: a reverse proxy that presents
REGIONSHIFT_TRUSTED_PROXY_KEY in `X-Regionshift-Proxy-Key` along with the App Service principal
headers (`signed_in`). Without the key those headers are stripped."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from serve_stack import APPROVAL_KEY, Stack

from regionshift.approvals import issue_token, verify_token
from regionshift.approvals.wire import ApprovalInput
from regionshift.errors import InputError
from regionshift.names import Events, Orchestrators
from regionshift.serve import FunctionsHost
from triggers.common import load_plans

APPROVAL_ID = "failover-contoso-web:approval"
PROXY_KEY = "a-reverse-proxy-key-of-at-least-32-bytes"


def _start(stack: Stack, forced: bool = False, run_id: str = "run-1") -> dict[str, Any]:
    """Start the approval sub-orchestration as the failover would, and return the posted request."""
    plan = load_plans()["contoso-web"]
    args = ApprovalInput(
        plan=plan.model_dump(mode="json"),
        run_instance_id="failover-contoso-web",
        run_id=run_id,
        forced=forced,
        reason="alert",
    )
    posted = len(stack.hooks.posts)
    stack.host.start_new(Orchestrators.APPROVAL, args.model_dump(mode="json"), instance_id=APPROVAL_ID)
    stack.wait_for(lambda: len(stack.hooks.posts) > posted, "the approval request on the webhook")
    stack.wait_for(lambda: _phase(stack) == "awaiting_approval", "the approval to wait")
    return stack.hooks.posts[-1]


def signed_in(name: str, principal_id: str, key: str = PROXY_KEY) -> dict[str, str]:
    """What a trusted reverse proxy adds to a request once it has signed the user in."""
    return {
        "X-Regionshift-Proxy-Key": key,
        "X-MS-CLIENT-PRINCIPAL-NAME": name,
        "X-MS-CLIENT-PRINCIPAL-ID": principal_id,
        "X-MS-CLIENT-PRINCIPAL-IDP": "aad",
    }


def _phase(stack: Stack) -> str | None:
    status = stack.host.get_status(APPROVAL_ID)
    return status.custom_status.get("phase") if status and isinstance(status.custom_status, dict) else None


def _path(link: str) -> str:
    return urlsplit(link).path + "?" + urlsplit(link).query


def _decide(
    stack: Stack, link: str, approver: str = "", comment: str = "", identity: dict[str, str] | None = None
) -> tuple[int, Any]:
    body = f"approver={approver}&comment={comment}".encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", **(identity or {})}
    return stack.call("POST", _path(link), body, key=None, headers=headers)


def _ledger(stack: Stack) -> dict[str, Any]:
    status = stack.host.get_status(APPROVAL_ID)
    return status.custom_status["approval"] if status else {}


def _outcome(stack: Stack) -> dict[str, Any]:
    status = stack.host.wait_for_completion(APPROVAL_ID, timeout=30)
    assert status.is_terminal, status
    return status.output


@pytest.fixture
def stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    """serve as it starts by default: no sign-in at all."""
    monkeypatch.delenv("REGIONSHIFT_TRUSTED_PROXY_KEY", raising=False)
    monkeypatch.delenv("WEBSITE_AUTH_ENABLED", raising=False)
    s = Stack(tmp_path, monkeypatch, {"forced_approvers": 2})
    yield s
    s.close()


@pytest.fixture
def proxied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    """serve behind a reverse proxy it is told to trust."""
    monkeypatch.setenv("REGIONSHIFT_TRUSTED_PROXY_KEY", PROXY_KEY)
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
            "principal_id": "",
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


def test_forced_failover_needs_two_different_signed_in_approvers_and_links_are_single_use(proxied: Stack) -> None:
    request = _start(proxied, forced=True)
    first, second = request["links"]["approve"]
    ana, bo = signed_in("ana@contoso.com", "oid-ana"), signed_in("bo@contoso.com", "oid-bo")
    assert _decide(proxied, first, identity=ana)[1]["verified"] is True
    proxied.wait_for(lambda: _ledger(proxied)["approvers"] == ["ana@contoso.com"], "the first approval to be counted")
    status, body = _decide(proxied, first, identity=bo)
    assert (status, body["error"]) == (409, "this approval link has already been used")
    # The same principal under another display name is still one person: recorded, not counted.
    assert _decide(proxied, second, identity=signed_in("Ana Lima", "oid-ana"))[0] == 202
    proxied.wait_for(lambda: _ledger(proxied)["refused"], "the same approver's second vote to be refused")
    assert _phase(proxied) == "awaiting_approval"
    assert _decide(proxied, second, identity=bo)[0] == 202
    outcome = _outcome(proxied)
    assert outcome["decision"] == "approved"
    assert [(a["approver"], a["verified"], a["principal_id"]) for a in outcome["approvers"]] == [
        ("ana@contoso.com", True, "oid-ana"),
        ("bo@contoso.com", True, "oid-bo"),
    ]
    assert outcome["refused"][0]["reason"] == "Ana Lima has already approved; a different approver is needed"


def test_one_person_typing_two_names_cannot_meet_a_two_person_rule(proxied: Stack) -> None:
    request = _start(proxied, forced=True)
    first, second = request["links"]["approve"]
    status, body = _decide(proxied, first, "ana@contoso.com")
    assert status == 403 and "needs 2 different signed-in approvers, and a typed name never counts" in body["error"]
    assert "sign in through the reverse proxy regionshift serve trusts" in body["error"]
    assert _decide(proxied, second, "bo@contoso.com")[0] == 403
    # The orchestration's ledger refuses such a vote too, should one reach it.
    vote = {"decision": "approve", "nonce": "n-typed", "approver": "cy", "run_id": "run-1"}
    proxied.host.raise_event(
        APPROVAL_ID, Events.APPROVAL_DECISION, {**vote, "execution": _ledger(proxied)["execution"]}
    )
    proxied.wait_for(lambda: _ledger(proxied)["refused"], "the typed vote to be refused by the ledger")
    assert "cy is not signed in: a typed name never counts" in _ledger(proxied)["refused"][0]["reason"]
    assert (_phase(proxied), _ledger(proxied)["approvers"]) == ("awaiting_approval", [])


def test_where_nobody_signs_in_the_page_and_the_request_say_the_rule_cannot_be_met(stack: Stack) -> None:
    request = _start(stack, forced=True)
    assert (request["ruleCanBeMet"], request["signIn"]) == (False, None)
    status, page = stack.call("GET", _path(request["links"]["approve"][0]), key=None)
    assert status == 200 and "You are not signed in." in page
    assert "this app signs nobody in (no App Service authentication, no trusted proxy), so the rule cannot be met" in (
        page
    )
    assert '<form method="post">' not in page, "no approve form that could never count"
    status, page = stack.call("GET", _path(request["links"]["reject"]), key=None)
    assert status == 200 and '<form method="post">' in page, "a person can still stop the run"


def test_behind_the_trusted_proxy_the_page_shows_who_is_signed_in(proxied: Stack) -> None:
    request = _start(proxied, forced=True)
    assert (request["ruleCanBeMet"], request["signIn"]) == (True, "the reverse proxy regionshift serve trusts")
    link = _path(request["links"]["approve"][0])
    status, page = proxied.call("GET", link, key=None, headers=signed_in("ana@contoso.com", "oid-ana"))
    assert status == 200 and "Signed in as <b>ana@contoso.com</b>" in page and "(0 so far)" in page
    status, page = proxied.call("GET", link, key=None)
    assert status == 200 and "sign in through the reverse proxy regionshift serve trusts" in page


def test_identity_headers_with_a_wrong_proxy_key_are_stripped(proxied: Stack) -> None:
    request = _start(proxied)
    forged = signed_in("ceo@contoso.com", "oid-ceo", key="not-the-proxy-key-not-the-proxy-key!")
    status, body = _decide(proxied, request["links"]["approve"][0], identity=forged)
    assert (status, body["error"]) == (400, "approver is required: who is deciding?")


def test_a_short_proxy_key_is_refused_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    import function_app

    monkeypatch.setenv("REGIONSHIFT_TRUSTED_PROXY_KEY", "short")
    with pytest.raises(InputError, match="REGIONSHIFT_TRUSTED_PROXY_KEY must be a secret of at least 32 bytes"):
        FunctionsHost(function_app.app, None, function_key="k")


def test_a_link_from_an_earlier_run_decides_nothing_after_the_history_is_reset(stack: Stack) -> None:
    """Issue 7 item 8: the same approval instance id, a reset history, an old link."""
    old = _start(stack, run_id="run-1")["links"]["approve"][0]
    stack.host.terminate(APPROVAL_ID, "reset for the test")
    stack.wait_for(lambda: stack.host.get_status(APPROVAL_ID).is_terminal, "the old approval to end")
    stack.host.purge(APPROVAL_ID)
    new = _start(stack, run_id="run-2")["links"]["approve"][0]
    status, body = _decide(stack, old, "ana@contoso.com")
    assert (status, body["error"]) == (
        403,
        "this approval link belongs to another run (or to an earlier execution of this approval)",
    )
    # Raised straight onto the orchestration, the old link's vote is refused by its ledger.
    token = parse_qs(urlsplit(old).query)["token"][0]
    payload = verify_token_payload(token)
    vote = {"decision": "approve", "nonce": payload["n"], "approver": "ana", "run_id": payload["r"]}
    stack.host.raise_event(APPROVAL_ID, Events.APPROVAL_DECISION, {**vote, "execution": payload["x"]})
    stack.wait_for(lambda: _ledger(stack)["refused"], "the old vote to be refused by the ledger")
    assert _ledger(stack)["refused"][0]["reason"] == "this approval link belongs to run run-1, not to run run-2"
    assert _phase(stack) == "awaiting_approval"
    assert _decide(stack, new, "ana@contoso.com")[0] == 202
    assert _outcome(stack)["decision"] == "approved"


def test_the_same_run_after_a_history_reset_gets_new_links(stack: Stack) -> None:
    old = _start(stack, run_id="run-1")["links"]["approve"][0]
    stack.host.terminate(APPROVAL_ID, "reset for the test")
    stack.wait_for(lambda: stack.host.get_status(APPROVAL_ID).is_terminal, "the old approval to end")
    stack.host.purge(APPROVAL_ID)
    _start(stack, run_id="run-1")
    assert _decide(stack, old, "ana@contoso.com")[0] == 403
    token = parse_qs(urlsplit(old).query)["token"][0]
    payload = verify_token_payload(token)
    vote = {"decision": "approve", "nonce": payload["n"], "approver": "ana", "run_id": "run-1"}
    stack.host.raise_event(APPROVAL_ID, Events.APPROVAL_DECISION, {**vote, "execution": payload["x"]})
    stack.wait_for(lambda: _ledger(stack)["refused"], "the old vote to be refused by the ledger")
    reason = _ledger(stack)["refused"][0]["reason"]
    assert reason == "this approval link belongs to an earlier execution of this approval (its history was reset)"


def verify_token_payload(token: str) -> dict[str, Any]:
    """The signed fields of a link's token, checked with the stack's key."""
    verified = verify_token(APPROVAL_KEY.encode(), token, APPROVAL_ID, "approve")
    return {"n": verified.nonce, "r": verified.run_id, "x": verified.execution}


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
