"""Permissions over HTTP (azure-mgmt-authorization 4.0.0: api-version 2022-04-01). Thin."""

from __future__ import annotations

from werkzeug.wrappers import Response

from regionshift_emulator.core.routing import ArmRequest, json_response
from regionshift_emulator.services.authorization.models import AuthorizationBackend


def list_for_resource_group(req: ArmRequest) -> Response:
    p = req.params
    entries = req.backend(AuthorizationBackend).permissions(p["subscriptionId"], p["resourceGroupName"])
    return json_response({"value": entries})
