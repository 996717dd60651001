"""The approval link's pages as a person's browser gets them: what is being approved before the
decision, a page saying what was recorded after it, and refusals as pages; JSON callers keep JSON."""

from __future__ import annotations

import time
import urllib.request
from html.parser import HTMLParser
from urllib.parse import urlsplit

from live_stack import LiveStack

from regionshift.approvals.page import ApprovalFacts, decision_page

BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _text(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return " ".join(" ".join(parser.parts).split())


def _browse(live: LiveStack, path: str, body: bytes | None = None) -> tuple[int, str, str]:
    request = urllib.request.Request(live.url + path, data=body, method="POST" if body else "GET", headers=BROWSER)
    if body:
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read().decode()


def test_the_page_shows_what_is_approved_then_what_was_recorded(live: LiveStack) -> None:
    live.start_by_alert()
    deadline = time.monotonic() + 60
    while not live.approval_links():
        assert time.monotonic() < deadline, "the approval request never reached the webhook"
        time.sleep(0.1)
    link = urlsplit(live.approval_links()["approve"][0])
    path = f"{link.path}?{link.query}"

    status, kind, page = _browse(live, path)
    assert (status, kind.split(";")[0]) == (200, "text/html")
    text = _text(page)
    assert "Approve the failover of contoso-web?" in text
    assert "eastus2 → centralus" in text
    assert "may be FORCED: possible data loss" in text  # the example plan allows data loss
    assert "service_health" in text and "SQL Database" in text and "regions East US 2" in text  # the alert
    assert "Readiness not run yet" in text and "Second signal not asked" in text
    assert "started by alert:" in text

    token = link.query.removeprefix("token=")
    status, kind, page = _browse(live, path, f"token={token}&approver=ana&comment=go".encode())
    assert (status, kind.split(";")[0]) == (202, "text/html")
    assert "Your approval was recorded" in _text(page) and "ana (typed, unverified)" in _text(page)
    assert "/api/runs/failover-contoso-web/page" in _text(page)

    status, kind, page = _browse(live, path)  # the same link again, from a browser: a page, not JSON
    assert status in (403, 409) and kind.startswith("text/html")
    assert "This link cannot decide anything now" in _text(page)
    status, body = live.call("GET", path)  # a caller that does not ask for HTML keeps its JSON
    assert status in (403, 409) and "error" in body


def test_the_page_escapes_what_comes_from_plans_and_alerts() -> None:
    hostile = "<img src=x onerror=alert(1)>"
    facts = ApprovalFacts(plan=hostile, reason=hostile, alerts=[{"rule": hostile, "targets": [hostile]}])
    page = decision_page(facts, "approve", "<form></form>", "")
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
