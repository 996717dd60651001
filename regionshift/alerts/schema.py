"""Pydantic models of the Azure Monitor Common Alert Schema, and the parser that turns a webhook
body into one, or into a list of reasons (`data.essentials.monitorCondition: must be one of ...`).

Strict where regionshift relies on a field (schema id, essentials, the Resource Health and Service
Health properties it reads), tolerant of fields it does not read: Azure adds fields to the schema
over time, and refusing an unknown key would drop a real outage alert on the floor.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from regionshift.errors import InputError

SCHEMA_ID = "azureMonitorCommonAlertSchema"
# Azure caps a common-schema alert at 256 KB (log alerts drop their search results to fit). Twice
# that leaves room for encoding differences while still bounding what one request can make us parse.
MAX_ALERT_BYTES = 512 * 1024
_MAX_DEPTH = 32


class AlertPayloadError(InputError):
    """A webhook body that is not a usable common-schema alert; `problems` are `path: reason`."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True)


class Essentials(_Model):
    alert_id: str = Field(alias="alertId", min_length=1, max_length=2048)
    alert_rule: str | None = Field(default=None, alias="alertRule", max_length=1024)
    alert_rule_id: str | None = Field(default=None, alias="alertRuleID", max_length=2048)
    severity: Literal["Sev0", "Sev1", "Sev2", "Sev3", "Sev4"] | None = None
    # Seen in Microsoft's samples: Metric, Log, "Activity Log" and "ActivityLog"; null for cost alerts.
    signal_type: str | None = Field(default=None, alias="signalType", max_length=100)
    monitor_condition: Literal["Fired", "Resolved"] = Field(alias="monitorCondition")
    monitoring_service: str | None = Field(default=None, alias="monitoringService", max_length=200)
    alert_target_ids: list[str] | None = Field(default=None, alias="alertTargetIDs", max_length=1000)
    configuration_items: list[str] | None = Field(default=None, alias="configurationItems")
    origin_alert_id: str | None = Field(default=None, alias="originAlertId")
    fired_date_time: datetime = Field(alias="firedDateTime")
    resolved_date_time: datetime | None = Field(default=None, alias="resolvedDateTime")
    description: str | None = None
    essentials_version: str = Field(alias="essentialsVersion")
    alert_context_version: str = Field(alias="alertContextVersion")


class ResourceHealthProperties(_Model):
    title: str | None = None
    details: str | None = None
    current_health_status: Literal["Available", "Unavailable", "Degraded", "Unknown"] = Field(
        alias="currentHealthStatus"
    )
    previous_health_status: str | None = Field(default=None, alias="previousHealthStatus")
    type: str | None = None
    cause: str | None = None  # PlatformInitiated | UserInitiated | Unknown


class ImpactedRegion(_Model):
    region_name: str = Field(alias="RegionName")


class ImpactedService(_Model):
    service_name: str = Field(alias="ServiceName")
    impacted_regions: list[ImpactedRegion] = Field(default=[], alias="ImpactedRegions")


class ServiceHealthProperties(_Model):
    title: str | None = None
    service: str
    region: str | None = None
    incident_type: str = Field(alias="incidentType")  # Incident | Maintenance | Informational | ...
    tracking_id: str | None = Field(default=None, alias="trackingId")
    stage: str | None = None  # Active | Planned | Resolved | RCA ...
    # A JSON string in most payloads, a list in others (both appear in Microsoft's samples).
    impacted_services: list[ImpactedService] = Field(default=[], alias="impactedServices")

    @field_validator("impacted_services", mode="before")
    @classmethod
    def _decode(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value) if value.strip() else []
            except ValueError:
                raise ValueError("is a string but not JSON") from None
        return value


class ActivityLogContext(_Model):
    """The activity-log context Resource Health and Service Health alerts share. Service Health
    writes `channels`, `eventSource` and `level` as numbers, the others as strings."""

    channels: str | int | None = None
    event_source: str | int | None = Field(default=None, alias="eventSource")
    level: str | int | None = None
    operation_name: str | None = Field(default=None, alias="operationName")
    status: str | None = None
    event_timestamp: datetime | None = Field(default=None, alias="eventTimestamp")
    properties: dict[str, Any] | None = None


class AlertData(_Model):
    essentials: Essentials
    alert_context: dict[str, Any] | None = Field(default=None, alias="alertContext")
    custom_properties: dict[str, Any] | None = Field(default=None, alias="customProperties")


class CommonAlert(BaseModel):
    """The envelope. Only these two keys: anything else means this is not the common schema."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    schema_id: Literal["azureMonitorCommonAlertSchema"] = Field(alias="schemaId")
    data: AlertData


def parse_alert(body: bytes | str) -> CommonAlert:
    """Validate a webhook body, raising AlertPayloadError with every problem found."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    if len(raw) > MAX_ALERT_BYTES:
        raise AlertPayloadError([f"payload is {len(raw)} bytes; the limit is {MAX_ALERT_BYTES}"])
    if not raw.strip():
        raise AlertPayloadError(["payload is empty; expected a common alert schema JSON object"])
    try:
        data = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicate_keys)
    except UnicodeDecodeError:
        raise AlertPayloadError(["payload is not UTF-8 text"]) from None
    except (ValueError, RecursionError) as exc:
        raise AlertPayloadError([f"payload is not valid JSON: {_json_reason(exc)}"]) from None
    if not isinstance(data, dict):
        raise AlertPayloadError(["payload must be a JSON object with schemaId and data"])
    if _depth(data) > _MAX_DEPTH:
        raise AlertPayloadError([f"payload nests deeper than {_MAX_DEPTH} levels"])
    if data.get("schemaId") != SCHEMA_ID and "schemaId" in data:
        raise AlertPayloadError(
            [
                f"schemaId: {str(data['schemaId'])[:80]!r} is not {SCHEMA_ID!r}; "
                "enable the common alert schema on the action group"
            ]
        )
    try:
        return CommonAlert.model_validate(data)
    except ValidationError as exc:
        raise AlertPayloadError(_problems(exc)) from None


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _json_reason(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} (line {exc.lineno}, column {exc.colno})"
    return str(exc)


def _depth(value: Any, level: int = 0) -> int:
    if level > _MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level + 1)
    return level


def _problems(exc: ValidationError) -> list[str]:
    out = []
    for error in exc.errors(include_url=False):
        path = ".".join(str(part) for part in error["loc"])
        kind = error["type"]
        if kind == "missing":
            reason = "is required"
        elif kind == "extra_forbidden":
            reason = "unknown key (the common schema has only schemaId and data here)"
        elif kind == "literal_error":
            reason = f"must be one of {error['ctx']['expected']}"
        else:
            reason = str(error["msg"])
        out.append(f"{path}: {reason}")
    return out


def validate_part(model: type[_Model], value: Any, path: str) -> Any:
    """Validate one nested part the generic envelope leaves open, with reasons under `path`."""
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        raise AlertPayloadError([f"{path}.{p}" for p in _problems(exc)]) from None
