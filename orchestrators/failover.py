"""The failover orchestration: data and compute in parallel, then DNS, and only then.

Readiness first, and nothing is written before it passes; its checks of the data replicas run
apart from the others, and their reads of each primary begin the outage's evidence window
(`_first_look`).

Fan-out, longest first (the compute branch: a resource group, then new scale sets, then the
pre-provisioned scale sets, then every SQL failover group and Cosmos DB account): one branch per
resource, each a sub-orchestration that reads, acts on evidence (regionshift.safety) and verifies,
waiting on durable timers; in batches, so no history grows with the plan (orchestrators/fanout.py).
Fan-in waits for every branch: branches return failures as outcomes. DNS is switched only when
every branch succeeded and the split-brain guard has read every data primary, write region and
scale set in the secondary right before: DNS must never point at a region whose data has not
failed over. Otherwise DNS stays on the primary and the run ends `failed` with each reason.

Progress is published as a small custom status at phase boundaries (the extension caps it at
16 KB); each branch publishes its own state, which is where per-branch progress is read.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from datetime import datetime
from typing import Any

import azure.durable_functions as df

from orchestrators.cancel import Cancellation
from orchestrators.compute import scale_set_branches
from orchestrators.fanout import Branch, run_branches
from orchestrators.lease import holding_lease
from orchestrators.steps import (
    approval_step,
    finish,
    guard_before_dns,
    not_started,
    outcomes,
    progress,
    publish,
    replica_branches,
    report,
    skipped_dns,
    stamped,
    switch_dns,
)
from regionshift.approvals.wire import ApprovalInput, ApprovalOutcome
from regionshift.azure import cosmos, sql
from regionshift.azure.readiness import blocking, merge_parts
from regionshift.contracts import RunRequest, StepOutcome
from regionshift.names import Orchestrators
from regionshift.plan import Plan
from regionshift.safety import Probe

bp = df.Blueprint()


@bp.function_name(Orchestrators.FAILOVER)
@bp.orchestration_trigger(context_name="context")
def failover(context: df.DurableOrchestrationContext) -> Generator[Any, Any, dict[str, Any]]:
    request = RunRequest.model_validate(context.get_input())
    plan = Plan.model_validate(request.plan)
    started_at = context.current_utc_datetime
    cancel = Cancellation(context)  # [cancel] made once, at the start (orchestrators/cancel.py)
    return (
        yield from holding_lease(
            context,
            "failover",
            plan,
            request,
            started_at,
            lambda lease: _failover(context, request, plan, started_at, lease, cancel),
        )
    )


def _failover(
    context: Any, request: RunRequest, plan: Plan, started_at: datetime, lease: dict[str, Any], cancel: Cancellation
) -> Generator[Any, Any, dict[str, Any]]:
    tags = {"regionshift-plan": plan.name, "regionshift-run": context.instance_id}
    total = len(plan.sql_failover_groups) + len(plan.cosmos_accounts) + len(plan.scale_sets) + len(plan.dns_records)
    total += 1 if any(s.mode == "create" for s in plan.scale_sets) else 0  # the failover resource group

    def stopped(
        steps: list[StepOutcome], reason: str, readiness: list[StepOutcome] | None = None
    ) -> Generator[Any, Any, dict[str, Any]]:
        """Publish the report of a run that ends before its first write (`yield from`)."""
        ended = context.current_utc_datetime
        result = report(
            "failover",
            plan,
            context.instance_id,
            started_at,
            ended,
            steps,
            request.started_by,
            reason=reason,
            readiness=readiness,
            lease=lease,
        )
        return (yield from publish(context, plan, result, 0))

    def cancelled(
        phase: str, steps: list[StepOutcome], readiness: list[StepOutcome] | None = None
    ) -> Generator[Any, Any, dict[str, Any]]:
        """[cancel] End a run that saw a cancel in `phase` (`yield from`): nothing new is scheduled,
        DNS is not switched, and the report names what ran and what state that leaves."""
        branched = phase in ("data_and_compute", "guard")
        why = f"not started: {cancel.by}"
        steps = steps + not_started(plan, why, data=not branched, compute=not branched, dns="to_secondary")
        return finish(context, "failover", plan, request, started_at, steps, total, readiness, lease, cancel, phase)

    def cancelling(steps: list[StepOutcome]) -> Callable[[], None]:
        return lambda: context.set_custom_status(progress("cancelling", steps, total, cancel))

    approval: list[StepOutcome] = []
    confirmed_outage = False
    if not request.approved:  # started by an alert or a schedule, not by a person: ask first
        context.set_custom_status(progress("approval", [], 0))
        asked = context.current_utc_datetime  # the approval wait is a step on the report's timeline
        decision = ApprovalOutcome.model_validate(
            (
                yield from cancel.watch(
                    context.call_sub_orchestrator(
                        Orchestrators.APPROVAL,
                        ApprovalInput(
                            plan=request.plan,
                            run_instance_id=context.instance_id,
                            run_id=request.run_id,
                            # Whether the outage forces data loss is known only once the branches run:
                            # a plan that allows it gets the forced failover's approval rule up front.
                            forced=plan.policy.data_loss == "allow",
                            reason=f"started by {request.started_by}",
                        ).model_dump(mode="json"),
                        instance_id=f"{context.instance_id}:approval",
                    ),
                    cancelling([]),
                )
            )
        )
        approval += stamped([approval_step(plan.name, decision)], asked, context.current_utc_datetime)
        if cancel.requested:  # [cancel]
            return (yield from cancelled("approval", approval))
        if decision.decision != "approved":
            reason = f"not approved ({decision.decision}): {decision.reason or 'no reason given'}"
            return (yield from stopped(approval, reason))
        confirmed_outage = bool(decision.automatic and (decision.confirmation or {}).get("confirmed"))

    # Readiness checks before any write. A failing required check, or one that could not be answered
    # about the secondary, stops the failover: when in doubt, stop and ask a person. A person who
    # started it may go on anyway (`--force`); the failures are then in its report.
    # Beside them, a first look at every data replica's primary starts the outage's evidence window.
    context.set_custom_status(progress("readiness", approval, 0))
    checks = context.call_sub_orchestrator(
        Orchestrators.READINESS, {"plan": request.plan, "part": "rest"}, instance_id=f"{context.instance_id}:readiness"
    )
    data_checks = context.call_sub_orchestrator(
        Orchestrators.READINESS,
        {"plan": request.plan, "part": "data"},
        instance_id=f"{context.instance_id}:readiness-data",
    )
    prior = yield from _first_look(context, plan, data_checks, checks, cancel)
    both = context.task_all([checks, data_checks])
    rest, data = yield from cancel.watch(both, cancelling(approval))
    readiness = merge_parts(outcomes([rest]), outcomes([data]))
    if cancel.requested:  # [cancel]
        return (yield from cancelled("readiness", approval, readiness))
    stopping = blocking(plan, readiness)
    if stopping and not request.force:
        reason = "stopped before any write: " + "; ".join(f"{c.action} {c.resource}: {c.detail}" for c in stopping)
        if request.approved:
            reason += " (to go on anyway, start it again with --force)"
        return (yield from stopped(approval, reason, readiness))

    creates = [s for s in plan.scale_sets if s.mode == "create"]
    branches: list[Branch] = []
    if creates:  # the longest path first: a resource group, then scale sets built from an image, then scale-ups
        compute = {"plan": request.plan, "resource_group": plan.failover_resource_group, "tags": tags, "scale": True}
        branches.append(Branch(name=Orchestrators.PROVISION_COMPUTE, key="compute", input=compute))
    else:
        scale_ups = [s for s in plan.scale_sets if s.mode == "scale"]
        branches += scale_set_branches(plan.context(), scale_ups, key="scale", tags=tags)
    replicas = replica_branches(plan, "to_secondary", confirmed_outage=confirmed_outage)
    branches += [b.model_copy(update={"input": {**b.input, "prior_probes": prior.get(b.key, [])}}) for b in replicas]
    context.set_custom_status(progress("data_and_compute", approval, total))

    steps: list[StepOutcome] = approval + outcomes(
        (yield from run_branches(context, branches, cancel, cancelling(approval)))
    )
    if cancel.requested:  # [cancel] the branches that had not acted ended skipped; DNS stays
        return (yield from cancelled("data_and_compute", steps, readiness))

    if all(s.ok for s in steps):
        context.set_custom_status(progress("guard", steps, total))
        guard_decision, guard = yield from guard_before_dns(context, plan, "to_secondary")
        steps.append(guard)
        if cancel.requested:  # [cancel] never switch DNS after a cancel
            return (yield from cancelled("guard", steps, readiness))
        if guard_decision.allowed:
            context.set_custom_status(progress("dns", steps, total))
            steps += yield from switch_dns(context, plan, "to_secondary")
        else:
            steps += skipped_dns(plan, "to_secondary", f"not switched: {guard_decision.reason}")
    else:
        steps += skipped_dns(plan, "to_secondary", "not switched: a data or compute branch failed")

    # A cancel that came while DNS was being switched stopped nothing: the report still names it.
    return (yield from finish(context, "failover", plan, request, started_at, steps, total, readiness, lease, cancel))


def _first_look(
    context: Any, plan: Plan, data_checks: Any, rest: Any, cancel: Cancellation
) -> Generator[Any, Any, dict[str, list[dict[str, Any]]]]:
    """The first probe of every data replica's primary, by replica branch key (`yield from`): what
    the readiness checks of the data (`data_checks`, run apart from the `rest`) found when they read
    it (`with_evidence` in regionshift.azure.readiness).

    A data-loss action waits a whole evidence window of failed probes (regionshift.safety
    PRIMARY_DOWN_BY_PROBES). Begun only in the branches, that window came after readiness, which at
    1,000 resources takes tens of seconds; begun with the data checks it runs while the other checks
    do, at no extra read: ARM's read budget is per subscription, and a second look beside the checks
    would spend it on what they already read. Each probe is stamped when the data checks had all
    ended (the first moment the orchestration knows of them, so the window is never overstated);
    a throttled read is no evidence and is dropped; a check that could not read the primary leaves
    its branch to begin the window itself. A plan that forbids data loss needs no window."""
    yield from cancel.race(data_checks, rest)  # whichever ends first: the data checks stamp their evidence now
    found = outcomes([(yield data_checks)])
    if plan.policy.data_loss == "forbid" or cancel.requested:
        return {}
    at = context.current_utc_datetime
    evidence = {c.resource: c.data["evidence"] for c in found if isinstance(c.data.get("evidence"), dict)}
    keys = {
        sql.primary_server(g).failover_group_id(plan.subscription_of(g), g.name): f"sql{i}"
        for i, g in enumerate(plan.sql_failover_groups)
    }
    keys |= {cosmos.account_id(plan, a): f"cosmos{i}" for i, a in enumerate(plan.cosmos_accounts)}
    prior: dict[str, list[dict[str, Any]]] = {}
    for resource, key in keys.items():
        seen = evidence.get(resource)
        if seen is not None and not seen.get("throttled"):
            probe = Probe(at=at, answered=bool(seen.get("answered")), detail=str(seen.get("detail", "")))
            prior[key] = [probe.model_dump(mode="json")]
    return prior
