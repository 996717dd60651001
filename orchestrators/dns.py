"""One DNS record of a switch: written, then asked of its authoritative name servers until they
answer the new targets (a branch per record, so the records of a plan are verified in parallel).

ARM accepting the write is not the switch: clients learn the new targets from the zone's name
servers, which Azure DNS updates "within 60 seconds" (Azure DNS FAQ, Learn), and a resolver that
cached the old answer keeps it for the old TTL. So after the write the branch asks the name
servers (every server the zone names, or those of `REGIONSHIFT_DNS_SERVERS`: once in the switch
activity right after the write, then the `verify_dns_record` activity) on a durable timer until
all of them answer the new targets, or fails at `VERIFY_DEADLINE` with what they answered. The
time they answered is the orchestration's, when it learnt of the answer. Its step records, in `data`:

- `written_at`: when ARM took the write;
- `authoritative_at`: when every authoritative server answered the new targets;
- `old_ttl_seconds`, `clients_expire_at`: the old answer's TTL, and when the last client that
  cached it asks again (`authoritative_at` + that TTL).

A run's RTO is the time from its start until clients can reach the target: the latest
`clients_expire_at` of its DNS records (orchestrators/steps.py `report`), not the time ARM took
the last write.
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import datetime, timedelta
from typing import Any

import azure.durable_functions as df

from orchestrators.fanout import never_raises
from orchestrators.waiting import sleep
from regionshift.azure.dns import Side, record_label
from regionshift.contracts import ActivityInput, DnsVerification, StepOutcome
from regionshift.names import Activities, Orchestrators
from regionshift.plan import DnsRecord

bp = df.Blueprint()
# Ten times what Azure documents: it catches name servers that never change, not a slow change.
VERIFY_DEADLINE = timedelta(minutes=10)
VERIFY_INTERVAL = timedelta(seconds=5)


@bp.function_name(Orchestrators.DNS_RECORD)
@bp.orchestration_trigger(context_name="context")
def dns_record_branch(context: df.DurableOrchestrationContext) -> Generator[Any, Any, dict[str, Any]]:
    return (yield from never_raises(context, "dns", _switch_and_verify(context)))


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _switch_and_verify(context: Any) -> Generator[Any, Any, dict[str, Any]]:
    raw = context.get_input()
    args = ActivityInput.model_validate(raw)
    record = DnsRecord.model_validate(args.item)
    side: Side = "primary" if args.direction == "to_primary" else "secondary"
    started = context.current_utc_datetime

    def publish(state: str) -> None:
        context.set_custom_status({"kind": "dns", "resource": record_label(record), "state": state})

    publish("switching")
    written = StepOutcome.model_validate((yield context.call_activity(Activities.SWITCH_DNS_RECORD, raw)))
    written_at = context.current_utc_datetime
    first_look = written.data.get("first_look")  # the switch asked once right after writing
    data_written = {k: v for k, v in written.data.items() if k != "first_look"}
    written = written.model_copy(update={"started_at": started, "ended_at": written_at, "data": data_written})
    if not written.ok:
        return written.model_dump(mode="json")
    # A record that already pointed there had no old answer for this run to wait out.
    old_ttl = int(written.data.get("previous_ttl") or 0) if written.status == "succeeded" else 0
    deadline = written_at + VERIFY_DEADLINE
    looks = 0
    while True:
        if first_look is not None:
            check, first_look = DnsVerification.model_validate(first_look), None
        else:
            publish("asking its name servers")
            check = DnsVerification.model_validate((yield context.call_activity(Activities.VERIFY_DNS_RECORD, raw)))
        looks += 1
        now = context.current_utc_datetime
        data = {
            **written.data,
            "written_at": _iso(written_at),
            "name_servers": [a.model_dump(mode="json") for a in check.servers],
            "looks": looks,
        }
        if check.changed:
            expire = now + timedelta(seconds=old_ttl)
            data |= {"authoritative_at": _iso(now), "old_ttl_seconds": old_ttl, "clients_expire_at": _iso(expire)}
            after = _seconds(now - written_at)
            detail = f"{written.detail}; its {len(check.servers)} name server(s) answer it {after} later"
            if old_ttl:
                detail += (
                    f"; clients that cached the old answer have the new one by {expire:%H:%M:%S}Z (TTL {old_ttl}s)"
                )
            return written.model_copy(update={"ended_at": now, "detail": detail, "data": data}).model_dump(mode="json")
        if now >= deadline:
            wanted = ", ".join(record.targets(side))
            detail = (
                f"written ({written.detail}), but its authoritative name servers did not answer {wanted} within "
                f"{VERIFY_DEADLINE}: {check.describe()}"
            )
            update = {"status": "failed", "ended_at": now, "detail": detail, "data": data}
            return written.model_copy(update=update).model_dump(mode="json")
        yield from sleep(context, VERIFY_INTERVAL, deadline)


def _seconds(delta: timedelta) -> str:
    return f"{delta.total_seconds():.0f}s"
