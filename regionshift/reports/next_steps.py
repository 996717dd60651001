"""What to do after a run: options with their exact commands, computed from where the run left things.

A report says what happened; on the worst day a person also needs to know what state that leaves
and what they can do about it. This module reads only the report (its steps, the final state of
resources, the lease, the reason) and names the end state first ("compute runs in the secondary,
DNS still points at the primary"), then the options, each with the commands to run. Pure: no I/O,
so every end state has a test (tests/reports/test_next_steps.py).

The end states it knows: a run refused by the plan's run lease; a failover not approved, stopped by
a readiness check before any write, refused by `policy.data_loss: forbid` while the primary is down,
failed before any write, failed with the data split between the regions, or succeeded; a failback
refused, one that restored the secondary's compute, one that succeeded; a drill that passed or
failed (and one whose resource group was not deleted). Anything else gets a generic "look at what
failed and run it again", never nothing.

Commands name the plan file as `plans/<plan>.yaml` (where the README puts plans) unless the caller
knows the real path (the CLI does). Failback refuses while the primary is down (`regionshift.safety`,
`FAILBACK_NEEDS_POSITIVE_HEALTH`), so compute in the secondary is released during an outage by
deleting the failover resource group by hand, and the option says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from regionshift.contracts import NextStep, RunReport, StepOutcome
from regionshift.reports.labels import short_resource

DATA_KINDS = ("sql", "cosmos")
POLICY_RULE = "data_loss_needs_policy"  # regionshift.safety.DATA_LOSS_NEEDS_POLICY


@dataclass(frozen=True)
class EndState:
    """Where a run left the workload, read from its steps and its final state of resources."""

    data_moved: list[str] = field(default_factory=list)  # replicas the run moved (or found moved)
    data_stayed: list[str] = field(default_factory=list)  # replicas that did not move
    refused_by_policy: list[str] = field(default_factory=list)  # failed only because data_loss is forbid
    compute_up: list[str] = field(default_factory=list)  # scale sets the run brought up (or found up)
    group: str = ""  # the failover (or drill) resource group the run created or found, by name
    group_kept: bool = False  # a resource group step says it was not deleted
    dns: str = "unknown"  # where DNS points now: primary | secondary | mixed | unknown
    wrote: bool = False  # some step changed something (not only read or found it done)


def end_state(report: RunReport) -> EndState:
    steps = [s for s in report.steps if s.kind != "approval"]
    data = [s for s in steps if s.kind in DATA_KINDS and not s.action.startswith("restore_")]
    moved = [_name(s) for s in data if s.ok]
    stayed = [_name(s) for s in data if not s.ok]
    refused = [_name(s) for s in data if s.status == "failed" and s.data.get("rule") == POLICY_RULE]
    compute = [s for s in steps if s.kind == "scale_set" and s.ok and s.data.get("capacity", 1) != 0]
    groups = [s for s in steps if s.kind == "resource_group"]
    group = next((_name(s) for s in groups if s.ok and s.action == "create"), "")
    kept = any(s.action == "delete" and not s.ok for s in groups)
    wrote = any(s.status == "succeeded" and s.kind != "check" for s in steps)
    return EndState(
        data_moved=moved,
        data_stayed=stayed,
        refused_by_policy=refused,
        compute_up=[_name(s) for s in compute],
        group=group,
        group_kept=kept,
        dns=_dns_side(report),
        wrote=wrote,
    )


def next_steps(report: RunReport, plan_file: str | None = None) -> list[NextStep]:
    """The options after `report`'s run, most useful first; never empty."""
    commands = _Commands(report.plan, plan_file or f"plans/{report.plan}.yaml")
    if report.lease.get("granted") is False:
        return _lease_refused(report, commands)
    state = end_state(report)
    if report.operation == "failover":
        return _after_failover(report, state, commands)
    if report.operation == "failback":
        return _after_failback(report, state, commands)
    if report.operation == "drill":
        return _after_drill(report, state, commands)
    return _generic(report, commands)


@dataclass(frozen=True)
class _Commands:
    plan: str
    file: str

    def cli(self, operation: str, *flags: str) -> str:
        return " ".join(["regionshift", operation, self.file, *flags])

    def http(self, operation: str) -> str:
        return f"POST /api/plans/{self.plan}/{operation}  (the Functions app, with its function key)"


def _lease_refused(report: RunReport, commands: _Commands) -> list[NextStep]:
    holder = report.lease.get("holder") or {}
    who = holder.get("instance_id") or holder.get("run_id") or "another run"
    op = report.operation if report.operation != "check" else "failover"
    return [
        NextStep(
            title="Follow the run that holds the plan",
            detail=f"Nothing was changed: {who} holds this plan's run lease, and one run of a plan acts at a time.",
            commands=[f"GET /api/runs/{who}/page", "regionshift check " + commands.file],
        ),
        NextStep(
            title="Break the lease only if that run is dead",
            detail="Its host is gone for good (a laptop that will not come back, a deleted app), not just slow: "
            "two runs acting on one plan at once can split the data.",
            commands=[commands.cli(op, "--break-lease")],
        ),
    ]


def _after_failover(report: RunReport, state: EndState, commands: _Commands) -> list[NextStep]:
    approval = next((s for s in report.steps if s.kind == "approval"), None)
    if approval is not None and approval.status == "failed":
        return [
            NextStep(
                title="Nothing changed: the failover was not approved",
                detail=approval.detail or report.reason,
            ),
            NextStep(
                title="To fail over anyway, start it by hand",
                detail="A person's start needs no separate approval.",
                commands=[commands.cli("failover"), commands.http("failover")],
            ),
        ]
    if report.status == "succeeded":
        return _failover_succeeded(report, state, commands)
    if report.reason.startswith("stopped before any write"):
        return [
            NextStep(
                title="Nothing changed: fix the failing readiness checks, then run it again",
                detail=report.reason,
                commands=[f"regionshift check {commands.file}", commands.cli("failover")],
            ),
            NextStep(
                title="Or go on despite them (a person's decision)",
                detail="The run then tries every step; its report lists the failing checks.",
                commands=[commands.cli("failover", "--force")],
            ),
        ]
    if state.data_moved and state.data_stayed:
        return _data_split(state, commands)
    if state.refused_by_policy:
        return _refused_by_policy(state, commands)
    if not state.wrote and not state.data_moved:
        return [
            NextStep(
                title="Nothing changed: fix what failed and run it again",
                detail=f"DNS points at the {_side(state.dns)}. {report.reason}".strip(),
                commands=[f"regionshift plan {commands.file}", commands.cli("failover")],
            )
        ]
    return [
        NextStep(
            title="Fix what failed and run the failover again",
            detail=f"{_where(state)} A failover run again skips what is already done. {report.reason}".strip(),
            commands=[f"regionshift plan {commands.file}", commands.cli("failover")],
        ),
        _release_compute(state, commands),
    ]


def _failover_succeeded(report: RunReport, state: EndState, commands: _Commands) -> list[NextStep]:
    forced = any(s.kind in DATA_KINDS and s.action in ("forced_failover", "offline_region") for s in report.steps)
    steps = [
        NextStep(
            title="The workload serves from the secondary: watch it there",
            detail=f"{_where(state)} Clients that cached the old DNS answer move within its TTL.",
        )
    ]
    if forced:
        rpo = f" (RPO estimate {report.rpo_seconds:.0f} s)" if report.rpo_seconds is not None else ""
        steps.append(
            NextStep(
                title="Reconcile the writes the forced failover may have lost",
                detail=f"Data was failed over with possible data loss{rpo}: transactions the old primary had not "
                "replicated are not in the secondary. A Cosmos DB region taken offline stays offline until "
                "Microsoft brings it back.",
            )
        )
    steps.append(
        NextStep(
            title="Fail back once the primary is healthy again",
            detail="Failback refuses until every service of the primary answers and has caught up, and says what "
            "is not ready yet.",
            commands=[f"regionshift check {commands.file}", commands.cli("failback")],
        )
    )
    return steps


def _refused_by_policy(state: EndState, commands: _Commands) -> list[NextStep]:
    refused = ", ".join(state.refused_by_policy)
    return [
        NextStep(
            title="Allow data loss and run the failover again",
            detail=f"{_where(state)} The primary is down, so only a forced failover moves {refused}, and the plan "
            "forbids it. Set policy.data_loss: allow in the plan, then run again (what is done stays done).",
            commands=[f"regionshift validate {commands.file}", commands.cli("failover")],
        ),
        NextStep(
            title="Or wait for the primary to come back",
            detail="Nothing is lost by waiting; the workload stays unavailable until the primary answers, and DNS "
            "stays on it.",
            commands=[f"regionshift check {commands.file}"],
        ),
        _release_compute(state, commands),
    ]


def _data_split(state: EndState, commands: _Commands) -> list[NextStep]:
    return [
        NextStep(
            title="The data is split between the regions: decide which way before anything else",
            detail=f"In the secondary now: {', '.join(state.data_moved)}. Still in the primary: "
            f"{', '.join(state.data_stayed)}. DNS points at the {_side(state.dns)}. Writes to both sides diverge.",
        ),
        NextStep(
            title="Fix what stopped the rest and run the failover again",
            detail="What already moved is skipped; DNS moves only when every replica is in the secondary.",
            commands=[f"regionshift plan {commands.file}", commands.cli("failover")],
        ),
        NextStep(
            title="Or bring the moved data home once the primary is healthy",
            detail="Failback moves data back with planned failovers only, and refuses while the primary is down.",
            commands=[commands.cli("failback")],
        ),
    ]


def _release_compute(state: EndState, commands: _Commands) -> NextStep:
    detail = "Failback scales the secondary to zero and deletes the failover resource group, but refuses while the "
    detail += "primary is down."
    extra = []
    if state.group:
        detail += f" During the outage, delete the failover resource group {state.group} by hand (it holds only "
        detail += "what regionshift created there)."
        extra.append(f"az group delete --name {state.group} --yes")
    if not state.compute_up and not state.group:
        detail = "No compute was brought up in the secondary: nothing to release."
    return NextStep(
        title="Release the secondary's compute",
        detail=detail,
        commands=[commands.cli("failback"), *extra] if state.compute_up or state.group else [],
    )


def _after_failback(report: RunReport, state: EndState, commands: _Commands) -> list[NextStep]:
    if report.status == "succeeded":
        return [
            NextStep(
                title="Home: the workload serves from the primary again",
                detail="Run a drill to check that the next failover would work.",
                commands=[commands.cli("drill")],
            )
        ]
    if not report.steps:  # refused before any step: the primary is not ready
        return [
            NextStep(
                title="Nothing changed: the primary is not ready yet",
                detail=f"The workload stays in the secondary. {report.reason}".strip(),
                commands=[f"regionshift check {commands.file}", commands.cli("failback")],
            )
        ]
    restored = [s for s in report.steps if s.action.startswith("restore_")]
    if restored:
        ok = all(s.ok for s in restored)
        detail = (
            "The data step failed, so what had moved home was moved back and the secondary's compute was brought "
            f"up again. DNS points at the {_side(state.dns)}."
        )
        if not ok:
            detail += " Part of that restore failed too: look at the restore steps before anything else."
        return [
            NextStep(
                title="The workload serves from the secondary again: fix what failed, then fail back again",
                detail=detail,
                commands=[f"regionshift check {commands.file}", commands.cli("failback")],
            )
        ]
    return [
        NextStep(
            title="Fix what failed and run the failback again",
            detail=f"DNS points at the {_side(state.dns)}. {report.reason}".strip(),
            commands=[f"regionshift check {commands.file}", commands.cli("failback")],
        ),
        NextStep(
            title="Or serve from the secondary again",
            detail="A failover brings the secondary's compute back up and skips what is already there.",
            commands=[commands.cli("failover")],
        ),
    ]


def _after_drill(report: RunReport, state: EndState, commands: _Commands) -> list[NextStep]:
    steps: list[NextStep] = []
    leftover = [s for s in report.steps if s.kind == "resource_group" and s.action == "delete" and not s.ok]
    if leftover:
        name = _name(leftover[0])
        steps.append(
            NextStep(
                title=f"Delete the drill's resource group {name}",
                detail="The drill could not delete it; it holds only what the drill built.",
                commands=[f"az group delete --name {name} --yes"],
            )
        )
    if report.status == "succeeded":
        return [
            *steps,
            NextStep(
                title="A failover would work now",
                detail="The drill built the secondary's compute and measured it; production was not touched.",
            ),
        ]
    return [
        *steps,
        NextStep(
            title="Fix what the drill found, then drill again",
            detail=report.reason or "A step of the drill failed.",
            commands=[f"regionshift check {commands.file}", commands.cli("drill")],
        ),
    ]


def _generic(report: RunReport, commands: _Commands) -> list[NextStep]:
    if report.status == "succeeded":
        return [NextStep(title="Nothing to do", detail="Every check passed.")]
    return [
        NextStep(
            title="Fix what failed and check again",
            detail=report.reason,
            commands=[f"regionshift check {commands.file}"],
        )
    ]


def _where(state: EndState) -> str:
    parts = []
    if state.compute_up:
        parts.append(f"Compute runs in the secondary ({', '.join(state.compute_up)}).")
    if state.data_moved:
        parts.append(f"Data in the secondary: {', '.join(state.data_moved)}.")
    parts.append(f"DNS points at the {_side(state.dns)}.")
    return " ".join(parts)


def _side(dns: str) -> str:
    return {
        "primary": "primary",
        "secondary": "secondary",
        "mixed": "primary for some records and the secondary for others",
    }.get(dns, "region it pointed at before (unchanged)")


def _dns_side(report: RunReport) -> str:
    """From the final state when it was read (`points_at`), else from the DNS steps."""
    sides = {str(r["points_at"]) for r in report.resources if r.get("kind") == "dns" and r.get("points_at")}
    if not sides:
        dns = [s for s in report.steps if s.kind == "dns"]
        if not dns:
            return "unknown"
        moved = {s.ok for s in dns}
        target = "primary" if report.operation == "failback" else "secondary"
        other = "secondary" if target == "primary" else "primary"
        sides = {target if ok else other for ok in moved}
    if len(sides) == 1:
        side = sides.pop()
        return side if side in ("primary", "secondary") else "mixed"
    return "mixed"


def _name(step: StepOutcome) -> str:
    return short_resource(step.resource)


def steps_for(report: RunReport, plan_file: str | None = None) -> list[NextStep]:
    """The report's own next steps, or computed again where the caller knows the plan's real path."""
    return next_steps(report, plan_file) if plan_file or not report.next_steps else report.next_steps


def with_next_steps(report: RunReport) -> RunReport:
    """`report` with its next steps filled in (kept when it already has them)."""
    return report if report.next_steps else report.model_copy(update={"next_steps": next_steps(report)})
