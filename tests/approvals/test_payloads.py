"""Approval request messages in the three shapes webhooks accept."""

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
