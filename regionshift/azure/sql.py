"""Azure SQL failover groups: read both sides, start a failover, say where the group stands.

A failover is issued on the server that is to become primary. A planned failover (`failover`)
needs both sides and loses no data: it "will either succeed without losing data or fail and roll
back" (Switch-AzSqlDatabaseFailoverGroup, Learn). While the other side is down only
`forceFailoverAllowDataLoss` works; whether it may be used is decided by `regionshift.safety`, never
here. Azure demotes an old primary when its region comes back, so a forced failover never leaves
two writable primaries.

Nothing here waits for Azure: `begin_failover` starts the operation and returns its handle; the
branch orchestration (orchestrators/sql.py) polls it on durable timers and assesses again.

The partner server is found without asking the primary (which is what is down on the day): from
the plan's `partner_server`, else among the subscription's servers in the target region, whose
side of the failover group names the primary as its partner; only then is the primary asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from azure.core.exceptions import AzureError, HttpResponseError, ResourceNotFoundError

from regionshift.azure import lro
from regionshift.azure.clients import AzureClients
from regionshift.azure.ids import parse_resource_id
from regionshift.azure.outcomes import StepFailed, describe_error
from regionshift.azure.planned import PlannedStatus, PlannedStep
from regionshift.azure.regions import same_region, short_name
from regionshift.contracts import Assessment, Begun, SideState
from regionshift.plan import PlanContext, SqlFailoverGroup
from regionshift.safety import Reading, answered

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


def partner_server(clients: AzureClients, plan: PlanContext, group: SqlFailoverGroup) -> ServerRef:
    """The server in the secondary region, found without depending on the primary when possible."""
    if group.partner_server:
        return ServerRef(group.partner_resource_group or group.resource_group, group.partner_server)
    sub = plan.subscription_of(group)
    found = _partner_in_region(clients, sub, group, plan.regions.secondary)
    if found is not None:
        return found
    try:
        fg = clients.sql(sub, probe=True).failover_groups.get(group.resource_group, group.server, group.name)
    except AzureError as exc:
        raise StepFailed(
            f"cannot find the partner server: no server in {plan.regions.secondary} holds {group.name} and "
            f"the primary server does not answer ({describe_error(exc)}); name partner_server in the plan"
        ) from exc
    partners = fg.properties.partner_servers if fg.properties else None
    if not partners:
        raise StepFailed("the failover group has no partner server")
    rid = parse_resource_id(partners[0].id)
    return ServerRef(rid.resource_group, rid.name)


def _partner_in_region(clients: AzureClients, sub: str, group: SqlFailoverGroup, region: str) -> ServerRef | None:
    """The server in `region` whose side of the group names the primary server as its partner."""
    client = clients.sql(sub, probe=True)
    try:
        servers = [s for s in client.servers.list() if same_region(s.location or "", region)]
    except AzureError:
        return None
    for server in servers:
        rid = parse_resource_id(str(server.id))
        try:
            fg = client.failover_groups.get(rid.resource_group, rid.name, group.name)
        except AzureError:
            continue
        partners = (fg.properties.partner_servers if fg.properties else None) or []
        if any(parse_resource_id(p.id).name.lower() == group.server.lower() for p in partners):
            return ServerRef(rid.resource_group, rid.name)
    return None


def sides(
    clients: AzureClients, plan: PlanContext, group: SqlFailoverGroup, to_primary: bool
) -> tuple[ServerRef, ServerRef]:
    """(target, source): the server to become primary, and the other one."""
    partner = partner_server(clients, plan, group)
    return (primary_server(group), partner) if to_primary else (partner, primary_server(group))


def assess(clients: AzureClients, plan: PlanContext, group: SqlFailoverGroup, *, to_primary: bool) -> Assessment:
    """Read both sides of the group, one attempt each (the branch asks again on its own timers)."""
    sub = plan.subscription_of(group)
    target_region = plan.regions.primary if to_primary else plan.regions.secondary
    source_region = plan.regions.secondary if to_primary else plan.regions.primary
    resource = primary_server(group).failover_group_id(sub, group.name)
    try:
        target, source = sides(clients, plan, group, to_primary)
    except StepFailed as exc:
        unknown = SideState(region=target_region, answered=False, detail=str(exc))
        return Assessment(
            resource=resource,
            target=unknown,
            source=SideState(region=source_region, answered=False),
            error=str(exc),
        )
    target_side = _side(clients, sub, target, group.name, target_region)
    source_side = _side(clients, sub, source, group.name, source_region)
    return Assessment(
        resource=target.failover_group_id(sub, group.name),
        target=target_side,
        source=source_side,
        done=target_side.role == "Primary",
        facts={"target_server": target.server, "source_server": source.server},
    )


def _side(clients: AzureClients, sub: str, server: ServerRef, name: str, region: str) -> SideState:
    try:
        fg = clients.sql(sub, probe=True).failover_groups.get(server.resource_group, server.server, name)
    except ResourceNotFoundError:
        return SideState(region=region, answered=True, role="Missing", detail=f"{server.server} has no group {name}")
    except HttpResponseError as exc:
        throttled = exc.status_code == 429
        return SideState(
            region=region, answered=answered(exc.status_code), throttled=throttled, detail=describe_error(exc)
        )
    except AzureError as exc:
        return SideState(region=region, answered=False, detail=describe_error(exc))
    props = fg.properties
    return SideState(
        region=region,
        answered=True,
        role=_value(props.replication_role if props else None),
        state=_value(props.replication_state if props else None),
        location=short_name(str(fg.location or "")),
        members=[d.rsplit("/", 1)[-1] for d in ((props.databases if props else None) or [])],
        detail=f"{server.server} answers",
    )


def begin_failover(
    clients: AzureClients, plan: PlanContext, group: SqlFailoverGroup, *, to_primary: bool, forced: bool
) -> Begun:
    """Start a planned (or, when the branch decided so, forced) failover to the target server;
    read the target first, so a second call after the first one landed starts nothing."""
    sub = plan.subscription_of(group)
    try:
        target, _source = sides(clients, plan, group, to_primary)
    except StepFailed as exc:
        return Begun(outcome="refused", detail=str(exc))
    operations = clients.sql(sub).failover_groups
    try:
        fg = operations.get(target.resource_group, target.server, group.name)
        if _value(fg.properties.replication_role if fg.properties else None) == "Primary":
            return Begun(outcome="done", detail=f"{target.server} is already the primary of {group.name}")
        begin = operations.begin_force_failover_allow_data_loss if forced else operations.begin_failover
        handle = lro.start(sub, lambda **kw: begin(target.resource_group, target.server, group.name, **kw))
    except HttpResponseError as exc:
        code = exc.error.code if exc.error else ""
        if exc.status_code == 409 or code == "FailoverGroupBusy":
            return Begun(outcome="in_progress", detail=describe_error(exc))
        if code == "FailoverGroupFailoverRequestOnPrimary":
            return Begun(outcome="done", detail=f"{target.server} is already the primary of {group.name}")
        return Begun(outcome="refused", detail=describe_error(exc))
    except AzureError as exc:
        return Begun(outcome="refused", detail=describe_error(exc))
    kind = "forced" if forced else "planned"
    if handle is None:
        return Begun(outcome="done", detail=f"{kind} failover to {target.server} finished at once")
    return Begun(outcome="started", handle=handle, detail=f"{kind} failover to {target.server} started")


def reading(clients: AzureClients, plan: PlanContext, group: SqlFailoverGroup, *, to_primary: bool = False) -> Reading:
    """Is the target server the group's primary right now? (the split-brain guard before DNS)"""
    sub = plan.subscription_of(group)
    label = f"sql {group.name}"
    try:
        target, _ = sides(clients, plan, group, to_primary)
        fg = clients.sql(sub).failover_groups.get(target.resource_group, target.server, group.name)
    except (StepFailed, AzureError) as exc:
        return Reading(resource=label, in_target=False, detail=f"cannot be read: {exc}")
    role = _value(fg.properties.replication_role if fg.properties else None)
    return Reading(resource=label, in_target=role == "Primary", detail=f"{target.server} is {role}")


def describe(clients: AzureClients, plan: PlanContext, group: SqlFailoverGroup) -> dict[str, object]:
    """Current roles of both sides, for the report's final state (unreachable sides say so)."""
    state: dict[str, object] = {"kind": "sql", "failover_group": group.name}
    found = assess(clients, plan, group, to_primary=False)
    if found.error:
        return {**state, "error": found.error}
    labels = {"partner_server": (found.facts["target_server"], found.target)}
    labels["primary_server"] = (found.facts["source_server"], found.source)
    for label, (server, side) in labels.items():
        entry: dict[str, object] = {"server": server, "role": side.role if side.answered else "unreachable"}
        if side.state:
            entry["replication_state"] = side.state
        if not side.answered:
            entry["error"] = side.detail
        state[label] = entry
    return state


def preview_failover(
    clients: AzureClients, plan: PlanContext, group: SqlFailoverGroup, *, to_primary: bool = False
) -> PlannedStep:
    """What a failover would do now, read-only: the same reads the branch starts with."""
    return preview_from(plan, assess(clients, plan, group, to_primary=to_primary), to_primary=to_primary)


def preview_from(plan: PlanContext, found: Assessment, *, to_primary: bool = False) -> PlannedStep:
    """The branch's first decision on an assessment it has (pure)."""

    def planned(status: PlannedStatus, action: str, detail: str, forced: bool | None = None) -> PlannedStep:
        return PlannedStep(
            kind="sql", resource=found.resource, action=action, status=status, forced=forced, detail=detail
        )

    if found.error:
        return planned("would_fail", "failover", found.error)
    target, source = found.facts["target_server"], found.facts["source_server"]
    if not found.target.answered:
        return planned("would_fail", "failover", f"{target} does not answer: {found.target.detail}")
    if found.done:
        return planned("already_done", "failover", f"{target} is already the primary", forced=False)
    if found.source.answered:
        return planned("to_do", "planned_failover", f"make {target} primary (planned, no data loss)", False)
    if to_primary:
        return planned("would_fail", "planned_failover", f"{source} does not answer: failing back needs both")
    if plan.policy.data_loss != "allow":
        return planned(
            "would_fail",
            "planned_failover",
            f"the primary server {source} does not answer and policy.data_loss is 'forbid' "
            "(only a forced failover would work)",
        )
    evidence = plan.policy.outage_evidence
    return planned(
        "to_do",
        "forced_failover",
        f"make {target} primary, forced, if {source} still does not answer after {evidence.failed_probes} probes "
        f"over {evidence.window_seconds}s (unreplicated writes may be lost)",
        forced=True,
    )


def _value(role: Any) -> str:
    return str(getattr(role, "value", role) or "Unknown")  # the SDK gives a str enum; compare its value
