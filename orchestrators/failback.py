"""The failback orchestration: bring the workload home without losing data.

1. Refuse unless every service of the primary answered positively (regionshift.safety,
   `FAILBACK_NEEDS_POSITIVE_HEALTH`): SQL servers answer and have caught up, Cosmos DB's primary
   region answers and is online again, the DNS records exist. The refusal names what is not ready.
2. Quiesce: scale the secondary's scale sets to zero, so no more data changes there.
3. Fail every data replica back with a planned failover — never a forced one.
   If that fails (or the quiesce itself failed), compute is brought back up in the secondary and DNS
   stays there: the workload keeps serving from the secondary, and the report says so.
4. Only when all data is back and the split-brain guard read it in the primary: switch DNS back.
5. Only when DNS is back: delete the failover resource group (only if regionshift created it and
   everything in it).
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
    activity_input,
    finish,
    guard_before_dns,
    not_started,
    outcomes,
    progress,
    publish,
    replica_branches,
    report,
    skipped,
    skipped_dns,
    switch_dns,
)
from regionshift.azure.inventory import slices
from regionshift.contracts import RunRequest, StepOutcome
from regionshift.names import Activities, Orchestrators
from regionshift.plan import Plan
from regionshift.safety import failback_may_start

bp = df.Blueprint()


@bp.function_name(Orchestrators.FAILBACK)
@bp.orchestration_trigger(context_name="context")
def failback(context: df.DurableOrchestrationContext) -> Generator[Any, Any, dict[str, Any]]:
    request = RunRequest.model_validate(context.get_input())
    plan = Plan.model_validate(request.plan)
    started_at = context.current_utc_datetime
    cancel = Cancellation(context)  # [cancel] made once, at the start (orchestrators/cancel.py)
    return (
        yield from holding_lease(
            context,
            "failback",
            plan,
            request,
            started_at,
            lambda lease: _failback(context, request, plan, started_at, lease, cancel),
        )
    )


def _failback(
    context: Any, request: RunRequest, plan: Plan, started_at: datetime, lease: dict[str, Any], cancel: Cancellation
) -> Generator[Any, Any, dict[str, Any]]:
    context_plan = plan.context()
    total = 2 * len(plan.scale_sets) + len(plan.sql_failover_groups) + len(plan.cosmos_accounts)
    total += len(plan.dns_records) + 1

    def cancelled(
        phase: str, steps: list[StepOutcome], readiness: list[StepOutcome], *, data: bool, dns: bool
    ) -> Generator[Any, Any, dict[str, Any]]:
        """[cancel] End a failback that saw a cancel in `phase` (`yield from`): no new phase, and the
        report names what ran and what that leaves (a quiesced secondary serves nothing)."""
        why = f"not started: {cancel.by}"
        steps = steps + not_started(plan, why, data=data, compute=False, dns="to_primary" if dns else None)
        steps.append(skipped("resource_group", plan.failover_resource_group, "delete", why))
        return finish(context, "failback", plan, request, started_at, steps, total, readiness, lease, cancel, phase)

    def cancelling(steps: list[StepOutcome]) -> Callable[[], None]:
        return lambda: context.set_custom_status(progress("cancelling", steps, total, cancel))

    context.set_custom_status(progress("readiness", [], total))
    checks = [
        Branch(kind="activity", name=Activities.CHECK_FAILBACK_READY, key=f"ready{i}", input=p.model_dump(mode="json"))
        for i, p in enumerate(slices(plan, compute=False))
    ]
    readiness = outcomes((yield from run_branches(context, checks, cancel, cancelling([]))))
    if cancel.requested:  # [cancel] nothing was changed
        return (yield from cancelled("readiness", [], readiness, data=True, dns=True))
    gate = failback_may_start([(c.resource, c.ok, c.detail) for c in readiness])
    if not gate.allowed:
        refused = report(
            "failback",
            plan,
            context.instance_id,
            started_at,
            context.current_utc_datetime,
            [],
            request.started_by,
            reason=gate.reason,
            readiness=readiness,
            lease=lease,
        )
        return (yield from publish(context, plan, refused, total))

    context.set_custom_status(progress("quiesce", [], total))
    quiesce = scale_set_branches(context_plan, plan.scale_sets, key="quiesce", capacity=0)
    steps: list[StepOutcome] = outcomes((yield from run_branches(context, quiesce, cancel, cancelling([]))))
    if cancel.requested:  # [cancel] DNS stays on the secondary: what was quiesced serves again
        steps += restored((yield from _restore_compute(context, plan)))
        return (yield from cancelled("quiesce", steps, readiness, data=True, dns=True))

    if all(s.ok for s in steps):
        context.set_custom_status(progress("data", steps, total))
        data = outcomes(
            (yield from run_branches(context, replica_branches(plan, "to_primary"), cancel, cancelling(steps)))
        )
        steps += data
        if cancel.requested:  # [cancel] what moved home stays there; nothing is moved back
            # DNS stays on the secondary, so its compute serves again: a cancel must not leave
            # clients sent to a region with nothing running (the one new step a cancel takes).
            steps += restored((yield from _restore_compute(context, plan)))
            return (yield from cancelled("data", steps, readiness, data=False, dns=True))
        if not all(s.ok for s in data):
            # The workload goes on serving from the secondary: what moved home moves back (planned
            # only), so the data is not split between the regions, and the compute comes back up.
            context.set_custom_status(progress("restore", steps, total))
            moved = [s.status == "succeeded" for s in data]
            back = plan.model_copy(
                update={
                    "sql_failover_groups": [g for g, m in zip(plan.sql_failover_groups, moved, strict=False) if m],
                    "cosmos_accounts": [
                        a
                        for a, m in zip(plan.cosmos_accounts, moved[len(plan.sql_failover_groups) :], strict=False)
                        if m
                    ],
                    "policy": plan.policy.model_copy(update={"data_loss": "forbid"}),
                }
            )
            undone = outcomes((yield from run_branches(context, replica_branches(back, "to_secondary", key="undo"))))
            steps += restored(undone + (yield from _restore_compute(context, plan)))
    else:
        steps += [
            skipped("sql", g.name, "planned_failover", "not started: quiesce failed") for g in plan.sql_failover_groups
        ]
        steps += [
            skipped("cosmos", a.name, "planned_failover", "not started: quiesce failed") for a in plan.cosmos_accounts
        ]
        # Some scale sets may have gone to zero before another's quiesce failed: DNS stays on the
        # secondary, so everything there serves again.
        context.set_custom_status(progress("restore", steps, total))
        steps += restored((yield from _restore_compute(context, plan)))

    if cancel.requested:  # [cancel] during the restore: its branches that had not acted yet skipped
        return (yield from cancelled("restore", steps, readiness, data=False, dns=True))
    data_back = all(s.ok for s in steps)
    if data_back:
        context.set_custom_status(progress("guard", steps, total))
        decision, guard = yield from guard_before_dns(context, plan, "to_primary")
        steps.append(guard)
        data_back = decision.allowed
        if cancel.requested:  # [cancel] never switch DNS after a cancel
            return (yield from cancelled("guard", steps, readiness, data=False, dns=True))
    if data_back:
        context.set_custom_status(progress("dns", steps, total))
        steps += yield from switch_dns(context, plan, "to_primary")
    else:
        steps += skipped_dns(plan, "to_primary", "not switched: the data is not back in the primary")

    if cancel.requested:  # [cancel] DNS is back; the failover resource group is kept
        return (yield from cancelled("dns", steps, readiness, data=False, dns=False))
    if all(s.ok for s in steps):
        context.set_custom_status(progress("cleanup", steps, total))
        steps += outcomes(
            [
                (
                    yield context.call_sub_orchestrator(
                        Orchestrators.DELETE_GROUP,
                        activity_input(context_plan, resource_group=plan.failover_resource_group),
                        instance_id=f"{context.instance_id}:cleanup",
                    )
                )
            ]
        )
    else:
        steps.append(
            skipped("resource_group", plan.failover_resource_group, "delete", "kept: the failback did not complete")
        )

    return (yield from finish(context, "failback", plan, request, started_at, steps, total, readiness, lease, cancel))


def _restore_compute(context: Any, plan: Plan) -> Generator[Any, Any, list[StepOutcome]]:
    """Every scale set back at its capacity in the secondary (`yield from`)."""
    context_plan = plan.context()
    branches = scale_set_branches(context_plan, [s for s in plan.scale_sets if s.mode == "scale"], key="restore")
    creates = [s for s in plan.scale_sets if s.mode == "create"]
    if creates:
        branches += scale_set_branches(
            context_plan, creates, key="restore", resource_group=plan.failover_resource_group
        )
    return outcomes((yield from run_branches(context, branches)))


def restored(steps: list[StepOutcome]) -> list[StepOutcome]:
    return [s.model_copy(update={"action": f"restore_{s.action}"}) for s in steps]
