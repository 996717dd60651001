"""Activities of the approval flow: post the approval request, and read the confirming signal.

`send_approval_request` signs the links (here, not in the orchestrator: nonces are random and
the key must never enter the history), binding each token to the run id and the approval's
execution, and posts one message per webhook. The message says where approvers' identities come
from (`identity_source`), so that a two-person rule this app cannot verify says so up front. It
returns only where it posted and the HTTP status, never the links or the webhook URLs: Teams and
Slack webhook URLs are secrets, and so are the tokens.
"""

from __future__ import annotations

import json
import logging
import os
import urllib.error
import urllib.request
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

import azure.durable_functions as df

from regionshift.approvals import ApprovalRequest, approval_key, issue_token, render
from regionshift.approvals.identity import identity_source
from regionshift.approvals.wire import SendRequestInput
from regionshift.azure.clients import default_clients
from regionshift.azure.monitor import confirm_outage
from regionshift.forecast import forecast_shape, history_from_reports
from regionshift.forecast_history import recent_reports
from regionshift.names import Activities
from regionshift.plan.models import Plan, PlanContext
from regionshift.settings import Settings

bp = df.Blueprint()
log = logging.getLogger("regionshift.approvals")
_POST_TIMEOUT_SECONDS = 10


def public_url(environ: dict[str, str] | None = None) -> str:
    """Where approvers reach this app: REGIONSHIFT_PUBLIC_URL, else Azure's WEBSITE_HOSTNAME."""
    env = os.environ if environ is None else environ
    if env.get("REGIONSHIFT_PUBLIC_URL"):
        return env["REGIONSHIFT_PUBLIC_URL"].rstrip("/")
    if env.get("WEBSITE_HOSTNAME"):
        return f"https://{env['WEBSITE_HOSTNAME']}"
    return "http://localhost:7071"


def build_request(args: SendRequestInput, key: bytes, base_url: str, sign_in: str | None = None) -> ApprovalRequest:
    expires = int(datetime.fromisoformat(args.expires_at).timestamp())
    path = f"{base_url}/api/approvals/{quote(args.approval_instance_id, safe='')}"

    def link(decision: str, slot: int = 0) -> str:
        token = issue_token(
            key,
            args.approval_instance_id,
            decision,  # type: ignore[arg-type]
            expires,
            slot=slot,
            run_id=args.run_id,
            execution=args.execution,
        )
        return f"{path}/{decision}?token={token}"

    return ApprovalRequest(
        plan=args.plan,
        operation=args.operation,
        instance_id=args.approval_instance_id,
        run_instance_id=args.run_instance_id,
        reason=args.reason,
        forced=args.forced,
        approvers_needed=args.approvers_needed,
        expires_at=args.expires_at,
        approve_urls=tuple(link("approve", slot) for slot in range(args.approvers_needed)),
        reject_url=link("reject"),
        status_url=f"{base_url}/api/runs/{quote(args.run_instance_id, safe='')}",
        escalated=args.escalated,
        evidence=args.evidence,
        sign_in=sign_in or "",
    )


def _post(url: str, body: dict[str, Any]) -> dict[str, Any]:
    host = urlsplit(url).hostname or "?"
    data = json.dumps(body).encode("utf-8")
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=_POST_TIMEOUT_SECONDS) as response:
            return {"host": host, "status": response.status, "ok": 200 <= response.status < 300}
    except urllib.error.HTTPError as exc:
        return {"host": host, "status": exc.code, "ok": False}
    except (urllib.error.URLError, OSError) as exc:
        return {"host": host, "status": None, "ok": False, "error": type(exc).__name__}


@bp.function_name(Activities.SEND_APPROVAL_REQUEST)
@bp.activity_trigger(input_name="payload")
def send_approval_request(payload: dict) -> dict:
    args = SendRequestInput.model_validate(payload)
    try:
        key = approval_key()
    except Exception as exc:
        log.error("approval request not sent: %s", exc)
        return {"deliveries": [], "error": str(exc)}
    forecast = approval_forecast(args)
    request = replace(build_request(args, key, public_url(), identity_source()), forecast=forecast)
    deliveries = []
    for hook in args.webhooks:
        result = _post(hook["url"], render(request, hook.get("format", "json")))  # type: ignore[arg-type]
        deliveries.append({**result, "format": hook.get("format", "json")})
    return {"deliveries": deliveries, "forecast": forecast}


def approval_forecast(args: SendRequestInput) -> dict[str, Any]:
    """The RTO forecast of the failover awaiting approval (`regionshift.forecast`), from this plan's
    recent reports; {} when it cannot be made: a forecast never holds up an approval request."""
    if not args.forecast_shape:
        return {}
    try:
        plan = PlanContext.model_validate(args.forecast_shape["plan"])
        history = history_from_reports(recent_reports(plan, Settings.from_env().report_dir))
        return forecast_shape(args.forecast_shape, history).brief()
    except Exception:
        log.exception("no RTO forecast for the approval request of %s", args.plan)
        return {}


@bp.function_name(Activities.CONFIRM_OUTAGE)
@bp.activity_trigger(input_name="payload")
def confirm(payload: dict) -> dict:
    plan = Plan.model_validate(payload["plan"])
    if plan.policy.confirmation is None:
        return {"confirmed": False, "signals": [], "summary": "the plan names no confirmation signal"}
    try:
        return confirm_outage(default_clients(), plan.subscription_id, plan.policy.confirmation)
    except Exception as exc:  # reading failed: not confirmed, so a person is asked
        log.exception("confirmation signal could not be read")
        return {"confirmed": False, "signals": [], "summary": f"could not read: {type(exc).__name__}"}
