"""Readiness checks: would a failover work right now? Each check only reads.

Every check returns a `StepOutcome(kind="check", action=<check name>)`: `succeeded`, `failed` with
the reason, or `skipped` when it could not be answered now. Every outcome says which region it is
about and whether that region answered (`data["region"]`, `data["answered"]`: see
`regionshift.azure.check_outcomes`). A missing resource or a refused read is a failure; a region
that does not answer is unknown, and an unknown about the target (secondary) region blocks a run
as a failure does, while one about the primary is what an outage of the primary looks like. `data`
carries the facts: replication lag, quota, where a DNS record points. The check names are
`regionshift.plan.models.CHECK_NAMES`; a plan lists the ones that only advise in
`policy.advisory_checks` (`sql_partner_named` always only advises), and `blocking` picks the
outcomes that stop a run.

SQL replication lag is read from Azure Monitor: the `replication_lag_seconds` metric of the
group's databases on the primary server (the "Replication lag" metric, the same number as
`replication_lag_sec` of T-SQL's sys.dm_geo_replication_link_status, which ARM's failover group and
replication-link resources do not carry). When it cannot be read the lag is reported unknown.
"""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, Literal

from azure.core.exceptions import AzureError

from regionshift.azure import cosmos, dns, monitor, sql
from regionshift.azure.check_outcomes import GLOBAL, about, unreadable
from regionshift.azure.clients import AzureClients
from regionshift.azure.ids import parse_resource_id
from regionshift.azure.outcomes import Step, StepFailed
from regionshift.azure.permissions import check_scope, permission_scopes
from regionshift.azure.readiness_groups import check_failover_group, check_group_region, groups_to_check
from regionshift.azure.regions import display_name, same_region
from regionshift.azure.skus import TOTAL_REGIONAL, vm_size
from regionshift.contracts import Assessment, SideState, StepOutcome, WireModel
from regionshift.lease import lease_readiness
from regionshift.plan import CosmosAccount, DnsRecord, Plan, PlanContext, ScaleSet, SqlFailoverGroup

NETWORK_API_VERSION = "2024-05-01"
LAG_METRIC = "replication_lag_seconds"
# `regionshift check` runs the units in this many threads: ARM allows a subscription 250 reads in a
# burst, refilled at 25 a second, and a probe client does not retry a 429.
CHECK_THREADS = 8

UnitKind = Literal[
    "image",
    "network",
    "compute_quota",
    "sql",
    "cosmos",
    "dns",
    "resource_group",
    "failover_group",
    "permissions",
    "run_lease",
]
# The units about the data replicas: their reads of each primary are the first evidence of an outage.
DATA_UNITS = frozenset({"sql", "cosmos"})
# Checks that only ever advise, whatever the plan's policy says.
ALWAYS_ADVISORY = frozenset({"sql_partner_named"})


class CheckUnit(WireModel):
    """One independent piece of the readiness checks: one plan resource, one image or network
    resource the new scale sets share, the pre-provisioned scale sets with the compute quota, or
    the permissions in one resource group. It carries the plan's context, not the
    whole plan, so a thousand units do not copy a thousand-resource plan into the history."""

    check: UnitKind
    plan: dict[str, Any]  # PlanContext as JSON
    item: dict[str, Any] = {}  # the plan entry; {"ref": id} for an image or network; {"scale_sets": [...]} for quota


def units(plan: Plan) -> list[CheckUnit]:
    """Every unit the plan calls for, in the stable order of the results (compute, data, DNS,
    resource groups, permissions).

    Each image, subnet and backend pool is checked once however many new scale sets share it
    (their outcomes name the image or network resource, not the scale set): ARM's read budget is
    per subscription (250, then 25 a second), and a thousand-resource plan whose scale sets all
    boot from one image would otherwise spend hundreds of reads asking the same question before
    the failover's first write."""
    context = plan.context().model_dump(mode="json")

    def unit(check: UnitKind, item: dict[str, Any]) -> CheckUnit:
        return CheckUnit(check=check, plan=context, item=item)

    creates = [s for s in plan.scale_sets if s.mode == "create"]
    found = [unit("image", {"ref": ref}) for ref in dict.fromkeys(str(s.image) for s in creates)]
    refs = [(("subnet", s.subnet), ("backend_pool", s.backend_pool)) for s in creates]
    networks = [(which, str(ref)) for pair in refs for which, ref in pair if ref]
    found += [unit("network", {"which": which, "ref": ref}) for which, ref in dict.fromkeys(networks)]
    if plan.scale_sets:
        found.append(unit("compute_quota", {"scale_sets": [s.model_dump(mode="json") for s in plan.scale_sets]}))
    found += [unit("sql", g.model_dump(mode="json")) for g in plan.sql_failover_groups]
    found += [unit("cosmos", a.model_dump(mode="json")) for a in plan.cosmos_accounts]
    zones: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for r in plan.dns_records:  # one unit per zone, which it reads once
        zones.setdefault((plan.subscription_of(r), r.resource_group, r.zone), []).append(r.model_dump(mode="json"))
    found += [unit("dns", {"records": records}) for records in zones.values()]
    found += [unit("resource_group", group) for group in groups_to_check(plan)]
    found.append(unit("failover_group", {}))
    found += [unit("permissions", scope) for scope in permission_scopes(plan)]
    found.append(unit("run_lease", {}))
    return found


def run_unit(clients: AzureClients, unit: CheckUnit) -> list[StepOutcome]:
    """The checks of one unit, through probe clients. Expected failures are outcomes, not errors."""
    clients = clients.probing()
    plan = PlanContext.model_validate(unit.plan)
    item = unit.item
    match unit.check:
        case "image":
            return [check_image(clients, plan, item["ref"])]
        case "network":
            return [check_network(clients, plan, item["ref"], item["which"])]
        case "compute_quota":
            return check_quota(clients, plan, [ScaleSet.model_validate(s) for s in item["scale_sets"]])
        case "sql":
            group = SqlFailoverGroup.model_validate(item)
            checked = check_sql(clients, plan, group)
            return [checked] if group.partner_server else [checked, partner_not_named(plan, group, checked)]
        case "cosmos":
            return [check_cosmos(clients, plan, CosmosAccount.model_validate(item))]
        case "dns":
            return check_zone(clients, plan, [DnsRecord.model_validate(r) for r in item["records"]])
        case "resource_group":
            return [check_group_region(clients, plan, item)]
        case "failover_group":
            return [check_failover_group(clients, plan)]
        case "permissions":
            return [check_scope(clients, **item)]
        case "run_lease":  # does the plan's run lease exclude runs on other hosts too?
            return [lease_readiness(plan)]


def merge_parts(rest: list[StepOutcome], data: list[StepOutcome]) -> list[StepOutcome]:
    """The outcomes of the data units put back between the compute units' and the others', as
    `units` orders them (a failover runs the two parts apart: orchestrators/readiness.py)."""
    compute = {"image", "network", "compute_quota", "image_replicated", "subnet", "backend_pool", "scale_set"}
    split = next((i for i, c in enumerate(rest) if c.action not in compute), len(rest))
    return rest[:split] + data + rest[split:]


def unit_label(unit: CheckUnit) -> str:
    """What a unit is about, for the rare outcome of a unit that could not run at all."""
    item = unit.item
    if "ref" in item:
        return str(item["ref"])
    return str(item.get("resource_group") or "") + "/" + str(item.get("name") or item.get("server") or unit.check)


def _advisory(plan: PlanContext) -> set[str]:
    return set(plan.policy.advisory_checks) | ALWAYS_ADVISORY


def mark_advisory(plan: PlanContext, results: list[StepOutcome]) -> list[StepOutcome]:
    """Mark the checks that only advise, so that reports say they did not block."""
    advisory = _advisory(plan)
    return [c.model_copy(update={"data": {**c.data, "advisory": True}}) if c.action in advisory else c for c in results]


def run_checks(clients: AzureClients, plan: Plan) -> list[StepOutcome]:
    """Every check the plan calls for, in a stable order (compute, data, DNS, permissions).

    The same units the readiness orchestration fans out, run in a few threads: `regionshift check`
    is what a person runs before deciding to fail over, and the scheduled check; serially a plan of
    a thousand resources would take minutes. `map` keeps the units' order.
    """
    clients = clients.probing()
    with ThreadPoolExecutor(CHECK_THREADS, thread_name_prefix="readiness") as pool:
        results = [c for found in pool.map(partial(run_unit, clients), units(plan)) for c in found]
    return mark_advisory(plan, results)


def blocking(plan: PlanContext, checks: list[StepOutcome]) -> list[StepOutcome]:
    """The outcomes that stop a run, in order: every failure of a check that does not only advise,
    and every such check left unknown about the target region (or by a global service that did
    not answer). A failover into a region that could not be asked is not known to work."""
    advisory = _advisory(plan)
    return [
        c
        for c in checks
        if c.kind == "check"
        and c.action not in advisory
        and not c.data.get("advisory")
        and (c.status == "failed" or (c.status == "skipped" and unknown_about_target(plan, c)))
    ]


def unknown_about_target(plan: PlanContext, check: StepOutcome) -> bool:
    """A check that could not be answered, about the target region or a global service that did
    not answer; unknowns about the primary (the region an outage takes away) do not count."""
    if check.status != "skipped":
        return False
    region = check.data.get("region")
    if region == GLOBAL:
        return check.data.get("answered") is False
    return same_region(region, plan.regions.secondary)


def partner_not_named(plan: PlanContext, group: SqlFailoverGroup, checked: StepOutcome) -> StepOutcome:
    """Advisory: without `partner_server`, a failover must find the secondary server at run time."""
    step = about(Step("check", checked.resource, "sql_partner_named"), plan.regions.secondary)
    found = checked.data.get("partner_server")
    add = f"partner_server: {found}" if found else "partner_server (the failover group's server in the secondary)"
    return step.failed(
        f"{group.name} names no partner_server: a failover then has to find the secondary server at run time, "
        f"asking servers that may be down with {plan.regions.primary}. Fix: add {add} and its "
        "partner_resource_group to the plan"
    )


def check_image(clients: AzureClients, plan: PlanContext, image: str) -> StepOutcome:
    """The gallery image version new scale sets boot from has a completed replica in the secondary."""
    rid = parse_resource_id(image)
    # Served from the gallery's home region, which only an answer tells: unknown until then.
    step = about(Step("check", str(rid), "image_replicated"), None)
    gallery, image, version = rid.names
    try:
        found = clients.compute(rid.subscription_id).gallery_image_versions.get(
            rid.resource_group, gallery, image, version, expand="ReplicationStatus"
        )
    except AzureError as exc:
        return unreadable(step, f"image version {version}", exc)
    step.data["region"] = found.location
    status = found.properties.replication_status if found.properties else None
    regions = {s.region: str(getattr(s.state, "value", s.state)) for s in (status.summary if status else None) or []}
    secondary = plan.regions.secondary
    state = next((s for r, s in regions.items() if same_region(r, secondary)), None)
    if state != "Completed":
        why = "has no replica there" if state is None else f"has a replica there in state {state}"
        return step.failed(
            f"image version {version} {why}; a scale set in {secondary} cannot boot from it", replicas=regions
        )
    return step.done(f"image version {version} is replicated to {display_name(secondary)}", replicas=regions)


def check_network(clients: AzureClients, plan: PlanContext, ref: str, which: str) -> StepOutcome:
    """The subnet (or backend pool) new scale sets join exists, in the secondary."""
    rid = parse_resource_id(ref)
    step = about(Step("check", ref, which), plan.regions.secondary)
    parent = str(rid).rsplit("/", 2)[0]  # the virtual network or load balancer: it carries the region
    label = f"{which.replace('_', ' ')} {rid.name}"
    try:
        client = clients.resources(rid.subscription_id)
        client.resources.get_by_id(ref, api_version=NETWORK_API_VERSION)
        location = client.resources.get_by_id(parent, api_version=NETWORK_API_VERSION).location
    except AzureError as exc:
        return unreadable(step, label, exc)
    if not same_region(location, plan.regions.secondary):
        return step.failed(
            f"{label} is in {location}, not in the secondary {plan.regions.secondary}", location=location
        )
    return step.done(f"{label} exists in {location}", location=location)


def check_scale_set(clients: AzureClients, plan: PlanContext, scale_set: ScaleSet) -> tuple[StepOutcome, Any]:
    """A pre-provisioned scale set exists in the secondary: its outcome, and what was read (or None)."""
    rid = parse_resource_id(str(scale_set.scale_set))
    step = about(Step("check", str(rid), "scale_set"), plan.regions.secondary)
    try:
        vmss = clients.compute(rid.subscription_id).virtual_machine_scale_sets.get(rid.resource_group, rid.name)
    except AzureError as exc:
        return unreadable(step, f"scale set {rid.name}", exc), None
    if not same_region(vmss.location, plan.regions.secondary):
        found = step.failed(f"scale set {rid.name} is in {vmss.location}, not in the secondary", location=vmss.location)
        return found, vmss
    have = vmss.sku.capacity if vmss.sku else None
    return step.done(f"scale set {rid.name} exists in {vmss.location} ({have} instances)", capacity=have), vmss


def _quota_needs(scale_sets: list[ScaleSet], current: list[Any]) -> tuple[dict[str, int], list[str]]:
    """vCPUs a failover would add in the secondary, by family; and the sizes the table does not know.
    `current`: each scale set as read now (None for one a failover creates, or one not readable)."""
    needs: dict[str, int] = defaultdict(int)
    unknown: list[str] = []
    for scale_set, vmss in zip(scale_sets, current, strict=True):
        if scale_set.mode == "create":
            sku, have = scale_set.sku, 0
        elif vmss is None:
            continue  # its scale_set check reports it
        else:
            sku, have = (vmss.sku.name if vmss.sku else None), (vmss.sku.capacity if vmss.sku else 0) or 0
        size = vm_size(sku or "")
        if size is None:
            unknown.append(sku or f"{scale_set.name} (no size)")
            continue
        extra = max(scale_set.capacity - have, 0) * size.vcpus
        needs[size.family] += extra
        needs[TOTAL_REGIONAL] += extra
    return dict(needs), unknown


def check_quota(clients: AzureClients, plan: PlanContext, scale_sets: list[ScaleSet]) -> list[StepOutcome]:
    """Each pre-provisioned scale set (one read each, which the quota reuses: how many instances it
    has now), then one `compute_quota` check per VM family (and the regional total) they need."""
    secondary = plan.regions.secondary
    base = f"/subscriptions/{plan.subscription_id}/providers/Microsoft.Compute/locations/{secondary}/usages"
    scaled = [s for s in scale_sets if s.mode == "scale"]
    with ThreadPoolExecutor(CHECK_THREADS, thread_name_prefix="quota") as pool:
        read = list(pool.map(partial(check_scale_set, clients, plan), scaled))
    results = [outcome for outcome, _ in read]
    found = iter(vmss for _, vmss in read)
    needs, unknown = _quota_needs(scale_sets, [next(found) if s.mode == "scale" else None for s in scale_sets])
    results += [
        about(Step("check", f"{base}/{sku}", "compute_quota"), secondary).outcome(
            "skipped", f"vCPUs of size {sku} unknown (add it to regionshift/azure/skus.py)"
        )
        for sku in unknown
    ]
    if not needs:
        return results
    try:
        usages = {(u.name.value or "").lower(): u for u in clients.compute(plan.subscription_id).usage.list(secondary)}
    except AzureError as exc:
        step = about(Step("check", base, "compute_quota"), secondary)
        return [*results, unreadable(step, f"compute usage in {secondary}", exc)]
    for family, need in sorted(needs.items()):
        step = about(Step("check", f"{base}/{family}", "compute_quota"), secondary)
        usage = usages.get(family.lower())
        if usage is None:
            results.append(step.failed(f"no quota for {family} in {secondary}", needed=need))
            continue
        free = usage.limit - usage.current_value
        data = {"needed": need, "used": usage.current_value, "limit": usage.limit, "free": free}
        if need > free:
            results.append(step.failed(f"{family}: needs {need} vCPUs, {free} of {usage.limit} free", **data))
        else:
            results.append(step.done(f"{family}: needs {need} vCPUs, {free} of {usage.limit} free", **data))
    return results


def with_evidence(outcome: StepOutcome, source: SideState) -> StepOutcome:
    """The outcome, carrying what its read of the primary (the side a failover leaves) found: a
    failover takes it as the first probe of the outage's evidence window (orchestrators/failover.py),
    instead of reading the primary once more beside the checks."""
    evidence = source.model_dump(mode="json", include={"region", "answered", "throttled", "detail"})
    return outcome.model_copy(update={"data": {**outcome.data, "evidence": evidence}})


def check_sql(clients: AzureClients, plan: PlanContext, group: SqlFailoverGroup) -> StepOutcome:
    sub = plan.subscription_of(group)
    fg_id = sql.primary_server(group).failover_group_id(sub, group.name)
    step = about(Step("check", fg_id, "sql_failover_group"), plan.regions.secondary)
    try:
        partner = sql.partner_server(clients, plan, group)
    except StepFailed as exc:
        return step.failed(str(exc))
    # The branch's own first reads (both sides, one attempt each), and its first decision on them.
    found = sql.assess(clients, plan, group, to_primary=False)
    return with_evidence(_sql_outcome(clients, plan, group, step, partner.server, found), found.source)


def _sql_outcome(
    clients: AzureClients, plan: PlanContext, group: SqlFailoverGroup, step: Step, partner: str, found: Assessment
) -> StepOutcome:
    sub = plan.subscription_of(group)
    partner_side = found.target
    what = f"failover group {group.name} on the partner {partner}"
    if partner_side.role == "Missing":
        return step.failed(f"{what} does not exist")
    if not partner_side.answered:
        return step.outcome("skipped", f"{what} could not be checked now ({partner_side.detail})", answered=False)
    location = partner_side.location
    if not same_region(location, plan.regions.secondary):
        return step.failed(f"the partner {partner} is in {location}, not in the secondary", partner_region=location)
    role, state = partner_side.role, partner_side.state or None
    preview = sql.preview_from(plan, found)
    lag = _replication_lag(clients, sub, group, partner_side.members)
    data: dict[str, Any] = {
        "partner_server": partner,
        "partner_region": location,
        "replication_state": state,
        "replication_lag_seconds": lag,
        "failover": preview.action,
        "forced": preview.forced,
    }
    lag_text = "unknown" if lag is None else f"{lag:g}s"
    if role == "Primary":
        return step.done(f"{partner} in {location} is already the primary", **data)
    if preview.status == "would_fail":
        return step.failed(preview.detail, **data)
    if state != "CATCH_UP" and not preview.forced:
        return step.failed(f"replication is {state or 'unknown'}, not CATCH_UP (lag {lag_text})", **data)
    if preview.forced:
        return step.done(f"a forced failover would be taken: {preview.detail} (lag {lag_text})", **data)
    return step.done(
        f"partner {partner} in {location}, replication {state}, lag {lag_text} (the RPO of a failover now)",
        **data,
    )


def _replication_lag(clients: AzureClients, sub: str, group: SqlFailoverGroup, databases: list[str]) -> float | None:
    """The largest lag of the group's databases, read on the primary server; None when unreadable."""
    client = monitor.metrics_client(clients, sub)
    base = sql.primary_server(group).failover_group_id(sub, group.name).rsplit("/failoverGroups/", 1)[0]
    worst: float | None = None
    for name in databases:
        try:
            response = client.metrics.list(
                f"{base}/databases/{name}",
                timespan="PT5M",
                interval="PT1M",
                metricnames=LAG_METRIC,
                aggregation="Maximum",
            )
        except AzureError:
            return None
        values = [
            p.maximum for m in response.value for s in m.timeseries or [] for p in s.data or [] if p.maximum is not None
        ]
        if not values:
            return None
        worst = max(worst or 0.0, values[-1])
    return worst


def check_cosmos(clients: AzureClients, plan: PlanContext, account: CosmosAccount) -> StepOutcome:
    step = about(Step("check", cosmos.account_id(plan, account), "cosmos_regions"), plan.regions.secondary)
    secondary = plan.regions.secondary
    try:
        acct = clients.cosmos(plan.subscription_of(account)).database_accounts.get(account.resource_group, account.name)
    except AzureError as exc:
        return unreadable(step, f"account {account.name}", exc)
    locations = (acct.properties.locations if acct.properties else None) or []
    regions = {str(loc.location_name): loc.failover_priority for loc in locations}
    data = {"regions": regions, "write_region": cosmos._write_region(acct)}
    priority = next((p for r, p in regions.items() if same_region(r, secondary)), "absent")
    if priority == "absent":
        return step.failed(
            f"{display_name(secondary)} is not one of the account's regions ({', '.join(regions)})", **data
        )
    if priority is None:
        return step.failed(f"{display_name(secondary)} has no failover priority", **data)
    # ARM answers for the account from anywhere; the region writes would move to must answer itself
    # (regionshift.safety TARGET_MUST_ANSWER), as the Cosmos DB branch asks it before any move.
    target = cosmos._side(clients, acct, secondary)
    source = cosmos._side(clients, acct, plan.regions.primary)  # the first probe of an evidence window
    if not target.answered:
        outcome = step.outcome(
            "skipped", f"{display_name(secondary)} does not answer ({target.detail})", answered=False, **data
        )
        return with_evidence(outcome, source)
    outcome = step.done(
        f"{display_name(secondary)} has failover priority {priority}; writes go to {data['write_region']}", **data
    )
    return with_evidence(outcome, source)


def check_zone(clients: AzureClients, plan: PlanContext, records: list[DnsRecord]) -> list[StepOutcome]:
    """The records of one zone: the zone read once, and its record sets listed by type (a page is
    one read, 100 record sets by default) instead of a read per record: a thousand records in a few
    zones would otherwise spend a thousand reads of ARM's budget before the first write."""
    first = records[0]
    client = clients.dns(plan.subscription_of(first))

    def step(record: DnsRecord) -> Step:
        return about(Step("check", dns.record_label(record), "dns_record"), GLOBAL)  # Azure DNS is global

    try:
        client.zones.get(first.resource_group, first.zone)
    except AzureError as exc:
        return [unreadable(step(r), f"zone {r.zone}", exc) for r in records]
    listed: dict[str, dict[str, Any] | AzureError] = {}
    for kind in dict.fromkeys(r.type for r in records):
        try:
            pages = client.record_sets.list_by_type(first.resource_group, first.zone, kind)
            listed[kind] = {(rs.name or "").lower(): rs for rs in pages}
        except AzureError as exc:
            listed[kind] = exc
    results = []
    for record in records:
        found = listed[record.type]
        what = f"{record.type} record {record.fqdn}"
        if isinstance(found, AzureError):
            results.append(unreadable(step(record), what, found))
        elif record.name.lower() not in found:
            results.append(step(record).failed(f"{what} does not exist"))
        else:
            results.append(_record_outcome(step(record), record, found[record.name.lower()]))
    return results


def _record_outcome(step: Step, record: DnsRecord, rs: Any) -> StepOutcome:
    """Where the record points now."""
    targets = dns.current_targets(rs, record.type)
    side = next((s for s in ("primary", "secondary") if dns._same(targets, record.targets(s))), "neither side")
    return step.done(
        f"points at {', '.join(targets) or 'nothing'} ({side}), TTL {rs.ttl}s",
        targets=targets,
        points_at=side,
        ttl=rs.ttl,
    )
