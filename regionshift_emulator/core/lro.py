"""Long-running operations, as ARM runs them: accepted now, finished later against the emulator clock.

A handler calls `state.operations.start(...)` with a `complete` callback that applies the change
(and may raise an ArmError to make the operation fail) and answers `accepted(...)`. Nothing runs in
the background: before every request the state ticks and finishes every operation whose emulated
duration has elapsed, so the outcome depends only on the clock and the scenario. Finished
operations keep answering their status and result URLs (ARM keeps them for a while; the emulator
for its lifetime).

Each provider names its polling URLs its own way (`LroStyle`), as recorded from the services:
- Microsoft.Sql failover groups: `Azure-AsyncOperation: /subscriptions/{s}/providers/Microsoft.Sql/
  locations/{loc}/failoverGroupAzureAsyncOperation/{id}` and `Location: /subscriptions/{s}/
  resourceGroups/{rg}/providers/Microsoft.Sql/locations/{loc}/failoverGroupOperationResults/{id}`
  (the Location of the 202 in azure-rest-api-specs `specification/sql/resource-manager/Microsoft.Sql/
  stable/2025-01-01/examples/FailoverGroupFailover.json`; both resource types are registered by
  Microsoft.Sql as `locations/failoverGroupAzureAsyncOperation` and `locations/failoverGroupOperationResults`).
- Microsoft.DocumentDB: `Azure-AsyncOperation: /subscriptions/{s}/providers/Microsoft.DocumentDB/
  locations/{loc}/operationsStatus/{id}`, `Location: {resource id}/operationResults/{id}` (recorded
  responses in Azure/azure-sdk-for-js `sdk/cosmosdb/arm-cosmosdb/recordings/`).
- Microsoft.Compute: `Azure-AsyncOperation: /subscriptions/{s}/providers/Microsoft.Compute/locations/
  {loc}/operations/{id}` and `Location:` the same URL with `monitor=true` (recorded responses in
  Azure/azure-xplat-cli test recordings); a PUT answering 201 carries no Location (the Azure CLI's
  generated commands poll with final-state-via=location and would read the empty operation result).
- Microsoft.Resources group deletion: 202 with only `Location: /subscriptions/{s}/operationresults/
  {token}` (recorded responses; the token is base64 JSON naming the deletion job).

`Retry-After` counts emulated seconds: a client of a compressed-clock emulator waits on durable
timers of a host on the same compressed clock, so it must speak Azure seconds. It is the remaining
emulated duration of the operation, at least 1 and at most 60; 0 once the operation is done.

Injected faults (`core.faults`) can make an accepted operation fail (`fail_operation`) or never end
(`never_complete`): `Operations.inject` arms the next `start` with the fault.
"""

from __future__ import annotations

import base64
import json
import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from werkzeug.wrappers import Response

from regionshift_emulator.core.clock import Clock
from regionshift_emulator.core.errors import ArmError, InternalServerError, ResourceNotFound
from regionshift_emulator.core.outages import retry_after_seconds
from regionshift_emulator.core.routing import ArmRequest, Rule, empty_response, json_response
from regionshift_emulator.core.scenario import Fault

Complete = Callable[[], dict[str, Any] | None]


@dataclass(frozen=True)
class LroStyle:
    """How a provider names the URLs of its long-running operations (None: that header is not sent).

    Templates take `{subscription}`, `{group}`, `{namespace}`, `{location}`, `{resource}` (the
    resource id) and `{id}`; `result_query` goes before the api-version of the Location URL. The
    routes that answer them are the templates as `Rule` patterns (`result_route` where the result
    URL is under the resource, whose id is no one pattern).
    """

    name: str
    status: str | None
    result: str | None
    result_query: str = ""
    result_route: str | None = None

    def routes(self) -> list[tuple[str, bool]]:
        """(Rule pattern, is the result URL) for each URL of this style; one rule where both share a path."""
        out: list[tuple[str, bool]] = []
        if self.status:
            out.append((_pattern(self.status), False))
        result = self.result_route or (_pattern(self.result) if self.result else None)
        if result and result not in [pattern for pattern, _ in out]:
            out.append((result, True))
        return out


def _pattern(template: str) -> str:
    names = {"subscription": "subscriptionId", "group": "resourceGroupName", "id": "operationId"}
    for key, name in names.items():
        template = template.replace("{" + key + "}", "{" + name + "}")
    return template


_SUB = "/subscriptions/{subscription}"
GENERIC = LroStyle(
    "generic",
    _SUB + "/providers/{namespace}/locations/{location}/azureAsyncOperation/{id}",
    _SUB + "/providers/{namespace}/locations/{location}/operationResults/{id}",
)
SQL_FAILOVER_GROUP = LroStyle(
    "sql.failoverGroup",
    _SUB + "/providers/Microsoft.Sql/locations/{location}/failoverGroupAzureAsyncOperation/{id}",
    _SUB + "/resourceGroups/{group}/providers/Microsoft.Sql/locations/{location}/failoverGroupOperationResults/{id}",
)
COSMOS = LroStyle(
    "cosmos",
    _SUB + "/providers/Microsoft.DocumentDB/locations/{location}/operationsStatus/{id}",
    "{resource}/operationResults/{id}",
    result_route="/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.DocumentDB"
    "/databaseAccounts/{accountName}/operationResults/{operationId}",
)
COMPUTE = LroStyle(
    "compute",
    _SUB + "/providers/Microsoft.Compute/locations/{location}/operations/{id}",
    _SUB + "/providers/Microsoft.Compute/locations/{location}/operations/{id}",
    result_query="monitor=true&",
)
RESOURCE_GROUP_DELETE = LroStyle("resources.delete", None, _SUB + "/operationresults/{id}")
STYLES = {s.name: s for s in (GENERIC, SQL_FAILOVER_GROUP, COSMOS, COMPUTE, RESOURCE_GROUP_DELETE)}


@dataclass
class Operation:
    id: str
    kind: str
    resource_id: str
    namespace: str
    location: str
    subscription_id: str
    resource_group: str
    started: float
    duration: float  # emulated seconds; inf never completes
    complete: Complete | None = field(repr=False)
    style: LroStyle = GENERIC
    on_fail: Callable[[], None] | None = field(default=None, repr=False)
    injected_error: ArmError | None = None  # a fault's: the operation fails with it when due
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
        self._armed: Fault | None = None

    def inject(self, fault: Fault | None) -> None:
        """Arm (or, with None, disarm) the next `start` with a fault (`fail_operation`, `never_complete`);
        the operation that takes it spends one of its `times`."""
        self._armed = fault

    def start(
        self,
        *,
        kind: str,
        resource_id: str,
        location: str,
        duration: float,
        complete: Complete | None,
        style: LroStyle = GENERIC,
        on_fail: Callable[[], None] | None = None,
    ) -> Operation:
        parts = resource_id.strip("/").split("/")
        namespace = parts[5] if len(parts) > 5 else "Microsoft.Resources"
        group = parts[3] if len(parts) > 3 else ""
        op = Operation(
            id=self._new_id(style, group, location),
            kind=kind,
            resource_id=resource_id,
            namespace=namespace,
            location=location,
            subscription_id=parts[1],
            resource_group=group,
            started=self.clock.now(),
            duration=duration,
            complete=complete,
            style=style,
            on_fail=on_fail,
        )
        fault, self._armed = self._armed, None
        if fault is not None and fault.times != 0:
            if fault.times is not None:
                fault.times -= 1
            if fault.never_complete:
                op.duration = math.inf
            else:
                op.injected_error = ArmError(
                    f"Injected fault: the operation '{kind}' on {resource_id} failed.",
                    code=fault.code or "InternalServerError",
                    status=fault.status or 500,
                )
        self._ops[op.id] = op
        if op.duration <= 0:
            self._finish(op)
        return op

    def _new_id(self, style: LroStyle, group: str, location: str) -> str:
        op_id = str(uuid.uuid4())
        if style is RESOURCE_GROUP_DELETE:  # ARM's deletion-job token: base64 JSON naming the job
            job = {"jobId": f"RESOURCEGROUPDELETIONJOB-{group.upper()}-{location.upper()}", "jobLocation": location}
            token = base64.urlsafe_b64encode(json.dumps({**job, "operationId": op_id}).encode()).decode()
            return token.rstrip("=")
        return op_id

    def tick(self) -> None:
        now = self.clock.now()
        for op in sorted(self._ops.values(), key=lambda o: o.started):
            if not op.done and now >= op.started + op.duration:
                self._finish(op)

    def all(self) -> list[Operation]:
        return sorted(self._ops.values(), key=lambda o: o.started)

    def get(self, op_id: str, style: LroStyle | None = None) -> Operation:
        op = self._ops.get(op_id)
        if op is None or (style is not None and op.style.name != style.name):
            raise ResourceNotFound(f"The operation '{op_id}' was not found.")
        return op

    def _finish(self, op: Operation) -> None:
        try:
            if op.injected_error is not None:
                raise op.injected_error
            op.result = op.complete() if op.complete else None
            op.status = "Succeeded"
        except ArmError as exc:
            op.status, op.error, op.error_status = "Failed", exc.error(), exc.status
        except Exception as exc:  # a bug in a service: fail the operation, keep serving
            err = InternalServerError(f"{type(exc).__name__}: {exc}")
            op.status, op.error, op.error_status = "Failed", err.error(), 500
        if op.status == "Failed" and op.on_fail is not None:
            op.on_fail()
        op.ended = op.started + op.duration
        op.complete = op.on_fail = None

    # --- HTTP side -------------------------------------------------------------------------

    def urls(self, op: Operation, base_url: str, api_version: str) -> tuple[str | None, str | None]:
        """(Azure-AsyncOperation, Location) absolute URLs of `op`, as its provider names them."""
        values = {
            "subscription": op.subscription_id,
            "group": op.resource_group,
            "namespace": op.namespace,
            "location": op.location,
            "resource": op.resource_id.rstrip("/"),
            "id": op.id,
        }
        base = base_url.rstrip("/")
        status = f"{base}{op.style.status.format(**values)}?api-version={api_version}" if op.style.status else None
        result = None
        if op.style.result:
            result = f"{base}{op.style.result.format(**values)}?{op.style.result_query}api-version={api_version}"
        return status, result

    def retry_after(self, op: Operation) -> str:
        """Whole emulated seconds until the operation is due, 1 to 60 (0 once done: poll now)."""
        if op.done:
            return "0"
        return retry_after_seconds(op.started + op.duration - self.clock.now())

    def accepted(
        self, op: Operation, req: ArmRequest, *, status: int = 202, body: dict[str, Any] | None = None
    ) -> Response:
        async_url, location_url = self.urls(op, req.base_url, req.api_version)
        headers = {"Retry-After": self.retry_after(op)}
        if async_url:
            headers["Azure-AsyncOperation"] = async_url
        # ARM's async contract: a PUT/PATCH answering 200/201 carries Azure-AsyncOperation only; Location
        # belongs to 202s (see the module docstring for why the Azure CLI cares).
        if status == 202 and location_url:
            headers["Location"] = location_url
        if body is None:
            return empty_response(status, headers)
        return json_response(body, status, headers)

    def status_body(self, op: Operation, req: ArmRequest) -> dict[str, Any]:
        async_url, _ = self.urls(op, req.base_url, req.api_version)
        body: dict[str, Any] = {
            "id": (async_url or "").split("?")[0].removeprefix(req.base_url.rstrip("/")),
            "name": op.id,
            "status": op.status,
            "startTime": self.clock.iso(op.started),
        }
        if op.ended is not None:
            body["endTime"] = self.clock.iso(op.ended)
        if op.error is not None:
            body["error"] = op.error
        return body

    def status_response(self, op: Operation, req: ArmRequest) -> Response:
        headers = {} if op.done else {"Retry-After": self.retry_after(op)}
        return json_response(self.status_body(op, req), 200, headers)

    def result_response(self, op: Operation, req: ArmRequest) -> Response:
        """The Location poll: 202 while running, then the result (or the error, or 204)."""
        if not op.done:
            _, location_url = self.urls(op, req.base_url, req.api_version)
            return empty_response(202, {"Location": location_url or "", "Retry-After": self.retry_after(op)})
        if op.status == "Failed":
            return json_response({"error": op.error}, op.error_status)
        if op.result is not None:
            return json_response(op.result, 200)
        return empty_response(200 if op.style is RESOURCE_GROUP_DELETE else 204)


def _poller(style: LroStyle, *, result: bool) -> Callable[[ArmRequest], Response]:
    def handler(req: ArmRequest) -> Response:
        ops = req.state.operations
        op = ops.get(req.params["operationId"], style)
        is_result = result or (style.result_query and req.request.args.get("monitor", "").lower() == "true")
        return ops.result_response(op, req) if is_result else ops.status_response(op, req)

    return handler


RULES = [
    Rule(pattern, ["GET"], _poller(style, result=is_result))
    for style in STYLES.values()
    for pattern, is_result in style.routes()
]
