"""Cosmos DB's regional data-plane endpoints, as far as a health probe meets them.

Each account's `documentEndpoint` (the global one, which follows the write region) and each of its
regions' (`<account>-<region>`) point at `https://127.0.0.1:<port>/_dataplane/cosmos/<host>/` on the
emulator's HTTPS port. A request there without credentials is answered as Cosmos DB answers one:
401 Unauthorized, `{"code": "Unauthorized", "message": "Required Header authorization is missing.
Ensure a valid Authorization token is passed. ..."}` (Learn, "HTTP status codes for Azure Cosmos
DB": 401 when the Authorization header is missing or invalid). Nothing else is served: the emulator
holds no documents. While the endpoint's region has Cosmos DB in outage, the request gets that
outage's answer instead (`core.outages`: a 504, a 503, a hold or a reset), which is what makes these
endpoints evidence of a region being up or down. A region taken offline for the account still
answers 401 here (its region is up); the offline state shows in ARM's `locations`.
"""

from __future__ import annotations

import json
import uuid

from werkzeug.wrappers import Request, Response

from regionshift_emulator.core.errors import ArmError
from regionshift_emulator.core.state import EmulatorState
from regionshift_emulator.services.cosmos.models import DATAPLANE_PREFIX, SERVICE, CosmosBackend


def serve(state: EmulatorState, request: Request) -> Response:
    host = request.path.removeprefix(DATAPLANE_PREFIX).split("/", 1)[0]
    with state.lock:
        found = state.backend(CosmosBackend).endpoint_region(host)
        if found is None:
            raise ArmError(f"No Cosmos DB endpoint '{host}'.", code="NotFound", status=404)
        _, region = found
        state.require_region_up(region, SERVICE, message=f"The Cosmos DB endpoint '{host}' does not respond.")
    activity = str(uuid.uuid4())
    body = {
        "code": "Unauthorized",
        "message": "Required Header authorization is missing. Ensure a valid Authorization token is passed.\r\n"
        f"ActivityId: {activity}, Microsoft.Azure.Documents.Common/2.14.0",
    }
    return Response(
        json.dumps(body),
        status=401,
        content_type="application/json",
        headers={"x-ms-activity-id": activity, "x-ms-gatewayversion": "version=2.14.0"},
    )
