"""A realistic failover report for the report tests and the README screenshot: eight steps across
SQL, Cosmos DB, compute and DNS, one of them failed, with readiness results and final state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from regionshift.contracts import RunReport, StepOutcome

SUB = "/subscriptions/00000000-0000-0000-0000-000000000000"
T0 = datetime(2025, 3, 14, 2, 17, 5, tzinfo=UTC)


def _at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def _step(kind: str, resource: str, action: str, status: str, start: float, end: float, **kw: object) -> StepOutcome:
    return StepOutcome.model_validate(
        {
            "kind": kind,
            "resource": resource,
            "action": action,
            "status": status,
            "started_at": _at(start),
            "ended_at": _at(end),
            **kw,
        }
    )


def failover_report() -> RunReport:
    steps = [
        _step(
            "approval",
            "policy.approval",
            "approved",
            "succeeded",
            0,
            41.5,
            detail="approved by oncall@contoso.com via Teams",
        ),
        _step(
            "sql",
            f"{SUB}/resourceGroups/rg-data/providers/Microsoft.Sql/servers/sql-eus2/failoverGroups/fg-orders",
            "forced_failover",
            "succeeded",
            42,
            118.2,
            detail="primary sql-eus2 unreachable; forced failover",
            data={"forced": True, "replication_lag_seconds": 4.2},
        ),
        _step(
            "cosmos",
            f"{SUB}/resourceGroups/rg-data/providers/Microsoft.DocumentDB/databaseAccounts/cosmos-orders",
            "offline_region",
            "succeeded",
            42,
            96.8,
            detail="eastus2 taken offline; centralus is the write region",
            data={"replication_lag_seconds": 2.0},
        ),
        _step(
            "resource_group",
            f"{SUB}/resourceGroups/contoso-dr",
            "create",
            "already_done",
            42.1,
            42.4,
            detail="exists in centralus",
        ),
        _step(
            "scale_set",
            f"{SUB}/resourceGroups/contoso-dr/providers/Microsoft.Compute/virtualMachineScaleSets/web",
            "create",
            "succeeded",
            43,
            231.0,
            detail="4 instances running",
            data={"capacity": 4},
        ),
        _step(
            "scale_set",
            f"{SUB}/resourceGroups/rg-compute-cus/providers/Microsoft.Compute/virtualMachineScaleSets/worker-cus",
            "scale",
            "failed",
            43,
            172.5,
            detail="QuotaExceeded: operation needs 8 more cores of standardDSv5Family in centralus (limit 16)",
        ),
        _step(
            "dns",
            "www.contoso.com CNAME",
            "switch",
            "succeeded",
            232,
            233.4,
            detail="web-eus2.contoso.net → web-cus.contoso.net (TTL 60 s)",
        ),
        _step(
            "dns",
            "api.contoso.com A",
            "switch",
            "succeeded",
            232,
            234.1,
            detail="20.1.2.3 → 52.4.5.6, 52.4.5.7 (TTL 60 s)",
        ),
    ]
    readiness = [
        StepOutcome(
            kind="check",
            resource=f"{SUB}/resourceGroups/rg-images/providers/Microsoft.Compute/galleries/gal"
            "/images/web/versions/1.4.0",
            action="image_replicated",
            status="succeeded",
            detail="replica in centralus",
        ),
        StepOutcome(
            kind="check",
            resource="centralus standardDSv5Family",
            action="compute_quota",
            status="failed",
            detail="needs 24 cores, 16 available",
            data={"advisory": True},
        ),
        StepOutcome(
            kind="check",
            resource=steps[1].resource,
            action="sql_replication",
            status="succeeded",
            detail="partner sql-cus in centralus, lag 4 s",
            data={"replication_lag_seconds": 4.2},
        ),
        StepOutcome(
            kind="check",
            resource="identity",
            action="permissions",
            status="succeeded",
            detail="all 11 write actions allowed",
        ),
    ]
    resources = [
        {"id": steps[1].resource, "kind": "sql", "primary": "sql-cus", "role": "Primary", "region": "centralus"},
        {"id": steps[2].resource, "kind": "cosmos", "write_region": "centralus", "offline": ["eastus2"]},
        {"id": steps[4].resource, "kind": "scale_set", "capacity": 4, "running": 4},
        {"id": steps[5].resource, "kind": "scale_set", "capacity": 0, "running": 0},
        {"fqdn": "www.contoso.com", "kind": "dns", "type": "CNAME", "target": "web-cus.contoso.net", "ttl": 60},
        {"fqdn": "api.contoso.com", "kind": "dns", "type": "A", "target": ["52.4.5.6", "52.4.5.7"], "ttl": 60},
    ]
    return RunReport(
        operation="failover",
        plan="contoso-web",
        instance_id="rs-contoso-web-failover-7f3a9c",
        status="failed",
        started_at=T0,
        ended_at=_at(235),
        rto_seconds=234.1,
        rpo_seconds=4.2,
        started_by="alert: Resource Health sql-eus2 Unavailable (approved by oncall@contoso.com)",
        steps=steps,
        readiness=readiness,
        resources=resources,
        reason="1 of 8 steps failed: scale_set worker-cus (QuotaExceeded); the workload serves from centralus "
        "with reduced worker capacity",
    )
