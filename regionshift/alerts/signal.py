"""What an alert means for regionshift: its kind, whether it reports trouble (or a recovery),
and the facts plans match on (rule, targets, Service Health service and regions).

Activity-log alerts (Resource Health, Service Health) are stateless: they always arrive as
`Fired`, and recovery is a new event (`currentHealthStatus: Available`, or a Service Health
`stage`/`status` of Resolved), so "resolved" is read from the context, not only from essentials.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from regionshift.alerts.schema import (
    ActivityLogContext,
    CommonAlert,
    ResourceHealthProperties,
    ServiceHealthProperties,
    validate_part,
)

AlertKind = Literal["metric", "log", "resource_health", "service_health", "activity_log", "other"]


@dataclass(frozen=True)
class AlertSignal:
    """The parts of an alert that decide what regionshift does with it."""

    kind: AlertKind
    alert_id: str
    rule: str | None
    rule_id: str | None
    targets: tuple[str, ...]
    fired_at: datetime
    actionable: bool  # reports trouble that may warrant a failover
    reason: str  # why it is, or is not, actionable
    service: str | None = None  # Service Health
    regions: tuple[str, ...] = ()  # Service Health, as written there ("East US 2")
    tracking_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """Plain JSON to record on a run (no secrets are in an alert; long texts are cut)."""
        return {
            "kind": self.kind,
            "alert_id": self.alert_id,
            "rule": self.rule,
            "targets": list(self.targets)[:20],
            "fired_at": self.fired_at.isoformat(),
            "service": self.service,
            "regions": list(self.regions),
            "tracking_id": self.tracking_id,
            "reason": self.reason[:500],
        }


def _kind(alert: CommonAlert) -> AlertKind:
    e = alert.data.essentials
    service = (e.monitoring_service or "").replace(" ", "").lower()
    signal = (e.signal_type or "").replace(" ", "").lower()
    if service == "resourcehealth":
        return "resource_health"
    if service == "servicehealth":
        return "service_health"
    if signal == "metric":
        return "metric"
    if signal == "log":
        return "log"
    if signal == "activitylog":
        return "activity_log"
    return "other"


def read_signal(alert: CommonAlert) -> AlertSignal:
    """Classify a validated alert. Raises AlertPayloadError when a Resource Health or Service Health
    alert lacks the context fields that decide whether it reports an outage."""
    e = alert.data.essentials
    kind = _kind(alert)
    base: dict[str, Any] = {
        "kind": kind,
        "alert_id": e.alert_id,
        "rule": e.alert_rule,
        "rule_id": e.alert_rule_id,
        "targets": tuple(e.alert_target_ids or ()),
        "fired_at": e.fired_date_time,
    }
    if e.monitor_condition == "Resolved":
        return AlertSignal(**base, actionable=False, reason="the alert is resolved")
    if kind == "resource_health":
        context = _context(alert)
        props = validate_part(ResourceHealthProperties, context.properties, "data.alertContext.properties")
        status = props.current_health_status
        if status == "Available":
            return AlertSignal(**base, actionable=False, reason="resource health is Available again")
        if (props.cause or "").lower() == "userinitiated":
            return AlertSignal(**base, actionable=False, reason=f"{status}, but initiated by a user")
        return AlertSignal(**base, actionable=True, reason=f"resource health is {status}")
    if kind == "service_health":
        context = _context(alert)
        props = validate_part(ServiceHealthProperties, context.properties, "data.alertContext.properties")
        own = [r.strip() for r in (props.region or "").split(",") if r.strip()]
        regions = list(own)
        for impacted in props.impacted_services:
            regions += [r.region_name for r in impacted.impacted_regions]
        facts = {
            **base,
            "service": props.service,
            "regions": tuple(dict.fromkeys(regions)),
            "tracking_id": props.tracking_id,
            "extra": {
                "own_regions": own,
                "impacted": {
                    s.service_name: [r.region_name for r in s.impacted_regions] for s in props.impacted_services
                },
            },
        }
        stage = (props.stage or "").lower()
        if stage in ("resolved", "rca") or (context.status or "").lower() == "resolved":
            return AlertSignal(**facts, actionable=False, reason="the service health event is resolved")
        if props.incident_type.lower() != "incident":
            return AlertSignal(
                **facts, actionable=False, reason=f"a service health {props.incident_type}, not an incident"
            )
        return AlertSignal(**facts, actionable=True, reason=f"service health incident in {props.service}")
    return AlertSignal(**base, actionable=True, reason=f"{kind} alert fired")


def _context(alert: CommonAlert) -> ActivityLogContext:
    ctx = validate_part(ActivityLogContext, alert.data.alert_context, "data.alertContext")
    assert isinstance(ctx, ActivityLogContext)
    return ctx
