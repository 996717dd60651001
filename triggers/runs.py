"""Manual starts and run status.

`POST /api/plans/{plan}/{operation}` starts a failover, failback or drill (when that
orchestrator exists). A person with the function key asked for it explicitly, so the run is
marked approved and no separate approval is asked. One run per plan and operation: a start while
that run is unfinished answers 409 with its id; failover and failback of one plan exclude each
other. `GET /api/runs/{instance}` shows phase, branches and the report when done; `GET /api/runs`
lists recent runs, reading every page of the task hub's instances. `POST /api/runs/{instance}/pause`,
`.../resume` and `.../cancel` steer a run in flight (regionshift.control, the CLI's rules too).

For people: `GET /api/runs/{instance}/page` is the live page of one run (it refreshes itself and
serves the finished run the same way, `regionshift.reports.live`), `GET /api/runs/{instance}/report`
the run's HTML report, and `GET /api/runs?format=html` the recent runs per plan. A browser opens
them with the function key in `?code=`, which Functions accepts beside the `x-functions-key` header
("Obtaining keys", Azure Functions HTTP trigger, Learn).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import aiohttp
import azure.durable_functions as df
import azure.functions as func
from azure.durable_functions.models.DurableOrchestrationStatus import DurableOrchestrationStatus
from azure.durable_functions.models.RpcManagementOptions import RpcManagementOptions

from regionshift import control as rules
from regionshift.contracts import RunReport, RunRequest
from regionshift.control import ControlRefused, ControlRequest, InstanceGone, control
from regionshift.names import Orchestrators
from regionshift.reports import render_html
from regionshift.reports.live import Instance, LiveRun, build_live_run, latest
from regionshift.reports.live_html import HEADERS, render_live_page, render_runs_page
from regionshift.reports.redact import redact_report
from triggers.common import (
    ACTIVE,
    body_too_large,
    caller,
    decoded,
    error,
    instance_id_for,
    load_plans,
    log,
    respond,
    runtime_status,
)

bp = df.Blueprint()
OPERATIONS = {"failover": Orchestrators.FAILOVER, "failback": Orchestrators.FAILBACK, "drill": Orchestrators.DRILL}
EXCLUSIVE = ("failover", "failback", "drill")
# The words of DTFx's OrchestrationAlreadyExistsException, which the extension's HTTP API answers with
# (and the SDK raises) when a start finds the instance running: "An Orchestration instance with the
# status Running already exists." (DurableTask.Core, TaskHubClient; tests/host/test_start_conflicts.py).
ALREADY_EXISTS = "already exists"
_MAX_LIST = 100


def available_operations() -> dict[str, str]:
    """Operations whose orchestrator is part of the app (failback and drill land later)."""
    import importlib.util

    return {op: name for op, name in OPERATIONS.items() if importlib.util.find_spec(f"orchestrators.{op}")}


@bp.function_name("start_run")
@bp.route(route="plans/{plan}/{operation}", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
@bp.durable_client_input(client_name="client")
async def start_run(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    too_large = body_too_large(req, 16 * 1024)
    if too_large:
        return too_large
    operation = req.route_params.get("operation", "")
    operations = available_operations()
    if operation not in operations:
        return error(404, f"unknown operation {operation[:40]!r}; available: {', '.join(sorted(operations))}")
    plans = load_plans()
    plan = plans.get(req.route_params.get("plan", ""))
    if plan is None:
        return error(404, f"no plan named {req.route_params.get('plan', '')[:80]!r}; known: {', '.join(sorted(plans))}")
    body = _json_body(req)
    if isinstance(body, func.HttpResponse):
        return body
    for other in EXCLUSIVE if operation in EXCLUSIVE else (operation,):
        other_id = instance_id_for(other, plan.name)
        status = await client.get_status(other_id)
        if status and runtime_status(status) in ACTIVE:
            return error(409, f"a {other} of plan {plan.name!r} is unfinished", [f"instance: {other_id}"])
    who, verified = caller(req)
    started_by = f"api:{who}" if who else "api"
    if not verified and isinstance(body.get("started_by"), str):
        started_by = f"api:{body['started_by'][:100]} (unverified)"
    force = body.get("force") is True  # a person asked to go on past failing readiness checks
    request = RunRequest.new(plan, started_by=started_by, approved=True, force=force)
    instance_id = instance_id_for(operation, plan.name)
    try:
        await client.start_new(operations[operation], instance_id, request.model_dump(mode="json"))
    except Exception as exc:  # the SDK raises a bare Exception for any answer but 202
        # Two starts raced past the check above: the extension refuses the second one
        # (OrchestrationAlreadyExistsException, host.json's overridableExistingInstanceStates).
        status = await client.get_status(instance_id)
        if status and runtime_status(status) in ACTIVE:
            return error(409, f"a {operation} of plan {plan.name!r} is unfinished", [f"instance: {instance_id}"])
        if status and ALREADY_EXISTS in str(exc):
            # The racing run was there when this start was refused, and has ended since (one refused
            # by the plan's run lease ends at once): this start lost the race all the same.
            return error(
                409, f"a {operation} of plan {plan.name!r} was started at the same moment", [f"instance: {instance_id}"]
            )
        log.error("starting %s failed: %s", instance_id, exc)
        return error(503, f"the {operation} could not be started; try again")
    # Runs of one plan exclude each other through the plan's run lease too (orchestrators/lease.py),
    # across every host: a run that loses that race ends at once, naming the holder.
    return respond(202, {"instance_id": instance_id, "status_url": f"/api/runs/{instance_id}"})


def _json_body(req: func.HttpRequest) -> dict[str, Any] | func.HttpResponse:
    raw = req.get_body() or b""
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return error(400, "the request body must be JSON (or empty)")
    if not isinstance(body, dict):
        return error(400, "the request body must be a JSON object")
    return body


def describe(status: Any) -> dict[str, Any]:
    custom = status.custom_status if isinstance(status.custom_status, dict) else {}
    out: dict[str, Any] = {
        "instance_id": status.instance_id,
        "name": status.name,
        "runtime_status": runtime_status(status),
        "phase": custom.get("phase"),
        "branches": custom.get("branches", {}),
        "created": status.created_time.isoformat() if status.created_time else None,
        "last_updated": status.last_updated_time.isoformat() if status.last_updated_time else None,
    }
    if "approval" in custom:
        out["approval"] = {k: v for k, v in custom["approval"].items() if k != "spent"}
    if runtime_status(status) == "Completed" and isinstance(status.output, dict):
        out["report"] = status.output
        # Beside the report, so a report that reached neither its folder nor its container shows.
        out["published"] = status.output.get("published")
        out["publish_problems"] = status.output.get("publish_problems", [])
    return out


@bp.function_name("get_run")
@bp.route(route="runs/{instance}", methods=["GET"], auth_level=func.AuthLevel.FUNCTION)
@bp.durable_client_input(client_name="client")
async def get_run(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    instance_id = req.route_params.get("instance", "")
    status = await client.get_status(instance_id)
    if not status:
        return error(404, f"no run with id {instance_id[:120]!r}")
    return respond(200, describe(status))


@bp.function_name("run_page")
@bp.route(route="runs/{instance}/page", methods=["GET"], auth_level=func.AuthLevel.FUNCTION)
@bp.durable_client_input(client_name="client")
async def run_page(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    view = await live_view(client, req.route_params.get("instance", ""))
    if isinstance(view, func.HttpResponse):
        return view
    return _html(render_live_page(view, _key_query(req)))


@bp.function_name("run_report_page")
@bp.route(route="runs/{instance}/report", methods=["GET"], auth_level=func.AuthLevel.FUNCTION)
@bp.durable_client_input(client_name="client")
async def run_report_page(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    """The finished run's report page, from its result (the same report its files hold), redacted."""
    instance_id = req.route_params.get("instance", "")
    status = await client.get_status(instance_id)
    if not status or status.name not in OPERATIONS.values():
        return error(404, f"no run with id {instance_id[:120]!r}")
    if runtime_status(status) != "Completed" or not isinstance(status.output, dict):
        return error(409, f"run {instance_id[:120]!r} has no report yet ({runtime_status(status)})")
    report = redact_report(RunReport.model_validate(status.output))
    return func.HttpResponse(render_html(report), status_code=200, mimetype="text/html", headers=_REPORT_HEADERS)


# The report page has no script at all (regionshift.reports.html); it is kept out of caches and frames.
_REPORT_HEADERS = {k: v for k, v in HEADERS.items() if k != "Content-Security-Policy"}


def _html(page: str) -> func.HttpResponse:
    return func.HttpResponse(page, status_code=200, mimetype="text/html", headers=HEADERS)


def _key_query(req: func.HttpRequest) -> str:
    """`code=<key>` when the page was opened with the key in its URL: its links and refreshes keep it."""
    code = req.params.get("code", "")
    return f"code={quote(code, safe='')}" if code else ""


def instance_of(status: Any) -> Instance:
    """The SDK's status object as the live view's plain facts."""
    return Instance(
        instance_id=str(status.instance_id),
        name=str(status.name or ""),
        runtime_status=runtime_status(status) or "",
        created=status.created_time,
        last_updated=status.last_updated_time,
        custom_status=status.custom_status,
        input=decoded(getattr(status, "input_", None)),
        output=status.output,
    )


async def live_view(client: df.DurableOrchestrationClient, instance_id: str) -> LiveRun | func.HttpResponse:
    """The run and every sub-orchestration under its id, read through the Durable client."""
    status = await client.get_status(instance_id, show_input=True)
    if not status or status.name not in OPERATIONS.values():
        return error(404, f"no run with id {instance_id[:120]!r}")
    try:
        children = await _every_instance(client, prefix=f"{instance_id}:", show_input=True)
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        return error(503, f"the run's branches could not be listed: {str(exc)[:200]}")
    run = instance_of(status)
    branches = [instance_of(c) for c in children]
    return build_live_run(run, branches, latest([run, *branches], datetime.now(UTC)))


@bp.function_name("list_runs")
@bp.route(route="runs", methods=["GET"], auth_level=func.AuthLevel.FUNCTION)
@bp.durable_client_input(client_name="client")
async def list_runs(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    try:
        limit = min(max(int(req.params.get("limit", "20")), 1), _MAX_LIST)
    except ValueError:
        return error(400, "limit must be a whole number")
    try:
        statuses = await _every_instance(client, show_input=req.params.get("format") == "html")
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        return error(503, f"the task hub's instances could not be listed: {str(exc)[:200]}")
    statuses.sort(key=lambda s: s.created_time.isoformat() if s.created_time else "", reverse=True)
    runs = [s for s in statuses if s.name in OPERATIONS.values()]  # not the sub-orchestrations
    if req.params.get("format") == "html":
        facts = [instance_of(s) for s in runs[:limit]]
        now = latest(facts, datetime.now(UTC))
        return _html(render_runs_page([build_live_run(f, [], now) for f in facts], _key_query(req)))
    return respond(200, {"runs": [describe(s) for s in runs[:limit]]})


_CONTINUATION = "x-ms-continuation-token"
_MAX_PAGES = 1000  # 100,000 instances; a task hub that large needs purging, not listing


async def _every_instance(
    client: df.DurableOrchestrationClient,
    *,
    prefix: str = "",
    runtime: tuple[str, ...] = (),
    show_input: bool = False,
) -> list[DurableOrchestrationStatus]:
    """Every instance of the task hub (whose id starts with `prefix`, in `runtime` statuses), page after page.

    Listing is paged (100 per page by default, `OrchestrationStatusQueryCondition.PageSize` in the
    extension, which warns that a page may hold fewer even when more follow: "always check the
    continuation token"). The SDK's `get_status_all` reads the first page only and exposes no
    token, and the newest runs need not be on it (Azure Storage lists in instance-id order). So
    this follows `x-ms-continuation-token` on the documented list API (HTTP API reference, "Get
    all instances status"), at the URL the SDK's own `get_status_all` builds: RpcManagementOptions
    over the client's RPC base URL (azure/durable_functions/models/DurableOrchestrationClient.py)."""
    base = RpcManagementOptions().to_url(client._orchestration_bindings.rpc_base_url)
    # The plans in the inputs are needed only to name what a branch works on, or a run's plan.
    url = f"{base}{'&' if '?' in base else '?'}showInput={'true' if show_input else 'false'}"
    if prefix:  # the list API's own filters (HttpApiHandler.HandleGetStatusRequestAsync)
        url += f"&instanceIdPrefix={quote(prefix, safe='')}"
    if runtime:
        url += f"&runtimeStatus={','.join(runtime)}"
    statuses: list[DurableOrchestrationStatus] = []
    token: str | None = None
    seen: set[str] = set()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        for _ in range(_MAX_PAGES):
            async with session.get(url, headers={_CONTINUATION: token} if token else {}) as response:
                if response.status != 200:
                    raise ValueError(f"the list API answered {response.status}")
                page = await response.json(content_type=None)
                token = response.headers.get(_CONTINUATION) or None
            statuses += [DurableOrchestrationStatus.from_json(item) for item in page or []]
            if token is None or token == "null":
                return statuses
            if token in seen:
                raise ValueError("the list API repeated a continuation token")
            seen.add(token)
    raise ValueError(f"more than {_MAX_PAGES} pages of instances")


# -- in-flight control: POST /api/runs/{instance}/pause|resume|cancel (regionshift.control) ----------


class ClientInstances:
    """`regionshift.control.Instances` through the Durable client (the extension's HTTP API)."""

    def __init__(self, client: df.DurableOrchestrationClient) -> None:
        self.client = client

    async def get(self, instance_id: str) -> rules.Instance | None:
        status = await self.client.get_status(instance_id)
        return _instance(status) if status and status.instance_id else None

    async def under(self, prefix: str, statuses: Iterable[str]) -> list[rules.Instance]:
        return [_instance(s) for s in await _every_instance(self.client, prefix=prefix, runtime=tuple(statuses))]

    async def suspend(self, instance_id: str, reason: str) -> None:
        await self._gone_on_error(self.client.suspend(instance_id, reason))

    async def resume(self, instance_id: str, reason: str) -> None:
        await self._gone_on_error(self.client.resume(instance_id, reason))

    async def raise_event(self, instance_id: str, name: str, data: Any) -> None:
        await self._gone_on_error(self.client.raise_event(instance_id, name, data))

    @staticmethod
    async def _gone_on_error(call: Any) -> None:
        # The SDK raises a bare Exception for 404, 410 and a refused state change (the extension's
        # 500 for InvalidOperationException): the instance ended between listing and acting.
        try:
            await call
        except Exception as exc:
            raise InstanceGone(str(exc)) from None


def _instance(status: DurableOrchestrationStatus) -> rules.Instance:
    return rules.Instance(
        status.instance_id or "",
        status.name or "",
        runtime_status(status) or "",
        status.custom_status,
        status.created_time.isoformat() if status.created_time else "",
    )


async def _control_run(req: func.HttpRequest, client: df.DurableOrchestrationClient, action: str) -> func.HttpResponse:
    too_large = body_too_large(req, 16 * 1024)
    if too_large:
        return too_large
    body = _json_body(req)
    if isinstance(body, func.HttpResponse):
        return body
    reason = body.get("reason", "")
    if not isinstance(reason, str):
        return error(400, "reason must be a string")
    who, verified = caller(req)
    by = f"api:{who}" if who else "api"
    if not verified and isinstance(body.get("by"), str):
        by = f"api:{body['by'][:100]} (unverified)"
    request = ControlRequest(
        action=action,  # type: ignore[arg-type]
        instance_id=req.route_params.get("instance", "")[:200],
        by=by,
        reason=reason,
    )
    try:
        outcome = await control(ClientInstances(client), request)
    except ControlRefused as exc:
        return error(exc.status, str(exc))
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        return error(503, f"the task hub could not be reached: {str(exc)[:200]}")
    log.info("%s", outcome.detail)
    return respond(202, outcome.to_json())


@bp.function_name("pause_run")
@bp.route(route="runs/{instance}/pause", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
@bp.durable_client_input(client_name="client")
async def pause_run(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    """Suspend the run and its running parts; they hold until resumed. Body: {"reason": "..."}."""
    return await _control_run(req, client, "pause")


@bp.function_name("resume_run")
@bp.route(route="runs/{instance}/resume", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
@bp.durable_client_input(client_name="client")
async def resume_run(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    """Resume a paused run and its parts."""
    return await _control_run(req, client, "resume")


@bp.function_name("cancel_run")
@bp.route(route="runs/{instance}/cancel", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
@bp.durable_client_input(client_name="client")
async def cancel_run(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    """Cancel the run: nothing new starts and DNS is not switched; what runs finishes or times out."""
    return await _control_run(req, client, "cancel")
