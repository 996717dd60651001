"""Resource groups over HTTP: parse, call the backend, render (azure-mgmt-resource 26, 2025-04-01)."""

from __future__ import annotations

from werkzeug.wrappers import Response

from regionshift_emulator.core.errors import InvalidRequestContent
from regionshift_emulator.core.routing import ArmRequest, empty_response, json_response
from regionshift_emulator.services.resources.models import ResourceGroupsBackend


def _backend(req: ArmRequest) -> ResourceGroupsBackend:
    return req.backend(ResourceGroupsBackend)


def create_or_update(req: ArmRequest) -> Response:
    body = req.json()
    location = body.get("location")
    if not isinstance(location, str) or not location:
        raise InvalidRequestContent("The request content was invalid: 'location' is required.", code="LocationRequired")
    tags = body.get("tags")
    if tags is not None and not isinstance(tags, dict):
        raise InvalidRequestContent("The request content was invalid: 'tags' must be an object.")
    group, created = _backend(req).create_or_update(
        req.params["subscriptionId"], req.params["resourceGroupName"], location, tags
    )
    return json_response(group.render(), 201 if created else 200)


def get(req: ArmRequest) -> Response:
    return json_response(_backend(req).get(req.params["subscriptionId"], req.params["resourceGroupName"]).render())


def check_existence(req: ArmRequest) -> Response:
    found = _backend(req).exists(req.params["subscriptionId"], req.params["resourceGroupName"])
    return empty_response(204 if found else 404)


def delete(req: ArmRequest) -> Response:
    op = _backend(req).begin_delete(req.params["subscriptionId"], req.params["resourceGroupName"])
    return req.state.operations.accepted(op, req)


def list_groups(req: ArmRequest) -> Response:
    groups = _backend(req).list_groups(req.params["subscriptionId"])
    return json_response({"value": [g.render() for g in groups]})


def list_resources(req: ArmRequest) -> Response:
    found = _backend(req).list_resources(req.params["subscriptionId"], req.params["resourceGroupName"])
    return json_response({"value": [r.render() for r in found]})
