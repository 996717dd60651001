"""Azure DNS: point a record at one side's targets, guarded by the record set's ETag.

The record is read first; if it already points where it should, nothing is written. The write
carries the ETag that was read (If-Match), so a concurrent change by someone else makes it fail
with 412 instead of being overwritten blindly; regionshift then reads again and retries once.
"""

from __future__ import annotations

from typing import Literal

from azure.core.exceptions import AzureError, HttpResponseError
from azure.mgmt.dns.models import AaaaRecord, ARecord, CnameRecord, RecordSet

from regionshift.azure.clients import AzureClients
from regionshift.azure.outcomes import Step, StepFailed, azure_call, describe_error
from regionshift.azure.planned import PlannedStatus, PlannedStep
from regionshift.contracts import StepOutcome
from regionshift.plan import DnsRecord, PlanContext

Side = Literal["primary", "secondary"]


def record_label(record: DnsRecord) -> str:
    return f"{record.fqdn} {record.type}"


def current_targets(record_set: RecordSet, record_type: str) -> list[str]:
    if record_type == "CNAME":
        cname = record_set.cname_record.cname if record_set.cname_record else None
        return [cname.rstrip(".")] if cname else []
    if record_type == "A":
        return sorted(r.ipv4_address for r in record_set.a_records or [] if r.ipv4_address)
    return sorted(r.ipv6_address for r in record_set.aaaa_records or [] if r.ipv6_address)


def _same(a: list[str], b: list[str]) -> bool:
    return sorted(x.rstrip(".").lower() for x in a) == sorted(x.rstrip(".").lower() for x in b)


def _record_set(record: DnsRecord, targets: list[str]) -> RecordSet:
    if record.type == "CNAME":
        return RecordSet(ttl=record.ttl, cname_record=CnameRecord(cname=targets[0]))
    if record.type == "A":
        return RecordSet(ttl=record.ttl, a_records=[ARecord(ipv4_address=ip) for ip in targets])
    return RecordSet(ttl=record.ttl, aaaa_records=[AaaaRecord(ipv6_address=ip) for ip in targets])


def switch(clients: AzureClients, plan: PlanContext, record: DnsRecord, side: Side) -> StepOutcome:
    step = Step("dns", record_label(record), f"switch_to_{side}")
    client = clients.dns(plan.subscription_of(record))
    wanted = record.targets(side)
    try:
        for _attempt in range(2):
            with azure_call():
                existing = client.record_sets.get(record.resource_group, record.zone, record.name, record.type)
            before = current_targets(existing, record.type)
            if _same(before, wanted) and existing.ttl == record.ttl:
                return step.already(f"already points at {', '.join(wanted)}", targets=wanted)
            try:
                client.record_sets.create_or_update(
                    record.resource_group,
                    record.zone,
                    record.name,
                    record.type,
                    _record_set(record, wanted),
                    if_match=existing.etag,
                )
            except HttpResponseError as exc:
                if exc.status_code == 412:
                    continue  # changed under us: read again and decide again
                raise StepFailed(describe_error(exc)) from exc
            return step.done(
                f"{', '.join(before) or 'nothing'} → {', '.join(wanted)} (TTL {record.ttl}s)",
                previous=before,
                targets=wanted,
            )
        return step.failed("the record kept changing under us (ETag mismatch twice); not overwriting it")
    except StepFailed as exc:
        return step.failed(str(exc))


def describe(clients: AzureClients, plan: PlanContext, record: DnsRecord) -> dict[str, object]:
    state: dict[str, object] = {"kind": "dns", "record": record_label(record)}
    try:
        rs = clients.dns(plan.subscription_of(record)).record_sets.get(
            record.resource_group, record.zone, record.name, record.type
        )
    except AzureError as exc:
        return {**state, "error": describe_error(exc)}
    targets = current_targets(rs, record.type)
    side = (
        "primary"
        if _same(targets, record.targets("primary"))
        else ("secondary" if _same(targets, record.targets("secondary")) else "other")
    )
    return {**state, "targets": targets, "points_at": side, "ttl": rs.ttl}


def preview_switch(clients: AzureClients, plan: PlanContext, record: DnsRecord, side: Side) -> PlannedStep:
    """What `switch` would do now, read-only."""
    wanted = record.targets(side)

    def planned(status: PlannedStatus, detail: str, **data: object) -> PlannedStep:
        return PlannedStep(
            kind="dns",
            resource=record_label(record),
            action=f"switch_to_{side}",
            status=status,
            detail=detail,
            data=data,
        )

    try:
        existing = clients.dns(plan.subscription_of(record)).record_sets.get(
            record.resource_group, record.zone, record.name, record.type
        )
    except AzureError as exc:
        return planned("would_fail", f"the record cannot be read: {describe_error(exc)}")
    before = current_targets(existing, record.type)
    if _same(before, wanted) and existing.ttl == record.ttl:
        return planned("already_done", f"already points at {', '.join(wanted)}", targets=wanted)
    return planned(
        "to_do",
        f"{', '.join(before) or 'nothing'} → {', '.join(wanted)} (TTL {record.ttl}s)",
        previous=before,
        targets=wanted,
    )
