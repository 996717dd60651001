"""The RTO forecast: how long a failover of this plan would take now, as a p50 and a p90.

A failover's RTO (run start to DNS switched, `orchestrators.steps.report`) is its phases in order:
the start (run lease and readiness checks), the fan-out of every branch in parallel (so its longest
branch: the compute branch is the failover group's creation, then its slowest new scale set), the
split-brain guard, and DNS. So the forecast is start + the critical path of the fan-out + guard +
DNS, each phase as a p50 and a p90. The p50 of the fan-out is the largest of its branches' p50s
(the median of a maximum is at least that; the p90 is the largest p90), so both lean low only when
many branches of equal length race; the measured RTO of a run is compared with it in the tests.

Each step kind's figures come, in this order of preference, from:
1. the durations of that kind in this plan's recent failovers, failbacks and drills (their reports,
   `regionshift.forecast_history`): nearest-rank p50 and p90 of the succeeded steps;
2. documented Azure figures, with their source (`DOCUMENTED`). Where Microsoft documents only an
   upper bound, the p90 is that bound and the p50 half of it; where it documents nothing the figure
   says so and is regionshift's own, chosen long rather than short.
A forced data step first waits for the evidence that the primary is down (`policy.outage_evidence`,
`regionshift.safety`: `failed_probes` probes spanning `window_seconds`); without history the
forecast adds that window to the forced operation's figure (a history's forced steps include it).
DNS clients may keep the old answer for up to the record's TTL after the RTO; a note says so.

Pure: the history and the plan's steps are given; no I/O, no clock.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from regionshift.azure.planned import PlannedStep
from regionshift.contracts import RunReport, StepKind, WireModel
from regionshift.plan import Plan, PlanContext

BRANCH_KINDS = ("sql", "cosmos", "scale_set", "resource_group")


@dataclass(frozen=True)
class Figure:
    p50: float
    p90: float
    source: str


_SQL = (
    "Learn, 'Overview of business continuity with Azure SQL Database' (RTO table): manual database "
    "failover 30 s; p90 assumed twice that"
)
_COSMOS = (
    "Learn, 'Consistency levels in Azure Cosmos DB' (RTO table): < 15 minutes for a region outage of an "
    "account with one write region; p90 that bound, p50 half of it"
)
DOCUMENTED: dict[str, Figure] = {
    "sql.planned_failover": Figure(30, 60, _SQL),
    "sql.forced_failover": Figure(30, 60, _SQL),
    "cosmos.planned_failover": Figure(450, 900, _COSMOS),
    "cosmos.forced_failover": Figure(450, 900, _COSMOS),
    "scale_set.create": Figure(
        300,
        900,
        "not documented by Microsoft: regionshift assumes 5 min p50, 15 min p90 to create a scale set and run it",
    ),
    "scale_set.scale": Figure(
        240, 600, "not documented by Microsoft: regionshift assumes 4 min p50, 10 min p90 to start instances"
    ),
    "resource_group.create": Figure(
        5, 15, "Resource Groups - Create Or Update answers at once (not long-running); seconds assumed"
    ),
    "dns.switch": Figure(
        5, 15, "Record Sets - Create Or Update is not long-running; seconds assumed (name servers follow within 60 s)"
    ),
    "phase.start": Figure(15, 45, "regionshift's own: the run lease and the readiness checks (reads); assumed"),
    "phase.guard": Figure(5, 15, "regionshift's own: one read per resource before DNS moves; assumed"),
    "already_done": Figure(2, 5, "regionshift's own: a step already done is one read; assumed"),
}


class Leg(WireModel):
    phase: str  # start, fan_out, guard, dns
    key: str  # the step kind: sql.planned_failover, scale_set.create, ...
    label: str  # what it is about: a resource, or "3 records"
    p50_seconds: float
    p90_seconds: float
    source: str
    samples: int = 0  # durations seen in this plan's runs (0: a documented figure)


class Forecast(WireModel):
    p50_seconds: float
    p90_seconds: float
    target_seconds: float | None = None
    over_target: bool = False
    critical: str = ""  # the fan-out's longest branch
    legs: list[Leg] = []  # the phases, and for the fan-out its critical branch
    notes: list[str] = []

    def brief(self) -> dict[str, object]:
        """The forecast in a few fields, for an approval request and the page (custom status)."""
        return {
            "p50_seconds": self.p50_seconds,
            "p90_seconds": self.p90_seconds,
            "target_seconds": self.target_seconds,
            "over_target": self.over_target,
            "critical": self.critical,
            "summary": self.summary(),
            "warning": self.notes[0] if self.over_target else "",
        }

    def summary(self) -> str:
        text = f"forecast RTO p50 {minutes(self.p50_seconds)}, p90 {minutes(self.p90_seconds)}"
        if self.target_seconds is not None:
            verdict = "OVER" if self.over_target else "within"
            text += f" ({verdict} the target of {minutes(self.target_seconds)})"
        return text


def minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min" if seconds >= 90 else f"{seconds:.0f} s"


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def step_key(kind: str, action: str, status: str) -> str | None:
    """The kind of duration a step is a sample (or a forecast) of, None when it is not one."""
    if status == "already_done":
        return "already_done"
    if kind in ("sql", "cosmos") and action in ("planned_failover", "forced_failover"):
        return f"{kind}.{action}"
    if kind == "scale_set" and action in ("create", "scale"):
        return f"scale_set.{action}"
    if kind == "resource_group" and action == "create":
        return "resource_group.create"
    if kind == "dns" and action.startswith("switch_to_"):
        return "dns.switch"
    if kind == "check" and action == "split_brain_guard":
        return "phase.guard"
    return None


History = Mapping[str, list[float]]


def history_from_reports(reports: Iterable[RunReport]) -> dict[str, list[float]]:
    """Durations by step kind from run reports: succeeded steps only; `phase.start` is a run's
    start to its first branch (runs that waited for approval are left out: that is people's time)."""
    samples: dict[str, list[float]] = {}
    for report in reports:
        branch_starts = []
        for step in report.steps:
            if step.status not in ("succeeded", "already_done") or not (step.started_at and step.ended_at):
                continue
            key = step_key(step.kind, step.action, step.status)
            if key is not None and key != "already_done":
                samples.setdefault(key, []).append((step.ended_at - step.started_at).total_seconds())
            if step.kind in BRANCH_KINDS:
                branch_starts.append(step.started_at)
        if branch_starts and not any(s.kind == "approval" for s in report.steps):
            samples.setdefault("phase.start", []).append((min(branch_starts) - report.started_at).total_seconds())
    return samples


def _figure(key: str, history: History) -> tuple[float, float, str, int]:
    seen = history.get(key) or []
    if seen:
        return percentile(seen, 0.5), percentile(seen, 0.9), f"{len(seen)} recent run step(s) of this plan", len(seen)
    figure = DOCUMENTED[key]
    return figure.p50, figure.p90, figure.source, 0


def _leg(phase: str, key: str, label: str, history: History, plan: PlanContext) -> Leg:
    p50, p90, source, samples = _figure(key, history)
    if key.endswith("forced_failover") and not samples:
        window = plan.policy.outage_evidence.window_seconds
        p50, p90 = p50 + window, p90 + window
        source += f"; plus the {window} s evidence window (policy.outage_evidence)"
    return Leg(phase=phase, key=key, label=label, p50_seconds=p50, p90_seconds=p90, source=source, samples=samples)


def forecast(plan: PlanContext, steps: list[PlannedStep], history: History, *, dns_ttl: int = 0) -> Forecast:
    """The forecast of a failover of `plan` taking `steps` (the dry run's, or a `shape`'s); `dns_ttl`
    is the largest TTL of the records it switches."""
    notes: list[str] = []
    branches: list[Leg] = []
    group: Leg | None = None
    creates: list[Leg] = []
    for step in steps:
        key = step_key(step.kind, step.action, step.status) if step.status in ("to_do", "already_done") else None
        if step.kind == "dns" or key is None:
            if step.status == "would_fail":
                notes.append(f"{step.kind} {step.resource} would fail: the forecast is of a run that gets past it")
            continue
        leg = _leg("fan_out", key, step.resource, history, plan)
        if step.kind == "resource_group":
            group = leg
        elif step.kind == "scale_set" and step.action == "create":
            creates.append(leg)
        else:
            branches.append(leg)
    if group is not None or creates:
        slowest = max(creates, key=lambda leg: leg.p90_seconds, default=None)
        parts = [leg for leg in (group, slowest) if leg is not None]
        branches.append(
            Leg(
                phase="fan_out",
                key="+".join(leg.key for leg in parts),
                label="compute: " + ", then ".join(leg.label for leg in parts),
                p50_seconds=sum(leg.p50_seconds for leg in parts),
                p90_seconds=sum(leg.p90_seconds for leg in parts),
                source="; ".join(dict.fromkeys(leg.source for leg in parts)),
                samples=min(leg.samples for leg in parts),
            )
        )
    legs = [_leg("start", "phase.start", "run lease and readiness checks", history, plan)]
    critical = max(branches, key=lambda leg: (leg.p90_seconds, leg.p50_seconds), default=None)
    if critical is not None:
        p50_max = max(leg.p50_seconds for leg in branches)
        legs.append(critical.model_copy(update={"p50_seconds": p50_max}))
    legs.append(_leg("guard", "phase.guard", "split-brain guard", history, plan))
    records = [s for s in steps if s.kind == "dns" and s.status in ("to_do", "already_done")]
    if records:
        legs.append(_leg("dns", "dns.switch", f"{len(records)} record(s)", history, plan))
        notes.append(f"clients may keep the old DNS answer up to {dns_ttl} s (the largest TTL) after the RTO")
    p50 = sum(leg.p50_seconds for leg in legs)
    p90 = sum(leg.p90_seconds for leg in legs)
    target = plan.policy.rto_target_minutes * 60.0 if plan.policy.rto_target_minutes else None
    over = target is not None and p90 > target
    if over:
        notes.insert(0, f"the p90 ({minutes(p90)}) exceeds the RTO target ({minutes(target or 0)})")
    return Forecast(
        p50_seconds=round(p50, 1),
        p90_seconds=round(p90, 1),
        target_seconds=target,
        over_target=over,
        critical=critical.label if critical else "",
        legs=legs,
        notes=notes,
    )


def dns_ttl(plan: Plan) -> int:
    return max((r.ttl for r in plan.dns_records), default=0)


def shape(plan: Plan, *, forced: bool) -> dict[str, object]:
    """A failover of `plan` from its declarations alone (no reads), small enough for an activity's
    input whatever the plan's size: one step per kind of step (steps of one kind have one figure, so
    one stands for all), every data step planned, or forced when the primary is assumed down. What an
    approval request forecasts (`forecast_shape`)."""
    action = "forced_failover" if forced else "planned_failover"
    kinds: list[tuple[StepKind, str, int, str]] = [
        ("sql", action, len(plan.sql_failover_groups), "SQL failover group(s)"),
        ("cosmos", action, len(plan.cosmos_accounts), "Cosmos DB account(s)"),
        ("resource_group", "create", 1 if any(s.mode == "create" for s in plan.scale_sets) else 0, "failover group"),
        ("scale_set", "create", sum(1 for s in plan.scale_sets if s.mode == "create"), "scale set(s) to create"),
        ("scale_set", "scale", sum(1 for s in plan.scale_sets if s.mode == "scale"), "scale set(s) to scale"),
        ("dns", "switch_to_secondary", len(plan.dns_records), "DNS record(s)"),
    ]
    steps = [
        PlannedStep(
            kind=kind,
            resource=f"{count} {what}",
            action=act,
            status="to_do",
            forced=forced if kind in ("sql", "cosmos") else None,
        )
        for kind, act, count, what in kinds
        if count
    ]
    return {
        "plan": plan.context().model_dump(mode="json"),
        "steps": [s.model_dump(mode="json") for s in steps],
        "dns_ttl": dns_ttl(plan),
    }


def forecast_shape(data: Mapping[str, object], history: History) -> Forecast:
    plan = PlanContext.model_validate(data["plan"])
    steps = [PlannedStep.model_validate(s) for s in data["steps"]]  # type: ignore[attr-defined]
    return forecast(plan, steps, history, dns_ttl=int(str(data.get("dns_ttl") or 0)))
