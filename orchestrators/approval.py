"""The approval sub-orchestration: decide whether a run may act, and who said so.

With `policy.approval: automatic` it first reads the plan's confirming signal (an activity); a
confirmed outage is approved by policy. Otherwise — required approval, or a signal that did not
confirm — it posts an approval request (an activity signs the links and calls the webhooks),
then waits for `approval_decision` events against a durable timer (`task_any`). Every event is
one vote, replayed through the ledger, which spends nonces, refuses a vote whose link belongs to
another run or to an earlier execution of this approval, and demands two different signed-in
approvers for a forced failover when the policy says so. On timeout it aborts, or escalates once
(posting to the escalation webhooks and waiting another period) and then aborts.

The execution is the time this orchestration first started (`current_utc_datetime` before the
first yield: the first OrchestratorStarted event's timestamp, the same on every replay; see
`DurableOrchestrationContext.__init__` in azure-functions-durable-python). A reset
history starts a new execution, so links signed for the old one are refused.

Deterministic: the clock is `current_utc_datetime`; all I/O is in activities.
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import timedelta
from typing import Any

import azure.durable_functions as df

from orchestrators.cancel import Cancellation
from regionshift.approvals.ledger import ApprovalLedger, Vote
from regionshift.approvals.wire import ApprovalInput, ApprovalOutcome, Approver, SendRequestInput
from regionshift.forecast import shape
from regionshift.names import Activities, Events, Orchestrators
from regionshift.plan.models import Plan

bp = df.Blueprint()


def _approver(vote: Vote) -> Approver:
    return Approver(
        approver=vote.approver, verified=vote.verified, principal_id=vote.principal_id, comment=vote.comment, at=vote.at
    )


@bp.function_name(Orchestrators.APPROVAL)
@bp.orchestration_trigger(context_name="context")
def approval(context: df.DurableOrchestrationContext) -> Generator[Any, Any, dict[str, Any]]:
    args = ApprovalInput.model_validate(context.get_input())
    execution = context.current_utc_datetime.isoformat()  # read before any yield: this execution's start
    policy = Plan.model_validate(args.plan).policy
    confirmation: dict[str, Any] | None = None
    reason = args.reason
    # [cancel] The run's cancel ends the wait, and nobody is asked after it (orchestrators/cancel.py).
    cancel = Cancellation(context)

    if policy.approval == "automatic":
        context.set_custom_status({"phase": "confirming"})
        confirmation = yield from cancel.watch(context.call_activity(Activities.CONFIRM_OUTAGE, {"plan": args.plan}))
        if confirmation and confirmation.get("confirmed") and not cancel.requested:
            return ApprovalOutcome(
                decision="approved", automatic=True, confirmation=confirmation, reason="confirmed by second signal"
            ).model_dump(mode="json")
        reason = f"{reason}; not confirmed by the second signal, so a person decides".lstrip("; ")

    ledger = ApprovalLedger(
        required=policy.forced_approvers if args.forced else 1, run_id=args.run_id, execution=execution
    )
    rounds = [policy.approval_webhooks]
    if policy.on_approval_timeout == "escalate":
        rounds.append(policy.escalation_webhooks)
    notifications: list[dict[str, Any]] = []
    forecast: dict[str, Any] = {}  # the RTO forecast the request carried, shown on the approval page
    escalated = False
    evidence = {**args.evidence, **({"confirmation": confirmation} if confirmation else {})}

    for round_index, webhooks in enumerate(rounds):
        if cancel.requested:  # [cancel]
            break
        escalated = round_index > 0
        deadline = context.current_utc_datetime + timedelta(minutes=policy.approval_timeout_minutes)
        sent = yield context.call_activity(
            Activities.SEND_APPROVAL_REQUEST,
            SendRequestInput(
                plan=Plan.model_validate(args.plan).name,
                operation=args.operation,
                approval_instance_id=context.instance_id,
                run_instance_id=args.run_instance_id,
                run_id=args.run_id,
                execution=execution,
                reason=reason,
                forced=args.forced,
                approvers_needed=ledger.required,
                expires_at=deadline.isoformat(),
                webhooks=[w.model_dump() for w in webhooks],
                escalated=escalated,
                evidence=evidence,
                forecast_shape=shape(Plan.model_validate(args.plan), forced=args.forced),
            ).model_dump(mode="json"),
        )
        notifications += [{**d, "round": round_index} for d in (sent or {}).get("deliveries", [])]
        forecast = (sent or {}).get("forecast") or forecast
        _publish(context, ledger, deadline.isoformat(), escalated, forecast)
        while ledger.outcome == "pending":
            event = context.wait_for_external_event(Events.APPROVAL_DECISION)
            timer = context.create_timer(deadline)
            winner = yield from cancel.race(event, timer)  # [cancel] None: the run was cancelled
            if winner != timer:
                timer.cancel()
            if winner != event:
                break
            try:
                vote = Vote.from_json(event.result)
            except (ValueError, TypeError) as exc:
                ledger.refused.append({"approver": "?", "decision": "?", "reason": f"malformed decision: {exc}"})
                continue
            ledger.offer(vote)
            _publish(context, ledger, deadline.isoformat(), escalated, forecast)
        if ledger.outcome != "pending":
            break

    outcome = ledger.outcome
    rejected = next((v for v in ledger.accepted if v.decision == "reject"), None)
    if outcome == "pending" and cancel.requested:  # [cancel] no decision came before the cancel
        reason = cancel.by
    result = ApprovalOutcome(
        decision=("cancelled" if cancel.requested else "timed_out") if outcome == "pending" else outcome,
        approvers=[_approver(v) for v in ledger.accepted if v.decision == "approve"],
        rejected_by=_approver(rejected) if rejected else None,
        escalated=escalated,
        confirmation=confirmation,
        refused=ledger.refused,
        notifications=notifications,
        reason=reason,
    )
    context.set_custom_status({"phase": result.decision, "approval": ledger.status()})
    return result.model_dump(mode="json")


def _publish(
    context: df.DurableOrchestrationContext,
    ledger: ApprovalLedger,
    deadline: str,
    escalated: bool,
    forecast: dict[str, Any],
) -> None:
    approval = {**ledger.status(), **({"forecast": forecast} if forecast else {})}
    context.set_custom_status(
        {"phase": "awaiting_approval", "expires_at": deadline, "escalated": escalated, "approval": approval}
    )
