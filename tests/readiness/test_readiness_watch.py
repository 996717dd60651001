"""The scheduled check's result and its announcements, as pure functions (regionshift.readiness_watch)."""

from __future__ import annotations

from datetime import UTC, datetime

from regionshift.contracts import StepOutcome
from regionshift.readiness_watch import change_since, render, settle, summarize
from regionshift_emulator.harness import example_plan

T = datetime(2026, 1, 1, tzinfo=UTC)
PLAN = example_plan().context()


def outcome(action: str, status: str, resource: str = "r", detail: str = "", **data: object) -> StepOutcome:
    return StepOutcome(
        kind="check",
        resource=resource,
        action=action,
        status=status,  # type: ignore[arg-type]
        detail=detail,
        data={"region": "centralus", "answered": True, **data},
    )


def test_what_fails_decides_the_fingerprint_not_the_numbers_in_the_details() -> None:
    a = summarize(PLAN, [outcome("compute_quota", "failed", detail="needs 8, 2 free")], T)
    b = summarize(PLAN, [outcome("compute_quota", "failed", detail="needs 8, 4 free")], T)
    assert a.fingerprint == b.fingerprint and not a.ready
    assert summarize(PLAN, [outcome("dns_record", "succeeded")], T).fingerprint == "healthy"


def test_broke_changed_cleared_and_silence() -> None:
    healthy = settle(None, summarize(PLAN, [outcome("dns_record", "succeeded")], T), None, True)
    quota = summarize(PLAN, [outcome("compute_quota", "failed")], T)
    assert change_since(healthy, quota) == "broke"
    broken = settle(healthy, quota, "broke", True)
    assert change_since(broken, quota) is None
    more = summarize(PLAN, [outcome("compute_quota", "failed"), outcome("drift", "failed", drift="missing")], T)
    assert change_since(broken, more) == "changed"
    assert change_since(broken, summarize(PLAN, [], T)) == "cleared"
    assert change_since(None, summarize(PLAN, [], T)) is None


def test_an_advisory_failure_is_not_news_but_advisory_drift_is() -> None:
    advisory = summarize(PLAN, [outcome("compute_quota", "failed", advisory=True)], T)
    assert (advisory.ready, advisory.healthy, change_since(None, advisory)) == (True, True, None)
    drift = summarize(PLAN, [outcome("drift", "failed", advisory=True, drift="not_in_plan")], T)
    assert (drift.ready, drift.drift, change_since(None, drift)) == (True, True, "broke")


def test_each_format_carries_the_title_and_the_findings() -> None:
    snapshot = summarize(PLAN, [outcome("compute_quota", "failed", resource="quota", detail="0 of 0 free")], T)
    url = "https://app/api/plans/contoso-web/readiness"
    plain = render(snapshot, "broke", "json", url)
    teams = render(snapshot, "broke", "teams", url)
    slack = render(snapshot, "broke", "slack", url)
    assert (
        plain["title"] == "regionshift: plan contoso-web is NOT ready to fail over (1 check(s) would stop a failover)"
    )
    card = teams["attachments"][0]["content"]
    assert card["body"][0]["text"] == plain["title"] and card["actions"][0]["url"] == url
    assert "Stops a failover: compute_quota quota: 0 of 0 free" in slack["blocks"][1]["text"]["text"]
    assert (
        render(snapshot, "cleared", "json", url)["title"] == "regionshift: plan contoso-web is ready to fail over again"
    )
