"""What every HTTP trigger shares: JSON answers, the plan catalog, run ids, caller identity.

Errors answer with `{"error": "...", "problems": [...]}` and a 4xx status that says what was
wrong; internals (tracebacks, paths, secrets) stay in the log.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import azure.functions as func

from regionshift.approvals.identity import principal_from_headers
from regionshift.errors import PlanError
from regionshift.plan import Plan, load_plan

log = logging.getLogger("regionshift.triggers")
# Request bodies above this are refused before parsing (an alert is at most 256 KB; see alerts).
MAX_BODY_BYTES = 512 * 1024
TERMINAL = ("Completed", "Failed", "Terminated", "Canceled")
ACTIVE = ("Running", "Pending", "ContinuedAsNew", "Suspended")


def respond(status: int, body: dict[str, Any]) -> func.HttpResponse:
    return func.HttpResponse(json.dumps(body, default=str), status_code=status, mimetype="application/json")


def error(status: int, message: str, problems: list[str] | None = None) -> func.HttpResponse:
    body: dict[str, Any] = {"error": message}
    if problems:
        body["problems"] = problems[:50]
    return respond(status, body)


def body_too_large(req: func.HttpRequest, limit: int = MAX_BODY_BYTES) -> func.HttpResponse | None:
    size = len(req.get_body() or b"")
    if size > limit:
        return error(413, f"request body is {size} bytes; the limit is {limit}")
    return None


def instance_id_for(operation: str, plan_name: str) -> str:
    """One run per plan and operation, the same id the CLI uses: a second start finds the first."""
    return f"{operation}-{plan_name}"


def plan_sources(environ: dict[str, str] | None = None) -> list[Path]:
    """Plan files from REGIONSHIFT_PLANS: files or directories, separated by os.pathsep."""
    env = os.environ if environ is None else environ
    return [Path(p) for p in env.get("REGIONSHIFT_PLANS", "plans").split(os.pathsep) if p]


def load_plans(environ: dict[str, str] | None = None) -> dict[str, Plan]:
    """Every valid plan by name. A broken plan file is logged and skipped, never fatal to the
    others: an alert for plan A must not be lost because plan B has a typo."""
    plans: dict[str, Plan] = {}
    for source in plan_sources(environ):
        files = sorted([*source.glob("*.yaml"), *source.glob("*.yml")]) if source.is_dir() else [source]
        for path in files:
            try:
                plan = load_plan(path)
            except PlanError as exc:
                log.error("plan %s skipped: %s", path, exc)
                continue
            except Exception:  # a bug in the loader must not cost the other plans their alerts either
                log.exception("plan %s skipped: it could not be loaded", path)
                continue
            plans.setdefault(plan.name, plan)
    return plans


def caller(req: func.HttpRequest) -> tuple[str | None, bool]:
    """The caller's signed-in name and True, from App Service authentication (Entra ID) if it is on,
    else (None, False). See `regionshift.approvals.identity` for why these headers can be trusted:
    App Service strips and sets them itself; `regionshift serve` strips them unless a reverse proxy it
    trusts vouches for the request."""
    principal = principal_from_headers(req.headers)
    return (principal.name, True) if principal else (None, False)


def runtime_status(status: Any) -> str | None:
    value = getattr(status, "runtime_status", None)
    return getattr(value, "value", None) if value is not None else None


def decoded(value: Any) -> Any:
    """A status field the Durable client may hand over as JSON text (an instance's input): the value."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
