"""The decisions that can lose data or make a bad day worse, in one place a reviewer can read.

Service modules and orchestrators ask these rules; they never decide on their own. Each rule has
a name (it appears in reports, so an operator can see which rule allowed or stopped an action) and
a test of its own in tests/test_safety.py. Pure functions: no I/O, no clock (orchestrators pass the
deterministic times of their replay).

The rules, after Route 53 ARC's safety rules (explicit assertion and gating rules with wait
periods) and RamenDR's fencing before failover:

- `PRIMARY_DOWN_BY_PROBES`: the primary counts as down only after `failed_probes` consecutive
  probes that got no answer, spanning at least `window_seconds`, with no answer in between. One
  timeout, or two 503s in a row, is not evidence: it is a bad minute.
- `PRIMARY_DOWN_BY_SIGNAL`: the plan's independent confirmation signal (a Log Analytics query or a
  metric, `policy.confirmation`) agreed that the primary is out, and the primary's own probe failed.
- `ANSWER_IS_NOT_AN_OUTAGE`: a side that answered (any HTTP answer that is not a 5xx or 429: 404 and
  409 are answers) is up, whatever the rest of the evidence says.
- `TARGET_MUST_ANSWER`: no failover into a target that does not answer positively. A refusal or an
  error from the *target* never counts as evidence against the primary.
- `DATA_LOSS_NEEDS_POLICY`: a data-loss action (forced SQL failover, Cosmos DB offline region) needs
  `policy.data_loss: allow`, and is never used to fail back or in a drill.
- `SPLIT_BRAIN_GUARD`: right before DNS moves, every SQL primary and every Cosmos DB write region
  must be read in the target and the compute must be serving; otherwise DNS stays.
- `FAILBACK_NEEDS_POSITIVE_HEALTH`: a failback starts only when every service of the primary answered
  positively (not merely "no error").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

PRIMARY_DOWN_BY_PROBES = "primary_down_by_probes"
PRIMARY_DOWN_BY_SIGNAL = "primary_down_by_signal"
ANSWER_IS_NOT_AN_OUTAGE = "answer_is_not_an_outage"
TARGET_MUST_ANSWER = "target_must_answer"
DATA_LOSS_NEEDS_POLICY = "data_loss_needs_policy"
SPLIT_BRAIN_GUARD = "split_brain_guard"
FAILBACK_NEEDS_POSITIVE_HEALTH = "failback_needs_positive_health"

# Actions that may lose writes not yet replicated.
DATA_LOSS_ACTIONS = frozenset({"sql.forced_failover", "cosmos.offline_region"})


class Probe(BaseModel):
    """One look at one side of a resource: did it answer, and when (the orchestration's time)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    at: datetime
    answered: bool
    detail: str = ""


@dataclass(frozen=True)
class Verdict:
    """What the evidence says about a side: `down`, `up`, or `not_yet` (keep looking)."""

    state: Literal["down", "up", "not_yet"]
    rule: str
    reason: str

    @property
    def down(self) -> bool:
        return self.state == "down"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    rule: str
    reason: str


def primary_verdict(
    probes: Sequence[Probe], *, failed_probes: int, window_seconds: float, confirmed_by_signal: bool = False
) -> Verdict:
    """Is the primary down? Only the streak of failures since its last answer counts."""
    if not probes:
        return Verdict("not_yet", PRIMARY_DOWN_BY_PROBES, "the primary has not been probed yet")
    last = probes[-1]
    if last.answered:
        return Verdict("up", ANSWER_IS_NOT_AN_OUTAGE, f"the primary answered at {last.at:%H:%M:%S}")
    streak: list[Probe] = []
    for probe in reversed(probes):
        if probe.answered:
            break
        streak.append(probe)
    streak.reverse()
    if confirmed_by_signal:
        return Verdict(
            "down",
            PRIMARY_DOWN_BY_SIGNAL,
            f"the confirmation signal reports the outage and the primary did not answer ({last.detail})",
        )
    span = (streak[-1].at - streak[0].at).total_seconds()
    if len(streak) >= failed_probes and span >= window_seconds:
        return Verdict(
            "down",
            PRIMARY_DOWN_BY_PROBES,
            f"{len(streak)} probes over {span:.0f}s got no answer (last: {last.detail})",
        )
    return Verdict(
        "not_yet",
        PRIMARY_DOWN_BY_PROBES,
        f"{len(streak)} of {failed_probes} failed probes over {span:.0f}s of {window_seconds:.0f}s so far",
    )


def may_take_data_loss_action(
    action: str, primary: Verdict, target_answered: bool, data_loss: str, *, direction: str = "to_secondary"
) -> Decision:
    """May `action` (one of DATA_LOSS_ACTIONS) be taken now? Every condition must hold."""
    if action not in DATA_LOSS_ACTIONS:
        raise ValueError(f"{action} is not a data-loss action")
    if direction != "to_secondary":
        return Decision(False, DATA_LOSS_NEEDS_POLICY, "a failback never takes a data-loss action")
    if not target_answered:
        return Decision(False, TARGET_MUST_ANSWER, "the target does not answer; not failing over into it")
    if not primary.down:
        return Decision(False, primary.rule, f"the primary is not confirmed down: {primary.reason}")
    if data_loss != "allow":
        return Decision(
            False,
            DATA_LOSS_NEEDS_POLICY,
            f"the primary is down ({primary.reason}), so only a data-loss action would work, "
            "and the plan's policy.data_loss is 'forbid'",
        )
    return Decision(True, primary.rule, primary.reason)


def answered(status_code: int | None) -> bool:
    """`ANSWER_IS_NOT_AN_OUTAGE`: any HTTP answer but a 5xx or a 429 shows the side is there."""
    return status_code is not None and status_code < 500 and status_code != 429


class Reading(BaseModel):
    """One resource read right before DNS moves (`SPLIT_BRAIN_GUARD`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    resource: str
    in_target: bool
    detail: str


def dns_may_move(readings: Sequence[Reading]) -> Decision:
    wrong = [r for r in readings if not r.in_target]
    if wrong:
        listed = "; ".join(f"{r.resource}: {r.detail}" for r in wrong[:10])
        return Decision(False, SPLIT_BRAIN_GUARD, f"{len(wrong)} resource(s) not in the target: {listed}")
    return Decision(True, SPLIT_BRAIN_GUARD, f"all {len(readings)} resources read in the target")


def failback_may_start(positive: Sequence[tuple[str, bool, str]]) -> Decision:
    """`FAILBACK_NEEDS_POSITIVE_HEALTH`: (resource, answered positively, detail) for every service."""
    missing = [f"{resource}: {detail}" for resource, ok, detail in positive if not ok]
    if missing:
        return Decision(False, FAILBACK_NEEDS_POSITIVE_HEALTH, "the primary is not ready: " + "; ".join(missing))
    return Decision(True, FAILBACK_NEEDS_POSITIVE_HEALTH, "every service of the primary answered positively")
