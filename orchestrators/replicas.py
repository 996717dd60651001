"""Branches for data replicas: one SQL failover group or one Cosmos DB account each.

A branch reads both sides, then acts, then reads again until the target is where it should be:

1. The target must answer. A target that keeps not answering fails the branch: never fail over
   into an unhealthy secondary, and never read its silence as the primary's.
2. While the source answers, the only action is the planned one (no data loss). If it does not
   complete and the source still answers, the branch fails and a person decides.
3. While the source does not answer, the branch keeps probing on durable timers until
   `regionshift.safety` says the evidence is enough (or the source answers again). Only then, and
   only if the plan allows data loss, is the data-loss action taken (forced SQL failover, Cosmos DB
   offline region).
4. A started operation is polled on durable timers up to its deadline; then the branch reads the
   resource again and decides from what it sees, never from what it assumed.

Deterministic: every fact comes from an activity; every time from `current_utc_datetime`.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import azure.durable_functions as df

from orchestrators.cancel import Cancellation
from orchestrators.fanout import never_raises
from orchestrators.waiting import DEADLINES, sleep, wait_for_operation
from regionshift.azure import cosmos, sql
from regionshift.contracts import ActivityInput, Assessment, Begun, StepKind, StepOutcome
from regionshift.names import Activities, Orchestrators
from regionshift.plan import PlanContext
from regionshift.safety import (
    ANSWER_IS_NOT_AN_OUTAGE,
    TARGET_MUST_ANSWER,
    Probe,
    may_take_data_loss_action,
    primary_verdict,
)

bp = df.Blueprint()
MIN_PROBE_INTERVAL = timedelta(seconds=1)


@dataclass(frozen=True)
class Replica:
    kind: StepKind
    assess: str
    begin: str
    data_loss_action: str
    forced_rpo_seconds: float
    rpo_basis: str


SQL = Replica(
    "sql",
    Activities.SQL_ASSESS,
    Activities.SQL_BEGIN_FAILOVER,
    "sql.forced_failover",
    sql.DOCUMENTED_RPO_SECONDS,
    "documented upper bound for geo-replication",
)
COSMOS = Replica(
    "cosmos",
    Activities.COSMOS_ASSESS,
    Activities.COSMOS_BEGIN_FAILOVER,
    "cosmos.offline_region",
    float(cosmos.DOCUMENTED_RPO_SECONDS),
    "documented upper bound for session consistency",
)


def replica_branch(context: Any, replica: Replica) -> Generator[Any, Any, dict[str, Any]]:
    raw = context.get_input()
    args = ActivityInput.model_validate(raw)
    plan = PlanContext.model_validate(args.plan)
    evidence = plan.policy.outage_evidence
    interval = max(MIN_PROBE_INTERVAL, timedelta(seconds=evidence.interval_seconds))
    started = context.current_utc_datetime
    deadline = started + DEADLINES[replica.kind]
    # The run's first look at the source, by its readiness checks, starts the evidence window (failover.py).
    probes: list[Probe] = [Probe.model_validate(p) for p in args.prior_probes]
    step = {"action": "failover", "resource": ""}
    acted: str | None = None  # "planned" or "forced" once an operation was started and ended
    planned_failed = forced_failed = False
    target_misses = 0
    last = ""
    cancel = Cancellation(context)  # [cancel] checked before any write or data-loss action

    def end(status: str, detail: str, **data: Any) -> dict[str, Any]:
        return StepOutcome(
            kind=replica.kind,
            resource=step["resource"],
            action=step["action"],
            status=status,  # type: ignore[arg-type]
            started_at=started,
            ended_at=context.current_utc_datetime,
            detail=detail,
            data=data,
        ).model_dump(mode="json")

    def look() -> Generator[Any, Any, Assessment]:
        found = Assessment.model_validate((yield from cancel.watch(context.call_activity(replica.assess, raw))))
        source = found.source
        if not source.throttled:  # a throttled read is no evidence either way
            probes.append(Probe(at=context.current_utc_datetime, answered=source.answered, detail=source.detail))
        step["resource"] = found.resource
        return found

    def nap() -> Generator[Any, Any, None]:
        """Wait one probe interval; a cancel ends the wait at once (after it, waits are plain)."""
        if cancel.requested:
            return (yield from sleep(context, interval, deadline))
        timer = context.create_timer(min(context.current_utc_datetime + interval, deadline))
        if (yield from cancel.race(timer)) is None:
            timer.cancel()

    def act(forced: bool) -> Generator[Any, Any, tuple[str, str]]:
        """Start the operation and wait for it: ("ended" | "busy" | "failed", what happened)."""
        nonlocal acted
        begun = Begun.model_validate((yield context.call_activity(replica.begin, {**raw, "forced": forced})))
        if begun.outcome == "refused":
            return "failed", f"refused: {begun.detail}"
        if begun.outcome == "in_progress":  # another operation runs on it (ours before a crash, or someone's)
            yield from nap()
            return "busy", begun.detail
        if begun.outcome == "started" and begun.handle is not None:
            context.set_custom_status({"kind": replica.kind, "resource": step["resource"], "state": "waiting"})
            status = yield from wait_for_operation(context, begun.handle, deadline)
            if status.status != "Succeeded":
                return "failed", f"{status.status}: {status.error}".rstrip(": ")
        acted = "forced" if forced else "planned"
        return "ended", begun.detail

    verdict = primary_verdict(
        probes,
        failed_probes=evidence.failed_probes,
        window_seconds=evidence.window_seconds,
        confirmed_by_signal=args.confirmed_outage,
    )
    if probes and not probes[-1].answered and verdict.state == "not_yet":
        # The readiness check's read of the primary found no answer: it was this branch's first probe,
        # and nothing can be decided before the window's next one is due (the window needs its span).
        # So the branch waits for it instead of reading at once: a thousand branches reading together
        # would spend ARM's read budget and the host's time just when the scale sets' creations start.
        due = min(probes[-1].at + interval, deadline)
        if due > context.current_utc_datetime:
            context.set_custom_status({"kind": replica.kind, "state": "probing"})
            timer = context.create_timer(due)
            if (yield from cancel.race(timer)) is None:
                timer.cancel()
    found = yield from look()
    while True:
        if found.error:
            return end("failed", found.error)
        if found.done:
            if acted == "forced":
                return end(
                    "succeeded",
                    f"the target is now primary (forced: writes not yet replicated may be lost; {last})",
                    forced=True,
                    rpo_seconds=replica.forced_rpo_seconds,
                    rpo_basis=replica.rpo_basis,
                    probes=len(probes),
                )
            if acted == "planned":
                return end(
                    "succeeded", "the target is now primary (planned, no data loss)", forced=False, rpo_seconds=0.0
                )
            return end("already_done", f"{found.target.region} is already the primary", forced=False)
        if context.current_utc_datetime >= deadline:
            return end("failed", f"not done before the {DEADLINES[replica.kind]} deadline ({last or 'no answer'})")
        if found.in_progress:
            yield from nap()
            found = yield from look()
            continue
        if acted is not None:
            return end(
                "failed", f"the {acted} failover finished but the target is {found.target.role or 'not primary'}"
            )
        if cancel.requested:  # [cancel] nothing runs on it, and nothing is started after a cancel
            return end("skipped", f"{cancel.by}: no failover was started on it")

        if found.target.throttled or (found.source.throttled and not found.source.answered):
            yield from sleep(context, interval, deadline)  # ARM's read budget, not the regions: ask again
            found = yield from look()
            continue
        if not found.target.answered:
            target_misses += 1
            if target_misses >= evidence.failed_probes:
                return end(
                    "failed",
                    f"the target ({found.target.region}) does not answer ({found.target.detail}); "
                    "not failing over into it",
                    rule=TARGET_MUST_ANSWER,
                )
            yield from nap()
            found = yield from look()
            continue
        target_misses = 0

        if found.source.answered:
            if planned_failed:
                return end(
                    "failed",
                    f"the planned failover did not complete ({last}) and the primary answers, so no data-loss "
                    "action is taken: a person should look",
                    rule=ANSWER_IS_NOT_AN_OUTAGE,
                )
            step["action"] = "planned_failover"
            context.set_custom_status({"kind": replica.kind, "resource": step["resource"], "state": "planned"})
            how, last = yield from act(forced=False)
            planned_failed = how == "failed"
            found = yield from look()
            continue

        verdict = primary_verdict(
            probes,
            failed_probes=evidence.failed_probes,
            window_seconds=evidence.window_seconds,
            confirmed_by_signal=args.confirmed_outage,
        )
        if verdict.state == "not_yet":
            context.set_custom_status({"kind": replica.kind, "resource": step["resource"], "state": "probing"})
            yield from nap()
            found = yield from look()
            continue
        decision = may_take_data_loss_action(
            replica.data_loss_action, verdict, found.target.answered, plan.policy.data_loss, direction=args.direction
        )
        if not decision.allowed:
            step["action"] = "planned_failover"
            return end("failed", decision.reason, rule=decision.rule)
        if forced_failed:
            return end("failed", f"the forced failover did not complete: {last}", rule=decision.rule)
        step["action"] = "forced_failover"
        context.set_custom_status({"kind": replica.kind, "resource": step["resource"], "state": "forced"})
        how, ended = yield from act(forced=True)
        forced_failed = how == "failed"
        last = f"{decision.rule}: {decision.reason}; {ended}"
        found = yield from look()


@bp.function_name(Orchestrators.SQL_BRANCH)
@bp.orchestration_trigger(context_name="context")
def sql_branch(context: df.DurableOrchestrationContext) -> Generator[Any, Any, dict[str, Any]]:
    return (yield from never_raises(context, "sql", replica_branch(context, SQL)))


@bp.function_name(Orchestrators.COSMOS_BRANCH)
@bp.orchestration_trigger(context_name="context")
def cosmos_branch(context: df.DurableOrchestrationContext) -> Generator[Any, Any, dict[str, Any]]:
    return (yield from never_raises(context, "cosmos", replica_branch(context, COSMOS)))
