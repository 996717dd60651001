"""Metrics over ARM (`GET {resourceUri}/providers/Microsoft.Insights/metrics`, as azure-mgmt-monitor
7 calls it) and the Log Analytics query API (`POST /v1/workspaces/{id}/query`, as
azure-monitor-query 2 calls it). Thin: parse, ask the backend, render."""

from __future__ import annotations

import json
import re
from typing import Any

import jwt
from werkzeug.wrappers import Request, Response

from regionshift_emulator.core.errors import BadRequest
from regionshift_emulator.core.routing import ArmRequest, json_response
from regionshift_emulator.services.monitor.models import LOG_COLUMNS, MonitorBackend

_DURATION = re.compile(r"^PT(?:(\d+)H)?(?:(\d+)M)?$", re.IGNORECASE)
LOGS_AUDIENCES = ("https://api.loganalytics.io", "https://api.loganalytics.azure.com")


def _minutes(timespan: str) -> int:
    match = _DURATION.match(timespan or "PT5M")
    if not match or not any(match.groups()):
        raise BadRequest(f"timespan {timespan!r} is not understood; use an ISO 8601 duration like PT15M")
    return max(1, min(1440, int(match.group(1) or 0) * 60 + int(match.group(2) or 0)))


def list_metrics(req: ArmRequest) -> Response:
    resource_id = "/" + req.request.path.strip("/").rsplit("/providers/", 1)[0]
    names = [n for n in req.request.args.get("metricnames", "").split(",") if n]
    if not names:
        raise BadRequest("metricnames is required", code="BadRequest")
    aggregation = (req.request.args.get("aggregation") or "Average").split(",")[0].lower()
    minutes = _minutes(req.request.args.get("timespan", "PT5M"))
    backend = req.backend(MonitorBackend)
    value = []
    for name in names:
        series = backend.metric_series(resource_id, name, minutes)
        data = [{"timeStamp": t.isoformat(), **({aggregation: v} if v is not None else {})} for t, v in series]
        value.append(
            {
                "id": f"{resource_id}/providers/Microsoft.Insights/metrics/{name}",
                "type": "Microsoft.Insights/metrics",
                "name": {"value": name, "localizedValue": name},
                "unit": "Percent",
                "timeseries": [{"metadatavalues": [], "data": data}],
                "errorCode": "Success",
            }
        )
    return json_response(
        {"cost": 0, "timespan": req.request.args.get("timespan", ""), "interval": "PT1M", "value": value}
    )


def logs_app(state: Any) -> Any:
    """WSGI app of the Log Analytics query API. It checks the bearer token the way ARM does, but
    for the Log Analytics audience (ARM's pipeline accepts only management audiences)."""

    def answer(status: int, body: dict[str, Any]) -> Response:
        return Response(json.dumps(body), status=status, mimetype="application/json")

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        match = re.match(r"^/v1/workspaces/([^/]+)/query$", request.path)
        if match is None or request.method != "POST":
            return answer(404, {"error": {"code": "PathNotFound", "message": "not a query API path"}})(
                environ, start_response
            )
        scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
        try:
            claims = jwt.decode(token, state.issuer._secret, algorithms=["HS256"], options={"verify_aud": False})
        except jwt.InvalidTokenError:
            claims = None
        if scheme.lower() != "bearer" or not claims or str(claims.get("aud", "")).rstrip("/") not in LOGS_AUDIENCES:
            return answer(401, {"error": {"code": "AuthorizationRequiredError", "message": "Valid token required"}})(
                environ, start_response
            )
        try:
            body = json.loads(request.get_data() or b"{}")
            if not isinstance(body.get("query"), str) or not body["query"].strip():
                raise ValueError
        except ValueError:
            return answer(400, {"error": {"code": "BadArgumentError", "message": "query is required"}})(
                environ, start_response
            )
        with state.lock:
            rows = state.backend(MonitorBackend).query(match.group(1))
        return answer(200, {"tables": [{"name": "PrimaryResult", "columns": LOG_COLUMNS, "rows": rows}]})(
            environ, start_response
        )

    return app
