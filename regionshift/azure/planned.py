"""What a step would do if a failover ran now: the dry run's unit, built by the `preview_*`
functions that sit beside each service's domain operation (sql.py, cosmos.py, compute.py, dns.py).

Previews only read. Each one follows the same decisions, in the same order, as the operation it
previews, so the dry run cannot promise a planned failover where the run would force one.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from regionshift.contracts import StepKind

# skipped: the step would not run (DNS stays put when a data or compute step would fail).
PlannedStatus = Literal["to_do", "already_done", "would_fail", "skipped"]


class PlannedStep(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: StepKind
    resource: str
    action: str  # planned_failover, forced_failover, create, scale, switch_to_secondary
    status: PlannedStatus
    forced: bool | None = None  # data replicas: a forced (possible data loss) failover
    detail: str = ""
    data: dict[str, Any] = {}
