"""Activities for Azure DNS: point a record at the primary or the secondary targets."""

from __future__ import annotations

import azure.durable_functions as df

from activities.runner import item_label, run_activity
from regionshift.azure import dns
from regionshift.names import Activities
from regionshift.plan import DnsRecord

bp = df.Blueprint()


@bp.function_name(Activities.SWITCH_DNS_RECORD)
@bp.activity_trigger(input_name="payload")
def switch_dns_record(payload: dict) -> dict:
    return run_activity(
        payload,
        "dns",
        item_label(payload, "name", "zone"),
        lambda clients, plan, args: dns.switch(
            clients,
            plan,
            DnsRecord.model_validate(args.item),
            "primary" if args.direction == "to_primary" else "secondary",
        ),
    )
