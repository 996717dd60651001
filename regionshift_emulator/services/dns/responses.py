"""Azure DNS over HTTP (azure-mgmt-dns 9.0.0, api-version 2018-05-01): parse, call the backend, render.

Not long-running: every write answers with the final record set (200 / 201) and its `ETag`
header. A record set renders with its bare-GUID `etag`, `properties.TTL`, `properties.fqdn`
(with the trailing dot) and the type's records (`ARecords`, `CNAMERecord`, ...).
"""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from regionshift_emulator.core.errors import BadRequest
from regionshift_emulator.core.routing import ArmRequest, empty_response, json_response, paged_response
from regionshift_emulator.core.store import Resource
from regionshift_emulator.services.dns.models import DnsBackend


def _backend(req: ArmRequest) -> DnsBackend:
    return req.backend(DnsBackend)


def _zone(req: ArmRequest) -> Resource:
    p = req.params
    return _backend(req).get_zone(p["subscriptionId"], p["resourceGroupName"], p["zoneName"])


def _render_record_set(record_set: Resource) -> dict[str, Any]:
    return {
        "id": record_set.id,
        "name": record_set.name,
        "type": record_set.type,
        "etag": record_set.etag,
        "properties": record_set.properties,
    }


def _answer(record_set: Resource, status: int = 200) -> Response:
    return json_response(_render_record_set(record_set), status, {"ETag": record_set.etag})


def _top(req: ArmRequest) -> int | None:
    raw = req.request.args.get("$top")
    if raw is None:
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise BadRequest(f"$top must be a positive integer, not {raw!r}.")
    return int(raw)


# Record set lists are pageable (`x-ms-pageable`, `nextLinkName: nextLink`, in the DNS REST spec's
# dns.json: RecordSets_ListByType and _ListByDnsZone), and `$top` is "the maximum number of record
# sets to return. If not specified, returns up to 100 record sets" (same spec).
PAGE_SIZE = 100


def _page(req: ArmRequest, items: list[Resource]) -> Response:
    return paged_response(req, items, _top(req) or PAGE_SIZE, _render_record_set)


def get_zone(req: ArmRequest) -> Response:
    zone = _backend(req).zone_view(_zone(req))
    return json_response(zone.render(with_etag=True))


def list_zones(req: ArmRequest) -> Response:
    p = req.params
    zones = _backend(req).list_zones(p["subscriptionId"], p.get("resourceGroupName"))
    return json_response({"value": [z.render(with_etag=True) for z in zones]})


def get_record_set(req: ArmRequest) -> Response:
    p = req.params
    return _answer(_backend(req).get_record_set(_zone(req), p["relativeRecordSetName"], p["recordType"]))


def put_record_set(req: ArmRequest) -> Response:
    p, headers = req.params, req.request.headers
    record_set, created = _backend(req).put_record_set(
        _zone(req),
        p["relativeRecordSetName"],
        p["recordType"],
        req.json(),
        if_match=headers.get("If-Match"),
        if_none_match=headers.get("If-None-Match"),
    )
    return _answer(record_set, 201 if created else 200)


def patch_record_set(req: ArmRequest) -> Response:
    p = req.params
    record_set = _backend(req).patch_record_set(
        _zone(req),
        p["relativeRecordSetName"],
        p["recordType"],
        req.json(),
        if_match=req.request.headers.get("If-Match"),
    )
    return _answer(record_set)


def delete_record_set(req: ArmRequest) -> Response:
    p = req.params
    deleted = _backend(req).delete_record_set(
        _zone(req), p["relativeRecordSetName"], p["recordType"], if_match=req.request.headers.get("If-Match")
    )
    return empty_response(200 if deleted else 204)


def list_by_type(req: ArmRequest) -> Response:
    suffix = req.request.args.get("$recordsetnamesuffix")
    return _page(req, _backend(req).list_record_sets(_zone(req), req.params["recordType"], suffix))


def list_all(req: ArmRequest) -> Response:
    suffix = req.request.args.get("$recordsetnamesuffix")
    return _page(req, _backend(req).list_record_sets(_zone(req), None, suffix))
