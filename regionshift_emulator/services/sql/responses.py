"""SQL servers and failover groups over HTTP (api-version 2025-01-01, azure-mgmt-sql 4.0.0)."""

from __future__ import annotations

from werkzeug.wrappers import Response

from regionshift_emulator.core.routing import ArmRequest, json_response
from regionshift_emulator.services.sql.models import SqlBackend


def _server_id(req: ArmRequest) -> str:
    return req.resource_id(f"Microsoft.Sql/servers/{req.params['serverName']}")


def get_server(req: ArmRequest) -> Response:
    backend = req.backend(SqlBackend)
    return json_response(backend.render_server(backend.server(_server_id(req))))


def list_servers(req: ArmRequest) -> Response:
    """Servers of the subscription. ARM gathers a list from every region; the servers of a region
    in outage are left out (harsher than a partial answer that names them, as Azure's may)."""
    backend = req.backend(SqlBackend)
    prefix = f"/subscriptions/{req.params['subscriptionId']}/".lower()
    servers = [
        s
        for s in req.state.store.of_type("Microsoft.Sql/servers")
        if s.key.startswith(prefix) and not req.state.region_down(s.location)
    ]
    return json_response({"value": [backend.render_server(s) for s in servers]})


def get_database(req: ArmRequest) -> Response:
    backend = req.backend(SqlBackend)
    server = backend.server(_server_id(req))
    return json_response(req.state.store.require(f"{server.id}/databases/{req.params['databaseName']}").render())


def list_failover_groups(req: ArmRequest) -> Response:
    backend = req.backend(SqlBackend)
    server = backend.server(_server_id(req))
    return json_response({"value": [backend.render(g, server) for g in backend.groups_of(server.id)]})


def get_failover_group(req: ArmRequest) -> Response:
    backend = req.backend(SqlBackend)
    server = backend.server(_server_id(req))
    return json_response(backend.render(backend.group(server.id, req.params["failoverGroupName"]), server))


def _failover(req: ArmRequest, *, allow_data_loss: bool) -> Response:
    backend = req.backend(SqlBackend)
    op = backend.begin_failover(_server_id(req), req.params["failoverGroupName"], allow_data_loss=allow_data_loss)
    return req.state.operations.accepted(op, req)


def failover(req: ArmRequest) -> Response:
    return _failover(req, allow_data_loss=False)


def force_failover(req: ArmRequest) -> Response:
    return _failover(req, allow_data_loss=True)
