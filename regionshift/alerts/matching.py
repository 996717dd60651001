"""Which plans an alert concerns, by the plan's `triggers.alerts` section.

A plan matches when any of its entries matches: an alert rule (by name or by rule id), a target
resource id the alert fired on, or a Service Health service in one of the plan's regions. Ids and
names compare case-insensitively (ARM's own rule); regions compare without spaces, so Service
Health's `East US 2` matches the plan's `eastus2`.
"""

from __future__ import annotations

from collections.abc import Iterable

from regionshift.alerts.signal import AlertSignal
from regionshift.plan.models import Plan


def _norm_id(value: str) -> str:
    return value.strip().rstrip("/").lower()


def _norm_region(value: str) -> str:
    return value.replace(" ", "").lower()


def plan_matches(signal: AlertSignal, plan: Plan) -> str | None:
    """The reason a plan matches the alert (for the run's record), or None."""
    spec = plan.triggers.alerts
    if spec is None:
        return None
    for rule in spec.rules:
        wanted = _norm_id(rule)
        if signal.rule_id and _norm_id(signal.rule_id) == wanted:
            return f"alert rule id {rule}"
        if signal.rule and signal.rule.strip().lower() in (wanted, wanted.rsplit("/", 1)[-1]):
            return f"alert rule {signal.rule}"
    targets = {_norm_id(t) for t in signal.targets}
    for target in spec.targets:
        if _norm_id(target) in targets:
            return f"target {target}"
    health = spec.service_health
    if health is not None and signal.kind == "service_health" and signal.service:
        services = {s.lower() for s in health.services}
        if services and signal.service.lower() not in services:
            return None
        wanted_regions = {_norm_region(r) for r in (health.regions or [plan.regions.primary])}
        # (service, region) pairs: the impacted-services table, plus the event's own region field.
        pairs = [(svc, r) for svc, regions in signal.extra.get("impacted", {}).items() for r in regions]
        pairs += [(signal.service, r) for r in signal.extra.get("own_regions", [])]
        for service, region in pairs:
            if (not services or service.lower() in services) and _norm_region(region) in wanted_regions:
                return f"service health: {service} in {region}"
    return None


def match_plans(signal: AlertSignal, plans: Iterable[Plan]) -> list[tuple[Plan, str]]:
    """Every plan the alert concerns, with the reason; in the order given."""
    out = []
    for plan in plans:
        reason = plan_matches(signal, plan)
        if reason is not None:
            out.append((plan, reason))
    return out
