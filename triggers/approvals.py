"""The approval links: `GET` shows a confirmation form, `POST` records the decision.

A GET never decides: chat clients and mail scanners fetch links by themselves, and a preview
must not spend a token or approve a failover. The route is anonymous at the Functions level
because approvers clicking a link in Teams or Slack hold no function key; the signed, expiring,
single-use token bound to this approval and this decision is the credential (a function key in
the link would leak a reusable secret into chat history). With App Service authentication on,
the approver's Entra ID identity is taken from the platform's headers; otherwise the form asks
for a name, recorded as unverified.
"""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

import azure.durable_functions as df
import azure.functions as func

from regionshift.approvals import ApprovalKeyMissing, TokenRefused, approval_key, verify_token
from regionshift.names import Events
from triggers.common import ACTIVE, body_too_large, caller, error, log, respond, runtime_status

bp = df.Blueprint()
ROUTE = "approvals/{instance}/{decision}"


@bp.function_name("approval_page")
@bp.route(route=ROUTE, methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def approval_page(req: func.HttpRequest) -> func.HttpResponse:
    instance, decision, token = _target(req, req.params.get("token", ""))
    checked = _check(instance, decision, token)
    if isinstance(checked, func.HttpResponse):
        return checked
    who, verified = caller(req)
    name_field = (
        f"<p>Signed in as <b>{html.escape(who or '')}</b></p>"
        if verified
        else '<p><label>Your name or e-mail <input name="approver" required maxlength="200"></label></p>'
    )
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>regionshift: {html.escape(decision)}</title>
</head><body><h1>{html.escape(decision.capitalize())} {html.escape(instance)}?</h1>
<form method="post"><input type="hidden" name="token" value="{html.escape(token)}">{name_field}
<p><label>Comment <textarea name="comment" maxlength="2000"></textarea></label></p>
<p><button type="submit">{html.escape(decision.capitalize())}</button></p></form></body></html>"""
    return func.HttpResponse(
        page,
        status_code=200,
        mimetype="text/html",
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"},
    )


@bp.function_name("approval_decision")
@bp.route(route=ROUTE, methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@bp.durable_client_input(client_name="client")
async def approval_decision(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    too_large = body_too_large(req, 16 * 1024)
    if too_large:
        return too_large
    form = _form(req)
    if form is None:
        return error(400, "send the decision as a form or a JSON object (token, approver, comment)")
    instance, decision, token = _target(req, form.get("token") or req.params.get("token", ""))
    checked = _check(instance, decision, token)
    if isinstance(checked, func.HttpResponse):
        return checked
    who, verified = caller(req)
    approver = who if verified else str(form.get("approver", "")).strip()[:200]
    if not approver:
        return error(400, "approver is required: who is deciding?")
    status = await client.get_status(instance)
    if not status:
        return error(404, "no approval is waiting under this link")
    custom = status.custom_status if isinstance(status.custom_status, dict) else {}
    ledger = custom.get("approval", {})
    if runtime_status(status) not in ACTIVE or custom.get("phase") != "awaiting_approval":
        return error(409, "this approval is no longer waiting for a decision", [f"phase: {custom.get('phase')}"])
    if checked.nonce in ledger.get("spent", []):
        return error(409, "this approval link has already been used")
    vote = {
        "decision": decision,
        "nonce": checked.nonce,
        "slot": checked.slot,
        "approver": approver,
        "verified": verified,
        "comment": str(form.get("comment", ""))[:2000],
        "at": datetime.now(UTC).isoformat(),
    }
    await client.raise_event(instance, Events.APPROVAL_DECISION, vote)
    # The orchestration's ledger has the last word (a racing second use of the link is refused
    # there); the status link shows whether the vote was counted.
    return respond(202, {"recorded": decision, "approver": approver, "verified": verified, "instance_id": instance})


def _target(req: func.HttpRequest, token: str) -> tuple[str, str, str]:
    return req.route_params.get("instance", ""), req.route_params.get("decision", ""), str(token)


def _check(instance: str, decision: str, token: str) -> Any:
    if decision not in ("approve", "reject"):
        return error(404, "the decision must be approve or reject")
    try:
        return verify_token(approval_key(), token, instance, decision)  # type: ignore[arg-type]
    except TokenRefused as exc:
        return error(403, str(exc))
    except ApprovalKeyMissing:
        log.error("approval refused: REGIONSHIFT_APPROVAL_KEY is not configured")
        return error(503, "approvals are not configured on this app")


def _form(req: func.HttpRequest) -> dict[str, Any] | None:
    raw = req.get_body() or b""
    kind = (req.headers.get("content-type") or "").split(";")[0].strip().lower()
    try:
        if kind == "application/json":
            body = json.loads(raw or b"{}")
            return body if isinstance(body, dict) else None
        return {k: v[0] for k, v in parse_qs(raw.decode("utf-8"), max_num_fields=10).items()}
    except (ValueError, UnicodeDecodeError):
        return None
