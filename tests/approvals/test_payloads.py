"""Approval request messages in the three shapes webhooks accept."""

from dataclasses import replace

from regionshift.approvals import ApprovalRequest, render

REQUEST = ApprovalRequest(
    plan="contoso-web",
    operation="failover",
    instance_id="rs-contoso-web-failover:approval:0",
    run_instance_id="rs-contoso-web-failover",
    reason="service health incident in SQL Database",
    forced=True,
    approvers_needed=2,
    expires_at="2025-01-01T00:30:00+00:00",
    approve_urls=("https://app/api/approvals/x/approve?token=a", "https://app/api/approvals/x/approve?token=b"),
    reject_url="https://app/api/approvals/x/reject?token=r",
)


def test_generic_json_carries_both_approve_links_and_the_reject_link() -> None:
    body = render(REQUEST, "json")
    assert body["links"] == {"approve": list(REQUEST.approve_urls), "reject": REQUEST.reject_url}
    assert (body["forced"], body["approversNeeded"], body["type"]) == (True, 2, "regionshift.approvalRequest")


def test_teams_message_is_an_adaptive_card_with_open_url_actions() -> None:
    body = render(REQUEST, "teams")
    assert body["type"] == "message"
    (attachment,) = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard"
    assert [(a["type"], a["title"], a["url"]) for a in card["actions"]] == [
        ("Action.OpenUrl", "Approve (1 of 2)", REQUEST.approve_urls[0]),
        ("Action.OpenUrl", "Approve (2 of 2)", REQUEST.approve_urls[1]),
        ("Action.OpenUrl", "Reject", REQUEST.reject_url),
    ]
    assert "FORCED" in card["body"][0]["text"]


def test_slack_message_has_fallback_text_and_link_buttons() -> None:
    body = render(REQUEST, "slack")
    assert body["text"].startswith("Approve FORCED")
    actions = next(b for b in body["blocks"] if b["type"] == "actions")
    assert [(e["type"], e["url"], e["style"]) for e in actions["elements"]] == [
        ("button", REQUEST.approve_urls[0], "primary"),
        ("button", REQUEST.approve_urls[1], "primary"),
        ("button", REQUEST.reject_url, "danger"),
    ]


def test_a_two_person_rule_asks_for_signed_in_people() -> None:
    signed_in = replace(REQUEST, sign_in="App Service authentication")
    line = "Approvers needed: 2 different signed-in people (a typed name never counts toward this rule)"
    assert line in signed_in.lines()
    body = render(signed_in, "json")
    assert (body["signedInApproversOnly"], body["signIn"], body["ruleCanBeMet"]) == (
        True,
        "App Service authentication",
        True,
    )


def test_where_nobody_signs_in_the_request_says_the_rule_cannot_be_met() -> None:
    body = render(REQUEST, "json")
    assert (body["signIn"], body["ruleCanBeMet"]) == (None, False)
    slack = render(REQUEST, "slack")
    text = next(b for b in slack["blocks"] if b["type"] == "section")["text"]["text"]
    assert "so this rule cannot be met here: reject, or have a person start the run by hand" in text
    teams = [b["text"] for b in render(REQUEST, "teams")["attachments"][0]["content"]["body"]]
    assert any("cannot be met here" in t for t in teams)


def test_one_approver_needs_no_sign_in_note() -> None:
    single = replace(REQUEST, approvers_needed=1, approve_urls=REQUEST.approve_urls[:1])
    assert "Approvers needed: 1" in single.lines()
    assert render(single, "json")["ruleCanBeMet"] is True
