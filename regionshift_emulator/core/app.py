"""The WSGI app: admin, metadata and data-plane endpoints first, then ARM's pipeline for everything else.

ARM pipeline, in ARM's order: bearer token (401) → api-version present (400) → route (404/405) →
api-version known for the type (400, `core.api_versions`) → injected faults (`core.faults`) →
throttling (429) → tick the clock → the write checks ARM makes before any provider (403
AuthorizationFailed, the resource group's home region: `core.writes`) → handler. Every ARM request
lands in the request log, dropped ones too (`dropped: reset | hang`). Errors are ArmErrors rendered in
ARM's envelope; an error whose `connection` is "hang" or "reset" is delivered as a held or dropped
connection instead (`core.outages`), always outside the state lock. An unexpected exception is a 500
in the same envelope with the traceback on stderr, never an HTML page.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from werkzeug.wrappers import Request, Response

from regionshift_emulator.core import admin, faults, lro, metadata
from regionshift_emulator.core.api_versions import check_api_version
from regionshift_emulator.core.arm_paths import ArmPath, parse_arm_path
from regionshift_emulator.core.errors import (
    ArmError,
    InternalServerError,
    InvalidResourceType,
    MethodNotAllowed,
    MissingApiVersion,
)
from regionshift_emulator.core.outages import DropConnection, gateway_timeout_message, hold
from regionshift_emulator.core.routing import ArmRequest, Router, json_response
from regionshift_emulator.core.service import ServiceSpec
from regionshift_emulator.core.state import EmulatorState
from regionshift_emulator.core.writes import check_write

log = logging.getLogger("regionshift_emulator")


def error_response(exc: ArmError) -> Response:
    headers = {"x-ms-failure-cause": "gateway" if exc.status in (401, 504) else "service", **exc.headers}
    return json_response(exc.body(), exc.status, headers)


class EmulatorApp:
    def __init__(self, state: EmulatorState, services: Sequence[ServiceSpec]) -> None:
        self.state = state
        # Data-plane endpoints a service serves beside ARM, under /_dataplane/<service>/ (no ARM auth).
        self.dataplanes = {spec.name: spec.dataplane for spec in services if spec.dataplane is not None}
        self.router = Router()
        self.router.add(lro.RULES)
        self.router.add(metadata.RULES)
        for spec in services:
            self.router.add(spec.rules)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        if request.path.startswith("/_emulator/"):
            response = admin.handle(self.state, request)
        elif request.path.rstrip("/") == "/metadata/endpoints":
            response = metadata.endpoints(request)
        elif request.path.startswith("/_dataplane/"):
            response = self._dataplane(request)
        else:
            response = self._arm(request)
        return response(environ, start_response)

    def _arm(self, request: Request) -> Response:
        try:
            response = self._dispatch(request)
        except ArmError as exc:
            response = self._deliver(request, exc)
        except Exception:
            log.exception("emulator bug answering %s %s", request.method, request.full_path)
            response = error_response(InternalServerError("The emulator failed unexpectedly; see its log."))
        request_id = str(uuid.uuid4())
        response.headers.setdefault("x-ms-request-id", request_id)
        response.headers.setdefault(
            "x-ms-correlation-request-id", request.headers.get("x-ms-correlation-request-id", request_id)
        )
        self._log(request, response.status_code)
        return response

    def _dataplane(self, request: Request) -> Response:
        service = request.path.removeprefix("/_dataplane/").split("/", 1)[0]
        handler = self.dataplanes.get(service)
        try:
            if handler is None:
                raise ArmError(f"No data-plane endpoint {request.path}.", code="NotFound", status=404)
            response = handler(self.state, request)
        except ArmError as exc:
            response = self._deliver(request, exc)
        self._log(request, response.status_code)
        return response

    def _deliver(self, request: Request, answer: ArmError) -> Response:
        """An ArmError as ARM's JSON answer, or as a held / dropped connection (`connection`)."""
        if answer.connection == "reset":
            self._log(request, None, dropped="reset")
            raise DropConnection(answer.message)
        if answer.connection == "hang":
            if self._hold(request, answer.hold_seconds):
                self._log(request, None, dropped="hang")
                raise DropConnection(answer.message)
            namespace = getattr(answer, "namespace", "Microsoft.Resources")
            return error_response(ArmError(gateway_timeout_message(namespace), code="GatewayTimeout", status=504))
        return error_response(answer)

    def _hold(self, request: Request, seconds: float) -> bool:
        """`outages.hold`, counted in `state.held` (never under the state lock while it waits).

        The body is read first: `hold` takes a readable socket for a client that went away, and an
        unread body keeps it readable."""
        request.get_data(cache=True)
        with self.state.lock:
            self.state.held += 1
        try:
            return hold(request.environ, seconds, self.state.released)
        finally:
            with self.state.lock:
                self.state.held -= 1

    def _log(self, request: Request, status: int | None, *, dropped: str | None = None) -> None:
        entry: dict[str, Any] = {
            "method": request.method,
            "path": request.path,
            "query": request.query_string.decode("latin-1"),
            "status": status,
            "time": self.state.clock.iso(),
            "emulated_seconds": round(self.state.clock.now(), 3),
        }
        if dropped:
            entry["dropped"] = dropped
        with self.state.lock:
            self.state.request_log.append(entry)

    def _dispatch(self, request: Request) -> Response:
        state = self.state
        state.issuer.check(request.headers.get("Authorization"))
        api_version = request.args.get("api-version")
        if not api_version:
            raise MissingApiVersion()
        rule, params, known = self.router.match(request.method, request.path)
        if rule is None:
            if known:
                raise MethodNotAllowed(f"The requested method {request.method} is not allowed for {request.path}.")
            raise InvalidResourceType(_unknown_type_message(request))
        path = parse_arm_path(request.path)
        with state.lock:
            check_api_version(path, request.method, api_version, lambda: self._location(path, request))
            fault = faults.take(state, request.method, request.path)
        if fault is not None:
            if fault.hang_seconds and self._hold(request, fault.hang_seconds):
                raise ArmError("The client went away during an injected hang.", connection="reset")
            if fault.reset:
                raise ArmError(f"Injected reset for {request.method} {request.path}.", connection="reset")
            if fault.status and not fault.holds_operation:
                raise faults.status_answer(fault, request.method, request.path)
        with state.lock:
            subscription = path.subscription or "-"
            limits = state.throttle.take(state.scenario.throttling, subscription, request.method)
            state.tick()
            check_write(state, request.method, path)
            state.operations.inject(fault if fault is not None and fault.holds_operation else None)
            try:
                response = rule.handler(ArmRequest(request, params, state))
            finally:
                state.operations.inject(None)
        for name, value in limits.items():
            response.headers[name] = value
        return response

    def _location(self, path: ArmPath, request: Request) -> str | None:
        """The region a request is about, as ARM names it in NoRegisteredProviderFound."""
        scope = path.scope
        while scope.count("/") > 2:
            found = self.state.store.get(scope)
            if found is not None:
                return found.location
            scope = scope.rsplit("/", 1)[0]
        if "locations" in [t.lower() for t in path.types]:
            return path.names[[t.lower() for t in path.types].index("locations")].lower()
        body = request.get_json(silent=True) if request.method in ("PUT", "PATCH") else None
        location = body.get("location") if isinstance(body, dict) else None
        return location if isinstance(location, str) else None


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
