"""The Durable extension's HTTP API, served on loopback and backed by a DurableHost.

HTTP triggers build the real `df.DurableOrchestrationClient` from the client binding JSON the
Functions host passes them; that client talks HTTP to the extension. This module serves the
routes the client calls (start, status, list, raise event, terminate, purge) under both the
RPC base URL and the public webhook base URL, so the management URLs it hands out work too.
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

from regionshift.host.status import InstanceAlreadyRunning, InstanceStatus, RuntimeStatus, UnknownFunction

if TYPE_CHECKING:
    from regionshift.host.host import DurableHost

TASK_HUB = "regionshift"
RPC_PREFIX = "/durabletask/"
WEBHOOK_PREFIX = "/runtime/webhooks/durabletask/"

_START = re.compile(r"^orchestrators/(?P<name>[^/]+)(?:/(?P<id>[^/]+))?$")
_INSTANCE = re.compile(r"^instances/(?P<id>[^/]+)$")
_RAISE = re.compile(r"^instances/(?P<id>[^/]+)/raiseEvent/(?P<event>[^/]+)$")
_TERMINATE = re.compile(r"^instances/(?P<id>[^/]+)/terminate$")
_UNSUPPORTED = re.compile(r"^instances/(?P<id>[^/]+)/(?P<op>rewind|suspend|resume|restart)$")


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

    def _send(self, status: int, body: Any = None) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: HTTPStatus, message: str) -> None:
        self._send(status, {"Message": message, "ExceptionMessage": message})

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self) -> None:
        routed = self._route()
        if routed is None:
            return self._error(HTTPStatus.NOT_FOUND, f"no route for {self.path}")
        path, query = routed
        flag = lambda name, default: query.get(name, [str(default)])[0].lower() == "true"  # noqa: E731
        if path in ("instances", "instances/"):
            return self._list(query, flag("showInput", True))
        match = _INSTANCE.match(path)
        if match is None:
            return self._error(HTTPStatus.NOT_FOUND, f"no route for {self.path}")
        status = self.api.host.get_status(match["id"])
        if status is None:
            return self._send(HTTPStatus.NOT_FOUND)
        code = (
            HTTPStatus.ACCEPTED
            if status.runtime_status in (RuntimeStatus.PENDING, RuntimeStatus.RUNNING)
            else HTTPStatus.OK
        )
        self._send(code, self.api.status_json(status, flag("showInput", True), flag("showHistory", False)))

    def _list(self, query: dict[str, list[str]], show_input: bool) -> None:
        wanted = {s for v in query.get("runtimeStatus", []) for s in v.split(",") if s}
        prefix = query.get("instanceIdPrefix", [""])[0]
        statuses = [
            s
            for s in self.api.host.list_instances(limit=10_000)
            if (not wanted or s.runtime_status.value in wanted) and s.instance_id.startswith(prefix)
        ]
        self._send(HTTPStatus.OK, [self.api.status_json(s, show_input, False) for s in statuses])

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
            except UnknownFunction as exc:
                return self._error(HTTPStatus.BAD_REQUEST, str(exc))
            except InstanceAlreadyRunning as exc:
                return self._error(HTTPStatus.CONFLICT, str(exc))
            except ValueError as exc:
                return self._error(HTTPStatus.BAD_REQUEST, str(exc))
            return self._send(HTTPStatus.ACCEPTED, self.api.management_payload(instance_id))
        match = _RAISE.match(path) or _TERMINATE.match(path)
        if match is not None:
            status = host.get_status(match["id"])
            if status is None:
                return self._error(HTTPStatus.NOT_FOUND, f"no instance with id '{match['id']}'")
            if status.is_terminal:
                return self._error(HTTPStatus.GONE, f"instance '{match['id']}' is {status.runtime_status.value}")
            if "event" in match.groupdict():
                host.raise_event(match["id"], match["event"], body)
            else:
                host.terminate(match["id"], query.get("reason", [""])[0])
            return self._send(HTTPStatus.ACCEPTED)
        if match := _UNSUPPORTED.match(path):
            return self._error(HTTPStatus.NOT_IMPLEMENTED, f"the embedded host does not support {match['op']}")
        self._error(HTTPStatus.NOT_FOUND, f"no route for {self.path}")

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
