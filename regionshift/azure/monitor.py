"""Azure Monitor reads that confirm an outage before an automatic failover acts.

Two independent signals, as the plan's `policy.confirmation` names them: a Log Analytics query
(azure-monitor-query's LogsQueryClient, e.g. availability tests run from other regions) and a
platform metric (azure-mgmt-monitor's `metrics.list` through ARM; azure-monitor-query 2.x no longer
has a metrics client). Endpoints come from settings (`REGIONSHIFT_LOGS_ENDPOINT`; metrics use the
ARM endpoint), so the emulator answers both locally. A signal that cannot be read does not confirm:
the caller then asks a person instead of acting.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

from azure.mgmt.monitor import MonitorManagementClient
from azure.monitor.query import LogsQueryClient, LogsQueryStatus

from regionshift.azure.clients import AzureClients
from regionshift.plan.models import Confirmation, LogsConfirmation, MetricConfirmation

LOGS_ENDPOINT = "https://api.loganalytics.io"
_OPS = {
    "GreaterThan": lambda v, t: v > t,
    "GreaterThanOrEqual": lambda v, t: v >= t,
    "LessThan": lambda v, t: v < t,
    "LessThanOrEqual": lambda v, t: v <= t,
}


def logs_client(clients: AzureClients) -> LogsQueryClient:
    endpoint = os.environ.get("REGIONSHIFT_LOGS_ENDPOINT", LOGS_ENDPOINT).rstrip("/")
    options: dict[str, Any] = {"retry_total": 1}
    if clients.settings.ca_bundle:
        options["connection_verify"] = clients.settings.ca_bundle
    audience = os.environ.get("REGIONSHIFT_LOGS_AUDIENCE", LOGS_ENDPOINT)
    return LogsQueryClient(clients.credential, endpoint=endpoint, audience=audience, **options)


def metrics_client(clients: AzureClients, subscription_id: str) -> MonitorManagementClient:
    options: dict[str, Any] = {"retry_total": 1}
    if clients.settings.ca_bundle:
        options["connection_verify"] = clients.settings.ca_bundle
    return MonitorManagementClient(
        clients.credential,
        subscription_id,
        base_url=clients.settings.arm_endpoint,
        credential_scopes=[clients.settings.scope],
        **options,
    )


def check_logs(client: LogsQueryClient, spec: LogsConfirmation) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": "logs", "workspace_id": spec.workspace_id, "query": spec.query[:500]}
    try:
        result = client.query_workspace(
            spec.workspace_id, spec.query, timespan=timedelta(minutes=spec.timespan_minutes)
        )
    except Exception as exc:  # any failure to read means "not confirmed", never a crash
        return {**out, "confirmed": False, "error": _short(exc)}
    tables = result.tables if result.status == LogsQueryStatus.SUCCESS else result.partial_data
    rows = sum(len(t.rows) for t in tables or [])
    confirmed = rows >= spec.min_rows
    return {**out, "confirmed": confirmed, "rows": rows, "min_rows": spec.min_rows}


def check_metric(client: MonitorManagementClient, spec: MetricConfirmation) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": "metric", "resource_id": spec.resource_id, "metric": spec.metric}
    try:
        response = client.metrics.list(
            spec.resource_id,
            timespan=f"PT{spec.window_minutes}M",
            interval="PT1M",
            metricnames=spec.metric,
            aggregation=spec.aggregation,
            metricnamespace=spec.namespace,
        )
    except Exception as exc:  # any failure to read means "not confirmed", never a crash
        return {**out, "confirmed": False, "error": _short(exc)}
    key = spec.aggregation.lower()
    values = [
        getattr(point, key)
        for metric in response.value
        for series in metric.timeseries or []
        for point in series.data or []
        if getattr(point, key) is not None
    ]
    if not values:
        return {**out, "confirmed": False, "error": "no data points in the window"}
    latest = values[-1]
    confirmed = _OPS[spec.operator](latest, spec.threshold)
    return {**out, "confirmed": confirmed, "value": latest, "condition": f"{spec.operator} {spec.threshold}"}


def confirm_outage(clients: AzureClients, subscription_id: str, spec: Confirmation) -> dict[str, Any]:
    """Read every signal the plan names; confirmed when all (or any, per `require`) agree."""
    signals = []
    if spec.logs is not None:
        signals.append(check_logs(logs_client(clients), spec.logs))
    if spec.metric is not None:
        sub = spec.metric.resource_id.split("/")[2]
        signals.append(check_metric(metrics_client(clients, sub or subscription_id), spec.metric))
    agree = [s["confirmed"] for s in signals]
    confirmed = all(agree) if spec.require == "all" else any(agree)
    parts = [
        f"{s['kind']}: {'confirms' if s['confirmed'] else 'does not confirm'}"
        + (f" ({s['error']})" if "error" in s else "")
        for s in signals
    ]
    return {"confirmed": confirmed, "require": spec.require, "signals": signals, "summary": "; ".join(parts)}


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return f"{type(exc).__name__}: {text[:200]}"
