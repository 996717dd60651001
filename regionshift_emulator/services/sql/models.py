"""Azure SQL servers and auto-failover groups (Microsoft.Sql): state and rules, no HTTP.

A failover group is one resource in the store, kept under the server that was primary when it was
made; both servers answer for it and each sees its own role. The group records which server is
primary, so there is never a second primary. Rules, with their sources (the error codes are those
listed for the failover operations in azure-rest-api-specs `specification/sql/resource-manager/
Microsoft.Sql/stable/2025-01-01/FailoverGroups.json`):

- A server whose region has SQL in outage does not answer (`core.outages`: 504 GatewayTimeout by default).
- `failover` (planned, no data loss) is issued on the secondary and needs both sides: "will either
  succeed without losing data or fail and roll back" (Switch-AzSqlDatabaseFailoverGroup, Learn). With
  the primary's region down, or the link not reconnected after a forced failover, it is accepted and
  then fails with 500 `OperationTimedOut` ("The operation timed out and automatically rolled back",
  the spec's list; it also lists 400 `PlannedFailoverTimedOut`).
- `forceFailoverAllowDataLoss` needs only the server it is issued on; what had not replicated (the
  replication lag when the primary went down) is lost, and the link is SUSPENDED afterwards
  (`replication`).
- Either, issued on the current primary, is 400 `FailoverGroupFailoverRequestOnPrimary` ("The
  failover request should be initiated on the secondary server of failover group.").
- While a failover of the group runs, and for `sql.busyAfterForcedFailover` emulated seconds after a
  forced one, another failover is 409 `FailoverGroupBusy` ("Failover Group is busy with another
  operation."). How long Azure stays busy after a forced failover is not documented: the default
  (300 s) is a harsher guess, settable in `latencies`.
"""

from __future__ import annotations

from typing import Any

from regionshift_emulator.core.errors import ArmError, BadRequest, Conflict, ResourceNotFound
from regionshift_emulator.core.lro import SQL_FAILOVER_GROUP
from regionshift_emulator.core.regions import display_name
from regionshift_emulator.core.service import Backend
from regionshift_emulator.core.store import Resource
from regionshift_emulator.services.sql import replication
from regionshift_emulator.services.sql.replication import NORMAL_LAG_SECONDS

SERVICE = "sql"
SERVER_TYPE = "Microsoft.Sql/servers"
DATABASE_TYPE = "Microsoft.Sql/servers/databases"
GROUP_TYPE = "Microsoft.Sql/servers/failoverGroups"
PLANNED = "sql.failover"
FORCED = "sql.forceFailover"
BUSY_AFTER_FORCED = "sql.busyAfterForcedFailover"
__all__ = ["NORMAL_LAG_SECONDS", "SqlBackend"]


class PlannedFailoverTimedOut(ArmError):
    """A planned failover that cannot synchronise with the primary (down, or not reconnected)."""

    status, code = 500, "OperationTimedOut"

    def __init__(self) -> None:
        super().__init__(
            "The operation timed out and automatically rolled back. A planned failover needs the primary "
            "to be reachable and replicating; during an outage of the primary region use forceFailoverAllowDataLoss."
        )


class SqlBackend(Backend):
    # --- seeding and lookups ---------------------------------------------------------------------

    def add_server(self, server_id: str, region: str) -> Resource:
        name = server_id.rsplit("/", 1)[-1]
        server = Resource(
            id=server_id,
            type=SERVER_TYPE,
            location=region,
            extra={"kind": "v12.0"},
            properties={
                "administratorLogin": "sqladmin",
                "version": "12.0",
                "state": "Ready",
                "fullyQualifiedDomainName": f"{name}.database.windows.net",
                "publicNetworkAccess": "Enabled",
                "minimalTlsVersion": "1.2",
            },
        )
        return self.state.store.put(server)

    def add_database(self, server: Resource, name: str) -> Resource:
        return self.state.store.put(
            Resource(
                id=f"{server.id}/databases/{name}",
                type=DATABASE_TYPE,
                location=server.location,
                extra={"sku": {"name": "GP_Gen5", "tier": "GeneralPurpose", "capacity": 2}},
                properties={"status": "Online", "collation": "SQL_Latin1_General_CP1_CI_AS"},
            )
        )

    def add_failover_group(self, primary: Resource, secondary: Resource, name: str, databases: list[str]) -> Resource:
        group = Resource(
            id=f"{primary.id}/failoverGroups/{name}",
            type=GROUP_TYPE,
            location=primary.location,
            properties={
                "readWriteEndpoint": {"failoverPolicy": "Manual"},
                "readOnlyEndpoint": {"failoverPolicy": "Disabled"},
                "secondaryType": "Geo",
            },
            internal={
                "servers": [primary.id, secondary.id],
                "primary": primary.id,
                "databases": list(databases),
                "replication_lag_seconds": NORMAL_LAG_SECONDS,
                "data_loss_seconds": None,
            },
        )
        return self.state.store.put(group)

    def server(self, server_id: str) -> Resource:
        server = self.state.store.require(server_id)
        self.state.require_region_up(server.location, SERVICE)
        return server

    def group(self, server_id: str, name: str) -> Resource:
        """The group as seen from `server_id` (either partner), or ResourceNotFound."""
        store = self.state.store
        found = store.get(f"{server_id}/failoverGroups/{name}")
        if found is None:
            for candidate in store.of_type(GROUP_TYPE):
                servers = [s.lower() for s in candidate.internal["servers"]]
                if candidate.name.lower() == name.lower() and server_id.lower() in servers:
                    found = candidate
        if found is None:
            raise ResourceNotFound(
                f"The requested resource of type '{GROUP_TYPE}' with name '{name}' was not found.",
            )
        return found

    def groups_of(self, server_id: str) -> list[Resource]:
        return [
            g
            for g in self.state.store.of_type(GROUP_TYPE)
            if server_id.lower() in [s.lower() for s in g.internal["servers"]]
        ]

    # --- rules -------------------------------------------------------------------------------------

    def is_primary(self, group: Resource, server_id: str) -> bool:
        return bool(group.internal["primary"].lower() == server_id.lower())

    def partner_of(self, group: Resource, server_id: str) -> str:
        return next(s for s in group.internal["servers"] if s.lower() != server_id.lower())

    def begin_failover(self, server_id: str, name: str, *, allow_data_loss: bool) -> Any:
        """Start a failover to `server_id`, or refuse it as Azure does (see the module docstring)."""
        server = self.server(server_id)
        group = self.group(server.id, name)
        self._require_idle(group)
        if self.is_primary(group, server.id):
            raise BadRequest(
                "The failover request should be initiated on the secondary server of failover group.",
                code="FailoverGroupFailoverRequestOnPrimary",
            )
        kind = FORCED if allow_data_loss else PLANNED
        old_primary_id = group.internal["primary"]

        def complete() -> dict[str, Any]:
            old_primary = self.state.store.require(old_primary_id)
            self.state.require_region_up(server.location, SERVICE)
            primary_down = self.state.region_down(old_primary.location, SERVICE)
            if not allow_data_loss and (primary_down or not replication.can_sync(group)):
                raise PlannedFailoverTimedOut()
            group.internal["primary"] = server.id
            group.internal["data_loss_seconds"] = group.internal["replication_lag_seconds"] if allow_data_loss else 0.0
            now = self.state.clock.now()
            if allow_data_loss:
                replication.suspend(group, now)
                group.internal["busy_until"] = now + self.state.operation_duration(BUSY_AFTER_FORCED)
            else:
                group.internal["replication_lag_seconds"] = NORMAL_LAG_SECONDS
            group.touch()
            return self.render(group, server)

        op = self.state.operations.start(
            kind=kind,
            resource_id=f"{server.id}/failoverGroups/{group.name}",
            location=server.location,
            duration=self.state.operation_duration(kind),
            complete=complete,
            style=SQL_FAILOVER_GROUP,
        )
        group.internal["operation"] = op.id
        return op

    def _require_idle(self, group: Resource) -> None:
        running = group.internal.get("operation")
        busy = running is not None and not self.state.operations.get(running).done
        if busy or self.state.clock.now() < group.internal.get("busy_until", float("-inf")):
            raise Conflict("Failover Group is busy with another operation.", code="FailoverGroupBusy")

    def tick(self) -> None:
        """Move every group's replication link on (`replication.advance`)."""
        for group in self.state.store.of_type(GROUP_TYPE):
            primary = self.state.store.get(group.internal["primary"])
            secondary = self.state.store.get(self.partner_of(group, group.internal["primary"]))
            if primary is not None and secondary is not None:
                replication.advance(self.state, group, primary, secondary)

    def replication_lag(self, database_id: str) -> float | None:
        """Seconds the database's geo-secondary is behind (Azure Monitor's `replication_lag_seconds`
        metric of the database), or None when the database is in no failover group."""
        server_id, _, name = database_id.rstrip("/").rpartition("/databases/")
        for group in self.groups_of(server_id):
            if name.lower() in [d.lower() for d in group.internal["databases"]]:
                return float(group.internal["replication_lag_seconds"])
        return None

    # --- rendering --------------------------------------------------------------------------------

    def render(self, group: Resource, server: Resource) -> dict[str, Any]:
        primary = self.is_primary(group, server.id)
        partner_id = self.partner_of(group, server.id)
        partner = self.state.store.get(partner_id)
        partner_up = partner is not None and not self.state.region_down(partner.location, SERVICE)
        return {
            "id": f"{server.id}/failoverGroups/{group.name}",
            "name": group.name,
            "type": GROUP_TYPE,
            "location": display_name(server.location),
            "tags": dict(group.tags),
            "properties": {
                **group.properties,
                "replicationRole": "Primary" if primary else "Secondary",
                "replicationState": replication.replication_state(group, partner_up),
                "partnerServers": [
                    {
                        "id": partner.id if partner else partner_id,
                        "location": display_name(partner.location) if partner else None,
                        "replicationRole": "Secondary" if primary else "Primary",
                    }
                ],
                "databases": [f"{server.id}/databases/{db}" for db in group.internal["databases"]],
            },
        }

    def render_server(self, server: Resource) -> dict[str, Any]:
        return server.render()

    def snapshot(self) -> dict[str, Any]:
        return {
            group.id: {
                "primary": group.internal["primary"],
                "servers": group.internal["servers"],
                "replication_lag_seconds": group.internal["replication_lag_seconds"],
                "data_loss_seconds": group.internal["data_loss_seconds"],
                "link": group.internal.get("link", "healthy"),
            }
            for group in self.state.store.of_type(GROUP_TYPE)
        }
