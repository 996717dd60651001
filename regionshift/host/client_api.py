"""The Durable extension's HTTP API, served on loopback and backed by a DurableHost.

HTTP triggers build the real `df.DurableOrchestrationClient` from the client binding JSON the
Functions host passes them; that client talks HTTP to the extension. This module serves the
routes the client calls (start, status, list in pages, raise event, terminate, suspend, resume,
purge) under both the RPC base URL and the public webhook base URL, so the management URLs it
hands out work too. Status codes and error bodies are the extension's (HttpApiHandler.cs).
"""

from __future__ import annotations

import json
import re
import threading
from datetime import datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

from regionshift.host.history import parse_time
from regionshift.host.limits import DEFAULT_PAGE_SIZE
from regionshift.host.status import (
    InstanceAlreadyRunning,
    InstanceStatus,
    InvalidInstanceState,
    RuntimeStatus,
    UnknownFunction,
)

if TYPE_CHECKING:
    from regionshift.host.host import DurableHost

TASK_HUB = "regionshift"
RPC_PREFIX = "/durabletask/"
WEBHOOK_PREFIX = "/runtime/webhooks/durabletask/"

CONTINUATION_HEADER = "x-ms-continuation-token"

_START = re.compile(r"^orchestrators/(?P<name>[^/]+)(?:/(?P<id>[^/]+))?$")
_INSTANCE = re.compile(r"^instances/(?P<id>[^/]+)$")
_OPERATION = re.compile(r"^instances/(?P<id>[^/]+)/(?P<op>raiseEvent/[^/]+|terminate|suspend|resume)$")
_UNSUPPORTED = re.compile(r"^instances/(?P<id>[^/]+)/(?P<op>rewind|restart)$")
_SOMETHING_WRONG = "Something went wrong while processing your request"
_INCORRECT = "One or more of the arguments submitted is incorrect"
_ALREADY_EXISTS = "DurableTask.Core.Exceptions.OrchestrationAlreadyExistsException"
_INVALID_OPERATION = "System.InvalidOperationException"
# runtime statuses the embedded host never has (no instance is ever in them): filtering on them is fine
_NEVER_HERE = ("continuedasnew", "canceled")


def _time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _decode_body(raw: bytes) -> Any:
    """The client posts `json=df_dumps(value)`: a JSON string holding the JSON. Plain JSON works too."""
    if not raw.strip():
        return None
    value = json.loads(raw)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


class ClientApi:
    """One loopback HTTP server for a host; `binding` is the client binding JSON for it."""

    def __init__(self, host: DurableHost, address: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        handler = type("Handler", (_Handler,), {"api": self})
        self._server = ThreadingHTTPServer((address, port), handler)
        self._server.daemon_threads = True
        bound_host, bound_port = str(self._server.server_address[0]), int(self._server.server_address[1])
        self.origin = f"http://{bound_host}:{bound_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="df-client-api", daemon=True)
        self._thread.start()

    @property
    def binding(self) -> str:
        webhooks = self.origin + WEBHOOK_PREFIX.rstrip("/")
        instance = f"{webhooks}/instances/INSTANCEID"
        query = f"taskHub={TASK_HUB}&connection=Storage"
        create = f"{webhooks}/orchestrators/{{functionName}}[/{{instanceId}}]"
        wait = "timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}"
        return json.dumps(
            {
                "taskHubName": TASK_HUB,
                "creationUrls": {
                    "createNewInstancePostUri": f"{create}?{query}",
                    "createAndWaitOnNewInstancePostUri": f"{create}?{wait}&{query}",
                },
                "managementUrls": {
                    "id": "INSTANCEID",
                    "statusQueryGetUri": f"{instance}?{query}",
                    "sendEventPostUri": f"{instance}/raiseEvent/{{eventName}}?{query}",
                    "terminatePostUri": f"{instance}/terminate?reason={{text}}&{query}",
                    "rewindPostUri": f"{instance}/rewind?reason={{text}}&{query}",
                    "purgeHistoryDeleteUri": f"{instance}?{query}",
                    "restartPostUri": f"{instance}/restart?{query}",
                    "suspendPostUri": f"{instance}/suspend?reason={{text}}&{query}",
                    "resumePostUri": f"{instance}/resume?reason={{text}}&{query}",
                },
                "baseUrl": webhooks,
                "requiredQueryStringParameters": "",
                "rpcBaseUrl": self.origin + RPC_PREFIX,
                "httpBaseUrl": "",
                "maxGrpcMessageSizeInBytes": 0,
                "grpcHttpClientTimeout": "00:01:40",
            }
        )

    def management_payload(self, instance_id: str) -> dict[str, str]:
        urls = json.loads(self.binding)["managementUrls"]
        payload = {key: value.replace("INSTANCEID", instance_id) for key, value in urls.items()}
        payload["id"] = instance_id
        return payload

    def status_json(self, status: InstanceStatus, show_input: bool, show_history: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": status.name,
            "instanceId": status.instance_id,
            "runtimeStatus": status.runtime_status.value,
            "customStatus": status.custom_status,
            "output": status.output,
            "createdTime": _time(status.created_at),
            "lastUpdatedTime": _time(status.last_updated_at),
        }
        if show_input:
            body["input"] = status.input
        if show_history:
            body["historyEvents"] = self.host.get_history(status.instance_id)
        return body

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class _Handler(BaseHTTPRequestHandler):
    api: ClientApi
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests and the CLI own the console
        return

    def _route(self) -> tuple[str, dict[str, list[str]]] | None:
        parts = urlsplit(self.path)
        for prefix in (RPC_PREFIX, WEBHOOK_PREFIX):
            if parts.path.startswith(prefix):
                return unquote(parts.path[len(prefix) :]), parse_qs(parts.query)
        return None

    def _send(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: HTTPStatus, message: str, exception: str | None = None, kind: str | None = None) -> None:
        """An error body as `HttpRequestMessage.CreateErrorResponse` writes it: Message, and the
        exception's message (which the Python SDK raises) and type."""
        body = {"Message": message, "ExceptionMessage": exception or message}
        if kind:
            body["ExceptionType"] = kind
        self._send(status, body)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self) -> None:
        routed = self._route()
        if routed is None:
            return self._error(HTTPStatus.NOT_FOUND, f"no route for {self.path}")
        path, query = routed
        if path in ("instances", "instances/"):
            return self._list(query)
        match = _INSTANCE.match(path)
        if match is None:
            return self._error(HTTPStatus.NOT_FOUND, f"no route for {self.path}")
        status = self.api.host.get_status(match["id"])
        if status is None:
            return self._send(HTTPStatus.NOT_FOUND)
        code = HTTPStatus.OK if status.is_terminal else HTTPStatus.ACCEPTED
        self._send(code, self.api.status_json(status, _flag(query, "showInput"), _flag(query, "showHistory", False)))

    def _list(self, query: dict[str, list[str]]) -> None:
        """`HttpApiHandler.HandleGetStatusRequestAsync` (the extension's HttpApiHandler.cs):
        filters `instanceIdPrefix`, `createdTimeFrom`/`To`, `runtimeStatus` (comma-separated),
        `showInput`, page size `top` (default 100), the `x-ms-continuation-token` request header
        for the next page, and the same response header for the page after. The extension ignores
        a filter it cannot parse; this API answers 400 instead (harsher)."""
        try:
            page = self.api.host.list_instances(
                prefix=query.get("instanceIdPrefix", [""])[0],
                statuses=_statuses(query),
                created_from=_time_param(query, "createdTimeFrom"),
                created_to=_time_param(query, "createdTimeTo"),
                page_size=_int_param(query, "top", DEFAULT_PAGE_SIZE),
                continuation=self.headers.get(CONTINUATION_HEADER) or None,
            )
        except ValueError as exc:
            return self._error(HTTPStatus.BAD_REQUEST, _INCORRECT, str(exc))
        body = [self.api.status_json(s, _flag(query, "showInput"), False) for s in page]
        # the extension adds the header even when the token is null (an empty value)
        self._send(HTTPStatus.OK, body, {CONTINUATION_HEADER: page.continuation or ""})

    def do_POST(self) -> None:
        routed = self._route()
        if routed is None:
            return self._error(HTTPStatus.NOT_FOUND, f"no route for {self.path}")
        path, query = routed
        try:
            body = _decode_body(self._body())
        except json.JSONDecodeError as exc:
            return self._error(HTTPStatus.BAD_REQUEST, f"request body is not JSON: {exc}")
        host = self.api.host
        if match := _START.match(path):
            try:
                instance_id = host.start_new(match["name"], body, match["id"])
            except (UnknownFunction, ValueError) as exc:
                return self._error(HTTPStatus.BAD_REQUEST, _INCORRECT, str(exc))
            except InstanceAlreadyRunning as exc:
                # OrchestrationAlreadyExistsException is an InvalidOperationException, which
                # HttpApiHandler.HandleRequestAsync answers with its catch-all 500
                return self._error(HTTPStatus.INTERNAL_SERVER_ERROR, _SOMETHING_WRONG, str(exc), _ALREADY_EXISTS)
            return self._send(HTTPStatus.ACCEPTED, self.api.management_payload(instance_id))
        if match := _OPERATION.match(path):
            return self._operate(match["id"], match["op"], body, query)
        if match := _UNSUPPORTED.match(path):
            # rewind is [Obsolete("This feature is in preview.")] in the extension
            # (IDurableOrchestrationClient.RewindAsync); restart is not implemented here
            return self._error(HTTPStatus.NOT_IMPLEMENTED, f"the embedded host does not support {match['op']}")
        self._error(HTTPStatus.NOT_FOUND, f"no route for {self.path}")

    def _operate(self, instance_id: str, op: str, body: Any, query: dict[str, list[str]]) -> None:
        """raiseEvent, terminate, suspend, resume: 404 for an unknown instance and 410 for a
        finished one, checked first, as HttpApiHandler's Handle*InstanceRequestAsync do."""
        host = self.api.host
        status = host.get_status(instance_id)
        if status is None:
            return self._send(HTTPStatus.NOT_FOUND)
        if status.is_terminal:
            return self._send(HTTPStatus.GONE)
        reason = query.get("reason", [""])[0]
        try:
            if op.startswith("raiseEvent/"):
                host.raise_event(instance_id, op.split("/", 1)[1], body)
            elif op == "terminate":
                host.terminate(instance_id, reason)
            elif op == "suspend":
                host.suspend(instance_id, reason)
            else:
                host.resume(instance_id, reason)
        except InvalidInstanceState as exc:
            # DurableClient's InvalidOperationException: the catch-all 500 again
            return self._error(HTTPStatus.INTERNAL_SERVER_ERROR, _SOMETHING_WRONG, str(exc), _INVALID_OPERATION)
        self._send(HTTPStatus.ACCEPTED)

    def do_DELETE(self) -> None:
        routed = self._route()
        match = _INSTANCE.match(routed[0]) if routed else None
        if match is None:
            return self._error(HTTPStatus.NOT_FOUND, f"no route for {self.path}")
        try:
            deleted = self.api.host.purge(match["id"])
        except ValueError as exc:
            return self._error(HTTPStatus.BAD_REQUEST, str(exc))
        if not deleted:
            return self._send(HTTPStatus.NOT_FOUND)
        self._send(HTTPStatus.OK, {"instancesDeleted": 1})


def _flag(query: dict[str, list[str]], name: str, default: bool = True) -> bool:
    return query.get(name, [str(default)])[0].lower() == "true"


def _statuses(query: dict[str, list[str]]) -> list[RuntimeStatus]:
    wanted = [s.strip() for v in query.get("runtimeStatus", []) for s in v.split(",") if s.strip()]
    by_name = {s.value.lower(): s for s in RuntimeStatus}
    unknown = [s for s in wanted if s.lower() not in by_name and s.lower() not in _NEVER_HERE]
    if unknown:
        raise ValueError(f"runtimeStatus {', '.join(unknown)} is not a runtime status")
    return [by_name[s.lower()] for s in wanted if s.lower() in by_name]


def _time_param(query: dict[str, list[str]], name: str) -> datetime | None:
    text = query.get(name, [""])[0]
    if not text:
        return None
    try:
        return parse_time(text)
    except ValueError:
        raise ValueError(f"{name} {text[:40]!r} is not a time") from None


def _int_param(query: dict[str, list[str]], name: str, default: int) -> int:
    text = query.get(name, [""])[0]
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{name} {text[:20]!r} is not a whole number") from None
