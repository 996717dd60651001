"""The WSGI app: admin and metadata first, then ARM's pipeline for everything else.

ARM pipeline, in ARM's order: bearer token (401) → api-version (400) → injected faults → throttling
(429) → tick the clock → route → handler. Every ARM request lands in the request log. Errors are
ArmErrors rendered in ARM's envelope; an unexpected exception is a 500 in the same envelope with
the traceback on stderr, never an HTML page.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from werkzeug.wrappers import Request, Response

from regionshift_emulator.core import admin, dataplane, lro, metadata
from regionshift_emulator.core.errors import (
    ArmError,
    InternalServerError,
    InvalidResourceType,
    MethodNotAllowed,
    MissingApiVersion,
)
from regionshift_emulator.core.routing import ArmRequest, Router, json_response
from regionshift_emulator.core.service import ServiceSpec
from regionshift_emulator.core.state import EmulatorState

log = logging.getLogger("regionshift_emulator")


def error_response(exc: ArmError) -> Response:
    headers = {"x-ms-failure-cause": "gateway" if exc.status in (401, 504) else "service", **exc.headers}
    return json_response(exc.body(), exc.status, headers)


class EmulatorApp:
    def __init__(self, state: EmulatorState, services: Sequence[ServiceSpec]) -> None:
        self.state = state
        self.router = Router()
        self.router.add(lro.RULES)
        self.router.add(metadata.RULES)
        for spec in services:
            self.router.add(spec.rules)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        if request.path.startswith("/_emulator/"):
            response = admin.handle(self.state, request)
        elif request.path.startswith(dataplane.PREFIX):
            response = dataplane.handle(self.state, request)
        elif request.path.rstrip("/") == "/metadata/endpoints":
            response = metadata.endpoints(request)
        else:
            response = self._arm(request)
        return response(environ, start_response)

    def _arm(self, request: Request) -> Response:
        try:
            response = self._dispatch(request)
        except ArmError as exc:
            response = error_response(exc)
        except Exception:
            log.exception("emulator bug answering %s %s", request.method, request.full_path)
            response = error_response(InternalServerError("The emulator failed unexpectedly; see its log."))
        request_id = str(uuid.uuid4())
        response.headers.setdefault("x-ms-request-id", request_id)
        response.headers.setdefault(
            "x-ms-correlation-request-id", request.headers.get("x-ms-correlation-request-id", request_id)
        )
        with self.state.lock:
            self.state.request_log.append(
                {
                    "method": request.method,
                    "path": request.path,
                    "query": request.query_string.decode("latin-1"),
                    "status": response.status_code,
                    "time": self.state.clock.iso(),
                    "emulated_seconds": round(self.state.clock.now(), 3),
                }
            )
        return response

    def _dispatch(self, request: Request) -> Response:
        state = self.state
        state.issuer.check(request.headers.get("Authorization"))
        if not request.args.get("api-version"):
            raise MissingApiVersion()
        with state.lock:
            self._inject_faults(request)
            parts = request.path.strip("/").split("/")
            subscription = parts[1] if len(parts) > 1 and parts[0].lower() == "subscriptions" else "-"
            limits = state.throttle.take(state.scenario.throttling, subscription, request.method)
            state.tick()
            rule, params, known = self.router.match(request.method, request.path)
            if rule is None:
                if known:
                    raise MethodNotAllowed(f"The requested method {request.method} is not allowed for {request.path}.")
                raise InvalidResourceType(_unknown_type_message(request))
            response = rule.handler(ArmRequest(request, params, state))
        for name, value in limits.items():
            response.headers[name] = value
        return response

    def _inject_faults(self, request: Request) -> None:
        for fault in self.state.scenario.faults:
            if fault.times == 0 or not fault.matches(request.method, request.path):
                continue
            if fault.times is not None:
                fault.times -= 1
            status = fault.status or 500
            code = fault.code or {429: "TooManyRequests", 503: "ServiceUnavailable", 504: "GatewayTimeout"}.get(
                status, "InternalServerError"
            )
            headers = {"Retry-After": "1"} if status in (429, 503) else {}
            raise ArmError(
                f"Injected fault for {request.method} {request.path}.", code=code, status=status, headers=headers
            )


def _unknown_type_message(request: Request) -> str:
    parts = request.path.strip("/").split("/")
    lowered = [p.lower() for p in parts]
    if "providers" in lowered:
        i = lowered.index("providers")
        namespace = parts[i + 1] if len(parts) > i + 1 else ""
        rtype = "/".join(parts[i + 2 :: 2])
        return (
            f"The resource type '{rtype}' could not be found in the namespace '{namespace}' "
            f"for api version '{request.args.get('api-version')}'."
        )
    return f"No route for {request.method} {request.path}."
