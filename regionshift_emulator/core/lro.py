"""Long-running operations, as ARM runs them: accepted now, finished later against the emulator clock.

A handler calls `state.operations.start(...)` with a `complete` callback that applies the change
(and may raise an ArmError to make the operation fail) and answers `accepted(...)`: 202 with `Azure-AsyncOperation`,
`Location` and `Retry-After` (200/201 with a body: no `Location`). Nothing runs in the background: before
every request the state ticks and finishes every operation whose emulated duration has elapsed,
so the outcome depends only on the clock and the scenario.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from werkzeug.wrappers import Response

from regionshift_emulator.core.clock import Clock
from regionshift_emulator.core.errors import ArmError, InternalServerError, ResourceNotFound
from regionshift_emulator.core.routing import ArmRequest, Rule, empty_response, json_response

Complete = Callable[[], dict[str, Any] | None]


@dataclass
class Operation:
    id: str
    kind: str
    resource_id: str
    namespace: str
    location: str
    subscription_id: str
    started: float
    duration: float
    complete: Complete | None = field(repr=False)
    status: str = "InProgress"
    ended: float | None = None
    error: dict[str, Any] | None = None
    error_status: int = 200
    result: dict[str, Any] | None = None

    @property
    def done(self) -> bool:
        return self.status != "InProgress"

    def snapshot(self, clock: Clock) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "resourceId": self.resource_id,
            "status": self.status,
            "startTime": clock.iso(self.started),
            "endTime": clock.iso(self.ended) if self.ended is not None else None,
            "error": self.error,
        }


class Operations:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._ops: dict[str, Operation] = {}

    def start(
        self,
        *,
        kind: str,
        resource_id: str,
        location: str,
        duration: float,
        complete: Complete | None,
    ) -> Operation:
        parts = resource_id.strip("/").split("/")
        namespace = parts[5] if len(parts) > 5 else "Microsoft.Resources"
        op = Operation(
            id=str(uuid.uuid4()),
            kind=kind,
            resource_id=resource_id,
            namespace=namespace,
            location=location,
            subscription_id=parts[1],
            started=self.clock.now(),
            duration=duration,
            complete=complete,
        )
        self._ops[op.id] = op
        if duration <= 0:
            self._finish(op)
        return op

    def tick(self) -> None:
        now = self.clock.now()
        for op in sorted(self._ops.values(), key=lambda o: o.started):
            if not op.done and now >= op.started + op.duration:
                self._finish(op)

    def all(self) -> list[Operation]:
        return sorted(self._ops.values(), key=lambda o: o.started)

    def get(self, op_id: str) -> Operation:
        op = self._ops.get(op_id)
        if op is None:
            raise ResourceNotFound(f"The operation '{op_id}' was not found.")
        return op

    def _finish(self, op: Operation) -> None:
        try:
            op.result = op.complete() if op.complete else None
            op.status = "Succeeded"
        except ArmError as exc:
            op.status, op.error, op.error_status = "Failed", exc.error(), exc.status
        except Exception as exc:  # a bug in a service: fail the operation, keep serving
            err = InternalServerError(f"{type(exc).__name__}: {exc}")
            op.status, op.error, op.error_status = "Failed", err.error(), 500
        op.ended = op.started + op.duration
        op.complete = None

    # --- HTTP side -------------------------------------------------------------------------

    def urls(self, op: Operation, base_url: str, api_version: str) -> tuple[str, str]:
        prefix = (
            f"{base_url.rstrip('/')}/subscriptions/{op.subscription_id}/providers/{op.namespace}"
            f"/locations/{op.location}"
        )
        query = f"?api-version={api_version}"
        return f"{prefix}/azureAsyncOperation/{op.id}{query}", f"{prefix}/operationResults/{op.id}{query}"

    def retry_after(self, op: Operation) -> str:
        """Whole real seconds until the operation is due (0 once done: the client's own interval)."""
        if op.done:
            return "0"
        remaining = op.started + op.duration - self.clock.now()
        return str(max(1, min(60, math.ceil(self.clock.real_seconds(remaining)))))

    def accepted(
        self, op: Operation, req: ArmRequest, *, status: int = 202, body: dict[str, Any] | None = None
    ) -> Response:
        async_url, location_url = self.urls(op, req.base_url, req.api_version)
        headers = {"Azure-AsyncOperation": async_url, "Retry-After": self.retry_after(op)}
        # ARM's async contract: a PUT/PATCH answering 200/201 carries Azure-AsyncOperation only; Location
        # (operationResults) belongs to 202s. The Azure CLI's generated commands poll with
        # final-state-via=location, so a Location on a 201 would make them read the operation result
        # (204, empty) instead of the resource and fail (`az vmss scale`).
        if status == 202:
            headers["Location"] = location_url
        if body is None:
            return empty_response(status, headers)
        return json_response(body, status, headers)

    def status_body(self, op: Operation, req: ArmRequest) -> dict[str, Any]:
        async_url, _ = self.urls(op, req.base_url, req.api_version)
        body: dict[str, Any] = {
            "id": async_url.split("?")[0].removeprefix(req.base_url.rstrip("/")),
            "name": op.id,
            "status": op.status,
            "startTime": self.clock.iso(op.started),
        }
        if op.ended is not None:
            body["endTime"] = self.clock.iso(op.ended)
        if op.error is not None:
            body["error"] = op.error
        return body


def _async_status(req: ArmRequest) -> Response:
    ops = req.state.operations
    op = ops.get(req.params["operationId"])
    headers = {} if op.done else {"Retry-After": ops.retry_after(op)}
    return json_response(ops.status_body(op, req), 200, headers)


def _operation_result(req: ArmRequest) -> Response:
    ops = req.state.operations
    op = ops.get(req.params["operationId"])
    if not op.done:
        _, location_url = ops.urls(op, req.base_url, req.api_version)
        return empty_response(202, {"Location": location_url, "Retry-After": ops.retry_after(op)})
    if op.status == "Failed":
        return json_response({"error": op.error}, op.error_status)
    return json_response(op.result, 200) if op.result is not None else empty_response(204)


_PREFIX = "/subscriptions/{subscriptionId}/providers/{namespace}/locations/{location}"
RULES = [
    Rule(_PREFIX + "/azureAsyncOperation/{operationId}", ["GET"], _async_status),
    Rule(_PREFIX + "/operationResults/{operationId}", ["GET"], _operation_result),
]
