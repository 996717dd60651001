"""Activities for Azure DNS: point a record at the primary or the secondary targets, and ask the
zone's authoritative name servers what they answer for it (one look; orchestrators/dns.py polls)."""

from __future__ import annotations

import azure.durable_functions as df

from activities.runner import item_label, run_activity
from regionshift.azure import dns
from regionshift.azure.clients import AzureClients
from regionshift.azure.outcomes import Step
from regionshift.contracts import ActivityInput, DnsVerification, StepOutcome
from regionshift.names import Activities
from regionshift.plan import DnsRecord, PlanContext
from regionshift.settings import Settings

bp = df.Blueprint()


def _side(args: ActivityInput) -> dns.Side:
    return "primary" if args.direction == "to_primary" else "secondary"


@bp.function_name(Activities.SWITCH_DNS_RECORD)
@bp.activity_trigger(input_name="payload")
def switch_dns_record(payload: dict) -> dict:
    """Point the record at the side, then ask its name servers once (`data["first_look"]`): where
    they already answer the new targets, the branch needs no look of its own (orchestrators/dns.py)."""
    return run_activity(
        payload,
        Activities.SWITCH_DNS_RECORD,
        lambda clients, plan, args: _switch_and_ask(clients, plan, DnsRecord.model_validate(args.item), _side(args)),
        lambda reason: Step("dns", item_label(payload, "name", "zone"), "switch").failed(reason),
    )


def _switch_and_ask(clients: AzureClients, plan: PlanContext, record: DnsRecord, side: dns.Side) -> StepOutcome:
    written = dns.switch(clients, plan, record, side)
    if not written.ok:
        return written
    look = dns.verify(clients, plan, record, side, Settings.from_env().dns_servers)
    return written.model_copy(update={"data": {**written.data, "first_look": look.model_dump(mode="json")}})


@bp.function_name(Activities.VERIFY_DNS_RECORD)
@bp.activity_trigger(input_name="payload")
def verify_dns_record(payload: dict) -> dict:
    """Only reads (ARM for the zone's name servers, then DNS): harmless at any time, any number of times."""
    return run_activity(
        payload,
        Activities.VERIFY_DNS_RECORD,
        lambda clients, plan, args: dns.verify(
            clients, plan, DnsRecord.model_validate(args.item), _side(args), Settings.from_env().dns_servers
        ),
        lambda reason: DnsVerification(changed=False, error=reason),
    )
