"""Azure Monitor's query side, emulated: platform metrics (through ARM) and Log Analytics queries.

What they answer follows the scenario, so they are an independent view of the same outage:
- Availability-style metrics of a resource read 0 while the resource's service is down in its
  region, else 100 (the region comes from the resource in the store, or the plan's primary region
  for resources the emulator does not model, such as Application Insights components, which then
  read 0 while anything is down there).
- A Log Analytics query answers with the failed availability-test results "seen from the other
  regions" while the plan's primary region is down, and with no rows otherwise. Queries are not
  parsed: the emulator does not pretend to run KQL.
- `replication_lag_seconds` of a SQL database is its failover group's replication lag.
Tests and demos can pin either answer (`set_metric`, `set_query_rows`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from regionshift_emulator.core.service import Backend
from regionshift_emulator.services.sql.models import SqlBackend

_AVAILABILITY = {"availability", "vipavailability", "dipavailability", "availabilityresults/availabilitypercentage"}
LOG_COLUMNS = [
    {"name": "TimeGenerated", "type": "datetime"},
    {"name": "Name", "type": "string"},
    {"name": "Location", "type": "string"},
    {"name": "Success", "type": "bool"},
]


class MonitorBackend(Backend):
    def __init__(self, state: Any) -> None:
        super().__init__(state)
        self._metrics: dict[tuple[str, str], float] = {}
        self._rows: dict[str, list[list[Any]]] = {}

    def set_metric(self, resource_id: str, metric: str, value: float) -> None:
        self._metrics[(resource_id.rstrip("/").lower(), metric.lower())] = value

    def set_query_rows(self, workspace_id: str, rows: list[list[Any]]) -> None:
        self._rows[workspace_id.lower()] = rows

    def _region_of(self, resource_id: str) -> str:
        resource = self.state.store.get(resource_id)
        return resource.location if resource is not None else self.state.plan.regions.primary

    def metric_value(self, resource_id: str, metric: str) -> float | None:
        pinned = self._metrics.get((resource_id.rstrip("/").lower(), metric.lower()))
        if pinned is not None:
            return pinned
        if metric.lower() == "replication_lag_seconds" and "/microsoft.sql/servers/" in resource_id.lower():
            return self.state.backend(SqlBackend).replication_lag(resource_id)
        if metric.lower() in _AVAILABILITY:
            down = self.state.region_down(self._region_of(resource_id), self.state.service_of(resource_id))
            return 0.0 if down else 100.0
        return None  # a metric the emulator knows nothing about: no data, as Azure gives for unknowns

    def metric_series(self, resource_id: str, metric: str, minutes: int) -> list[tuple[datetime, float | None]]:
        now = datetime.now(UTC).replace(second=0, microsecond=0)
        value = self.metric_value(resource_id, metric)
        return [(now - timedelta(minutes=minutes - 1 - i), value) for i in range(minutes)]

    def query(self, workspace_id: str) -> list[list[Any]]:
        pinned = self._rows.get(workspace_id.lower())
        if pinned is not None:
            return pinned
        primary, secondary = self.state.plan.regions.primary, self.state.plan.regions.secondary
        if not self.state.region_down(primary):
            return []
        stamp = datetime.now(UTC).isoformat()
        return [[stamp, f"availability-{primary}", loc, False] for loc in (secondary, "westeurope", "southeastasia")]

    def snapshot(self) -> dict[str, Any]:
        return {"pinned_metrics": len(self._metrics), "pinned_queries": len(self._rows)}
