"""Azure SQL failover groups: fail a group over to one side, reading state before acting.

A failover is issued on the server that is to become primary. Planned failover (`failover`)
needs both sides and loses no data; while the other side is down Azure refuses it and only
`forceFailoverAllowDataLoss` works, which regionshift uses only when the plan allows data loss
and never to fail back. Azure itself demotes an old primary when its region comes back, so a
forced failover never leaves two writable primaries.
"""

from __future__ import annotations

from dataclasses import dataclass

from azure.core.exceptions import AzureError, ResourceNotFoundError

from regionshift.azure.clients import AzureClients
from regionshift.azure.ids import parse_resource_id
from regionshift.azure.outcomes import Step, StepFailed, azure_call, describe_error
from regionshift.azure.planned import PlannedStatus, PlannedStep
from regionshift.contracts import StepOutcome
from regionshift.plan import PlanContext, SqlFailoverGroup

# Microsoft's documented RPO for geo-replication: what a forced failover may lose at most.
DOCUMENTED_RPO_SECONDS = 5.0


@dataclass(frozen=True)
class ServerRef:
    resource_group: str
    server: str

    def failover_group_id(self, subscription_id: str, name: str) -> str:
        return (
            f"/subscriptions/{subscription_id}/resourceGroups/{self.resource_group}"
            f"/providers/Microsoft.Sql/servers/{self.server}/failoverGroups/{name}"
        )


def primary_server(group: SqlFailoverGroup) -> ServerRef:
    return ServerRef(group.resource_group, group.server)


def partner_server(clients: AzureClients, subscription_id: str, group: SqlFailoverGroup) -> ServerRef:
    """The server in the secondary region: from the plan, else asked of the primary server."""
    if group.partner_server:
        return ServerRef(group.partner_resource_group or group.resource_group, group.partner_server)
    try:
        fg = clients.sql(subscription_id, probe=True).failover_groups.get(
            group.resource_group, group.server, group.name
        )
    except AzureError as exc:
        raise StepFailed(
            f"cannot find the partner server: the primary server does not answer ({describe_error(exc)}); "
            "name partner_server in the plan so a failover does not depend on the primary"
        ) from exc
    partners = fg.properties.partner_servers if fg.properties else None
    if not partners:
        raise StepFailed("the failover group has no partner server")
    rid = parse_resource_id(partners[0].id)
    return ServerRef(rid.resource_group, rid.name)


def fail_over(
    clients: AzureClients, plan: PlanContext, group: SqlFailoverGroup, *, to_primary: bool = False
) -> StepOutcome:
    """Make the target side (secondary, or primary when failing back) the group's primary."""
    sub = plan.subscription_of(group)
    step = Step("sql", primary_server(group).failover_group_id(sub, group.name), "failover")
    try:
        partner = partner_server(clients, sub, group)
        target, source = (primary_server(group), partner) if to_primary else (partner, primary_server(group))
        step.resource = target.failover_group_id(sub, group.name)
        with azure_call():
            role = _role(clients, sub, target, group.name)
        if role == "Primary":
            step.action = "failover"
            return step.already(f"{target.server} is already the primary of {group.name}", forced=False)

        source_answers = _answers(clients, sub, source, group.name)
        if source_answers:
            return _planned(clients, step, sub, target, group.name)
        if to_primary:
            step.action = "planned_failover"
            return step.failed(
                f"{source.server} does not answer: failing back needs both sides (planned failover, "
                "no data loss); wait until the secondary region answers"
            )
        if plan.policy.data_loss != "allow":
            step.action = "planned_failover"
            return step.failed(
                f"the primary server {source.server} does not answer, so only a forced failover "
                "(possible data loss) would work, and the plan's policy.data_loss is 'forbid'"
            )
        return _forced(clients, step, sub, target, group.name)
    except StepFailed as exc:
        return step.failed(str(exc))


def _planned(clients: AzureClients, step: Step, sub: str, target: ServerRef, name: str) -> StepOutcome:
    step.action = "planned_failover"
    with azure_call():
        clients.sql(sub).failover_groups.begin_failover(target.resource_group, target.server, name).result()
        role = _role(clients, sub, target, name)
    if role != "Primary":
        return step.failed(f"planned failover finished but {target.server} is {role}")
    return step.done(f"{target.server} is now the primary (planned, no data loss)", forced=False, rpo_seconds=0.0)


def _forced(clients: AzureClients, step: Step, sub: str, target: ServerRef, name: str) -> StepOutcome:
    step.action = "forced_failover"
    with azure_call():
        clients.sql(sub).failover_groups.begin_force_failover_allow_data_loss(
            target.resource_group, target.server, name
        ).result()
        role = _role(clients, sub, target, name)
    if role != "Primary":
        return step.failed(f"forced failover finished but {target.server} is {role}")
    return step.done(
        f"{target.server} is now the primary (forced: writes not yet replicated may be lost)",
        forced=True,
        rpo_seconds=DOCUMENTED_RPO_SECONDS,
        rpo_basis="documented upper bound for geo-replication",
    )


def _role(clients: AzureClients, sub: str, server: ServerRef, name: str) -> str:
    fg = clients.sql(sub).failover_groups.get(server.resource_group, server.server, name)
    role = fg.properties.replication_role if fg.properties else None
    return str(getattr(role, "value", role) or "Unknown")  # the SDK gives a str enum; compare its value


def _answers(clients: AzureClients, sub: str, server: ServerRef, name: str) -> bool:
    """Whether the server answers at all (one attempt, short timeout). 404 is an answer too."""
    try:
        clients.sql(sub, probe=True).failover_groups.get(server.resource_group, server.server, name)
    except ResourceNotFoundError:
        return True
    except AzureError:
        return False
    return True


def describe(clients: AzureClients, plan: PlanContext, group: SqlFailoverGroup) -> dict[str, object]:
    """Current roles of both sides, for the report's final state (unreachable sides say so)."""
    sub = plan.subscription_of(group)
    state: dict[str, object] = {"kind": "sql", "failover_group": group.name}
    try:
        sides = {"primary_server": primary_server(group), "partner_server": partner_server(clients, sub, group)}
    except StepFailed as exc:
        return {**state, "error": str(exc)}
    for label, ref in sides.items():
        try:
            state[label] = {"server": ref.server, "role": _role(clients, sub, ref, group.name)}
        except AzureError as exc:
            state[label] = {"server": ref.server, "role": "unreachable", "error": describe_error(exc)}
    return state


def preview_failover(
    clients: AzureClients, plan: PlanContext, group: SqlFailoverGroup, *, to_primary: bool = False
) -> PlannedStep:
    """What `fail_over` would do now, read-only: the same decisions in the same order."""
    sub = plan.subscription_of(group)
    resource = primary_server(group).failover_group_id(sub, group.name)

    def planned(status: PlannedStatus, action: str, detail: str, forced: bool | None = None) -> PlannedStep:
        return PlannedStep(kind="sql", resource=resource, action=action, status=status, forced=forced, detail=detail)

    try:
        partner = partner_server(clients, sub, group)
    except StepFailed as exc:
        return planned("would_fail", "failover", str(exc))
    target, source = (primary_server(group), partner) if to_primary else (partner, primary_server(group))
    resource = target.failover_group_id(sub, group.name)
    try:
        role = _role(clients, sub, target, group.name)
    except AzureError as exc:
        return planned("would_fail", "failover", f"{target.server} cannot be read: {describe_error(exc)}")
    if role == "Primary":
        return planned("already_done", "failover", f"{target.server} is already the primary", forced=False)
    if _answers(clients, sub, source, group.name):
        return planned("to_do", "planned_failover", f"make {target.server} primary (planned, no data loss)", False)
    if to_primary:
        return planned("would_fail", "planned_failover", f"{source.server} does not answer: failing back needs both")
    if plan.policy.data_loss != "allow":
        return planned(
            "would_fail",
            "planned_failover",
            f"the primary server {source.server} does not answer and policy.data_loss is 'forbid' "
            "(only a forced failover would work)",
        )
    return planned(
        "to_do",
        "forced_failover",
        f"make {target.server} primary (forced: {source.server} does not answer; unreplicated writes may be lost)",
        forced=True,
    )
