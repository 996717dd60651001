"""Azure SQL servers and auto-failover groups (Microsoft.Sql): state and rules, no HTTP.

A failover group is one resource in the store, kept under the server that was primary when it was
made; both servers answer for it and each sees its own role. The group records which server is
primary, so there is never a second primary: a forced failover while the old primary's region is
down makes the partner primary at once, and the old primary, when its region returns, answers as
the secondary (Azure demotes it the same way). Rules, as Azure documents them:

- A server whose region is in outage does not answer (504 GatewayTimeout from ARM).
- `failover` (planned, no data loss) is issued on the secondary and needs both sides: with the
  primary's region down it is accepted and then fails, timing out as Azure's does.
- `forceFailoverAllowDataLoss` needs only the server it is issued on; what had not replicated
  (the replication lag when the primary went down) is lost.
- Issued on the current primary, either is a no-op that answers the group at once.
"""

from __future__ import annotations

from typing import Any

from regionshift_emulator.core.errors import ArmError, ResourceNotFound
from regionshift_emulator.core.regions import display_name
from regionshift_emulator.core.service import Backend
from regionshift_emulator.core.store import Resource

NAMESPACE = "Microsoft.Sql"
SERVER_TYPE = "Microsoft.Sql/servers"
DATABASE_TYPE = "Microsoft.Sql/servers/databases"
GROUP_TYPE = "Microsoft.Sql/servers/failoverGroups"
PLANNED = "sql.failover"
FORCED = "sql.forceFailover"
NORMAL_LAG_SECONDS = 5.0  # geo-replication is asynchronous; a few seconds behind is typical


class PlannedFailoverTimedOut(ArmError):
    """A planned failover that cannot reach the primary to synchronise (the primary's region is down)."""

    status, code = 500, "OperationTimedOut"

    def __init__(self) -> None:
        super().__init__(
            "The operation timed out and automatically rolled back. A planned failover needs the primary "
            "to be reachable; during an outage of the primary region use forceFailoverAllowDataLoss."
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
        self.state.require_region_up(server.location, NAMESPACE)
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
        """Start a failover to `server_id`; None when it is already primary (a no-op)."""
        server = self.server(server_id)
        group = self.group(server.id, name)
        if self.is_primary(group, server.id):
            return None
        kind = FORCED if allow_data_loss else PLANNED
        old_primary_id = group.internal["primary"]

        def complete() -> dict[str, Any]:
            old_primary = self.state.store.require(old_primary_id)
            self.state.require_region_up(server.location, NAMESPACE)
            primary_down = self.state.region_down(old_primary.location)
            if primary_down and not allow_data_loss:
                raise PlannedFailoverTimedOut()
            group.internal["primary"] = server.id
            group.internal["data_loss_seconds"] = group.internal["replication_lag_seconds"] if primary_down else 0.0
            if not primary_down:
                group.internal["replication_lag_seconds"] = NORMAL_LAG_SECONDS
            group.touch()
            return self.render(group, server)

        return self.state.operations.start(
            kind=kind,
            resource_id=f"{server.id}/failoverGroups/{group.name}",
            location=server.location,
            duration=self.state.operation_duration(kind),
            complete=complete,
        )

    def tick(self) -> None:
        """Replication lag: grows while the secondary cannot receive, frozen while the primary is down."""
        for group in self.state.store.of_type(GROUP_TYPE):
            primary = self.state.store.get(group.internal["primary"])
            secondary = self.state.store.get(self.partner_of(group, group.internal["primary"]))
            if primary is None or secondary is None:
                continue
            if self.state.region_down(primary.location):
                continue  # nothing new is written; what was not replicated stays at risk
            age = self.state.outage_age(secondary.location)
            group.internal["replication_lag_seconds"] = NORMAL_LAG_SECONDS + (age or 0.0)

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
        partner_up = partner is not None and not self.state.region_down(partner.location)
        return {
            "id": f"{server.id}/failoverGroups/{group.name}",
            "name": group.name,
            "type": GROUP_TYPE,
            "location": display_name(server.location),
            "tags": dict(group.tags),
            "properties": {
                **group.properties,
                "replicationRole": "Primary" if primary else "Secondary",
                "replicationState": "CATCH_UP" if partner_up else "SUSPENDED",
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
            }
            for group in self.state.store.of_type(GROUP_TYPE)
        }
