"""Each rule of regionshift.safety, pinned on its own (pure: no Azure, no host)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from regionshift import safety
from regionshift.safety import Probe, Reading

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def probes(*answers: bool, every: float = 30.0) -> list[Probe]:
    return [Probe(at=T0 + timedelta(seconds=i * every), answered=a, detail="x") for i, a in enumerate(answers)]


def verdict(found: list[Probe], signal: bool = False) -> safety.Verdict:
    return safety.primary_verdict(found, failed_probes=3, window_seconds=60, confirmed_by_signal=signal)


def test_primary_down_needs_enough_failed_probes_over_the_whole_window() -> None:
    assert verdict(probes(False)).state == "not_yet"
    assert verdict(probes(False, False)).state == "not_yet"
    assert verdict(probes(False, False, False, every=10)).state == "not_yet"  # 3 probes, only 20 s
    down = verdict(probes(False, False, False))
    assert down.down and down.rule == safety.PRIMARY_DOWN_BY_PROBES


def test_one_answer_resets_the_streak() -> None:
    assert verdict(probes(False, False, True)).state == "up"
    assert verdict(probes(False, True, False, False)).state == "not_yet"
    assert verdict(probes(False, True, False, False, False)).down


def test_an_answer_is_not_an_outage() -> None:
    up = verdict(probes(True))
    assert up.state == "up" and up.rule == safety.ANSWER_IS_NOT_AN_OUTAGE
    assert safety.answered(404) and safety.answered(409) and safety.answered(401)
    assert not safety.answered(None) and not safety.answered(503) and not safety.answered(429)


def test_the_confirmation_signal_counts_once_the_primary_itself_failed() -> None:
    assert verdict(probes(True), signal=True).state == "up"
    by_signal = verdict(probes(False), signal=True)
    assert by_signal.down and by_signal.rule == safety.PRIMARY_DOWN_BY_SIGNAL


@pytest.mark.parametrize(
    ("target", "data_loss", "direction", "rule"),
    [
        (False, "allow", "to_secondary", safety.TARGET_MUST_ANSWER),
        (True, "forbid", "to_secondary", safety.DATA_LOSS_NEEDS_POLICY),
        (True, "allow", "to_primary", safety.DATA_LOSS_NEEDS_POLICY),
    ],
)
def test_a_data_loss_action_needs_every_condition(target: bool, data_loss: str, direction: str, rule: str) -> None:
    down = verdict(probes(False, False, False))
    decision = safety.may_take_data_loss_action("sql.forced_failover", down, target, data_loss, direction=direction)
    assert not decision.allowed and decision.rule == rule


def test_a_data_loss_action_is_allowed_only_on_evidence() -> None:
    not_yet = verdict(probes(False, False))
    refused = safety.may_take_data_loss_action("cosmos.offline_region", not_yet, True, "allow")
    assert not refused.allowed and refused.rule == safety.PRIMARY_DOWN_BY_PROBES
    down = verdict(probes(False, False, False))
    assert safety.may_take_data_loss_action("cosmos.offline_region", down, True, "allow").allowed
    with pytest.raises(ValueError, match="not a data-loss action"):
        safety.may_take_data_loss_action("dns.switch", down, True, "allow")


def test_dns_moves_only_when_every_reading_is_in_the_target() -> None:
    good = Reading(resource="sql fg", in_target=True, detail="sql-cus is Primary")
    bad = Reading(resource="cosmos a", in_target=False, detail="writes go to East US 2")
    assert safety.dns_may_move([good]).allowed
    refused = safety.dns_may_move([good, bad])
    assert not refused.allowed and refused.rule == safety.SPLIT_BRAIN_GUARD and "cosmos a" in refused.reason


def test_failback_needs_a_positive_answer_from_every_service() -> None:
    assert safety.failback_may_start([("sql", True, "ok"), ("cosmos", True, "ok")]).allowed
    refused = safety.failback_may_start([("sql", True, "ok"), ("cosmos", False, "East US 2 does not answer")])
    assert not refused.allowed and "East US 2 does not answer" in refused.reason
