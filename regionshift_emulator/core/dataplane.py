"""Regional data-plane endpoints (Cosmos DB's `documentEndpoint` per region), for health probes.

Clients of a Cosmos DB account read and write at a regional endpoint; an account's ARM answer
names them (`locations[].documentEndpoint`). The emulator serves each as
`/_dataplane/cosmos/<account>-<region>/` on its own HTTPS port: a request without credentials
gets 401, as Cosmos DB answers one ("Common Azure Cosmos DB REST response headers" / status
codes, Learn: 401 when the authorization header is missing), while the region is up; while the
region is down it gets what ARM gets for that region (504 GatewayTimeout). The app only GETs it.
"""

from __future__ import annotations

from werkzeug.wrappers import Request, Response

from regionshift_emulator.core.errors import GatewayTimeout, ResourceNotFound
from regionshift_emulator.core.regions import UnknownRegion, short_name
from regionshift_emulator.core.routing import json_response
from regionshift_emulator.core.state import EmulatorState

PREFIX = "/_dataplane/cosmos/"


def endpoint(base_url: str, account: str, region: str) -> str:
    return f"{base_url.rstrip('/')}{PREFIX}{account}-{region}/"


def handle(state: EmulatorState, request: Request) -> Response:
    name = request.path[len(PREFIX) :].strip("/").split("/")[0]
    account, _, region = name.rpartition("-")
    try:
        key = short_name(region)
    except UnknownRegion:
        return json_response(ResourceNotFound(f"No endpoint {name}.").body(), 404)
    with state.lock:
        down = state.region_down(key)
    if down:
        error = GatewayTimeout("Microsoft.DocumentDB")
        return json_response(error.body(), error.status)
    return json_response(
        {"code": "Unauthorized", "message": f"Required Header authorization is missing ({account} in {key})."}, 401
    )
