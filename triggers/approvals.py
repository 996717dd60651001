"""The approval links: `GET` shows a confirmation form, `POST` records the decision.

A GET never decides: chat clients and mail scanners fetch links by themselves, and a preview
must not spend a token or approve a failover. The route is anonymous at the Functions level
because approvers clicking a link in Teams or Slack hold no function key; the signed, expiring,
single-use token bound to this approval's run and execution and to this decision is the
credential (a function key in the link would leak a reusable secret into chat history).

Identity: with App Service authentication on (or a reverse proxy `regionshift serve` trusts), the
approver is the signed-in principal (`regionshift.approvals.identity`); otherwise the form asks
for a name, recorded as unverified. A typed name never counts toward a two-person rule: for such
an approval the page says plainly that it needs a signed-in approver, and that the rule cannot be
met at all where the app signs nobody in, and a POST without a signed-in identity is refused.

Both routes read the approval's status first and refuse at once a link that belongs to another
run or execution, or was used, or an approval no longer waiting; the approval orchestration's
ledger still has the last word (a racing second use is refused there).

A person's browser (it asks for `text/html`) gets pages (`regionshift.approvals.page`): before
deciding, what is being approved, read from the approval's input, the run's `alert` events (its
history: Azure's extension names event types, `EventType: "EventRaised"`, in
DurableClient.GetDurableOrchestrationStatusAsync; the embedded host numbers them, 15) and the run's
readiness sub-orchestration; after deciding, what was recorded. Callers that do not ask for HTML get JSON.
"""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

import azure.durable_functions as df
import azure.functions as func

from regionshift.approvals import ApprovalKeyMissing, ApprovalToken, TokenRefused, approval_key, verify_token
from regionshift.approvals.identity import Principal, identity_source, principal_from_headers
from regionshift.approvals.page import HEADERS, ApprovalFacts, decision_page, recorded_page, refused_page
from regionshift.approvals.payloads import forecast_line
from regionshift.names import Events
from triggers.common import ACTIVE, body_too_large, decoded, error, log, respond, runtime_status

bp = df.Blueprint()
ROUTE = "approvals/{instance}/{decision}"
EVENT_RAISED = (15, "EventRaised")  # the host's history numbers event types; the extension names them


@bp.function_name("approval_page")
@bp.route(route=ROUTE, methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@bp.durable_client_input(client_name="client")
async def approval_page(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    instance, decision, token = _target(req, req.params.get("token", ""))
    checked = _check(instance, decision, token)
    if isinstance(checked, func.HttpResponse):
        return _for_people(req, checked)
    ledger = await _waiting(client, instance, checked)
    if isinstance(ledger, func.HttpResponse):
        return _for_people(req, ledger)
    rule, form = _form_parts(decision, token, ledger, principal_from_headers(req.headers))
    page = decision_page(await facts(client, instance), decision, form, rule)
    return func.HttpResponse(page, status_code=200, mimetype="text/html", headers=HEADERS)


def _wants_html(req: func.HttpRequest) -> bool:
    return "text/html" in (req.headers.get("accept") or "").lower()


def _for_people(req: func.HttpRequest, answer: func.HttpResponse) -> func.HttpResponse:
    """A JSON refusal, as a page when a browser asked."""
    if not _wants_html(req):
        return answer
    try:
        message = str(json.loads(answer.get_body()).get("error", ""))
    except ValueError:
        message = ""
    page = refused_page(answer.status_code, message or "refused")
    return func.HttpResponse(page, status_code=answer.status_code, mimetype="text/html", headers=HEADERS)


async def facts(client: df.DurableOrchestrationClient, instance: str) -> ApprovalFacts:
    """What the approval is about: its input (plan, operation, forced, reason, second signal), the run's
    alerts and its readiness result. What cannot be read is left out, never guessed."""
    status = await client.get_status(instance, show_input=True)
    args = decoded(getattr(status, "input_", None)) if status else None
    args = args if isinstance(args, dict) else {}
    plan: dict[str, Any] = args["plan"] if isinstance(args.get("plan"), dict) else {}
    regions: dict[str, Any] = plan["regions"] if isinstance(plan.get("regions"), dict) else {}
    run_id = str(args.get("run_instance_id", ""))
    alerts: list[dict[str, Any]] = []
    readiness: list[dict[str, Any]] | None = None
    if run_id:
        run = await client.get_status(run_id, show_history=True, show_input=True)
        for event in (getattr(run, "historyEvents", None) or []) if run else []:
            if event.get("EventType") in EVENT_RAISED and event.get("Name") == Events.ALERT:
                value = decoded(event.get("Input"))
                if isinstance(value, dict):
                    alerts.append(value)
        checks = await client.get_status(f"{run_id}:readiness")
        if checks and runtime_status(checks) == "Completed" and isinstance(checks.output, list):
            readiness = [c for c in checks.output if isinstance(c, dict)]
    evidence: dict[str, Any] = args["evidence"] if isinstance(args.get("evidence"), dict) else {}
    confirmation = evidence.get("confirmation")
    return ApprovalFacts(
        plan=str(plan.get("name", "")),
        operation=str(args.get("operation", "failover")),
        primary=str(regions.get("primary", "")),
        secondary=str(regions.get("secondary", "")),
        forced=args.get("forced") is True,
        reason=str(args.get("reason", "")),
        alerts=alerts,
        readiness=readiness,
        confirmation=confirmation if isinstance(confirmation, dict) else None,
        run_instance_id=run_id,
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
        return _for_people(req, checked)
    principal = principal_from_headers(req.headers)
    approver = principal.name if principal else str(form.get("approver", "")).strip()[:200]
    if not approver:
        return _for_people(req, error(400, "approver is required: who is deciding?"))
    ledger = await _waiting(client, instance, checked)
    if isinstance(ledger, func.HttpResponse):
        return _for_people(req, ledger)
    if decision == "approve" and ledger.get("signed_in_only") and principal is None:
        return _for_people(req, error(403, _rule_text(ledger), [f"approver (typed, not counted): {approver}"]))
    vote = {
        "decision": decision,
        "nonce": checked.nonce,
        "slot": checked.slot,
        "approver": approver,
        "verified": principal is not None,
        "principal_id": principal.id if principal else "",
        "run_id": checked.run_id,
        "execution": checked.execution,
        "comment": str(form.get("comment", ""))[:2000],
        "at": datetime.now(UTC).isoformat(),
    }
    await client.raise_event(instance, Events.APPROVAL_DECISION, vote)
    # The orchestration's ledger has the last word (a racing second use of the link is refused
    # there); the status link shows whether the vote was counted.
    verified = principal is not None
    if _wants_html(req):
        page = recorded_page(decision, approver, verified, instance.rsplit(":", 1)[0])  # `<run>:approval`
        return func.HttpResponse(page, status_code=202, mimetype="text/html", headers=HEADERS)
    return respond(202, {"recorded": decision, "approver": approver, "verified": verified, "instance_id": instance})


async def _waiting(
    client: df.DurableOrchestrationClient, instance: str, token: ApprovalToken
) -> dict[str, Any] | func.HttpResponse:
    """The approval's ledger (as its custom status shows it) if it waits for this very link, else why not."""
    status = await client.get_status(instance)
    if not status:
        return error(404, "no approval is waiting under this link")
    custom = status.custom_status if isinstance(status.custom_status, dict) else {}
    if runtime_status(status) not in ACTIVE or custom.get("phase") != "awaiting_approval":
        return error(409, "this approval is no longer waiting for a decision", [f"phase: {custom.get('phase')}"])
    ledger = custom.get("approval", {})
    if (token.run_id, token.execution) != (ledger.get("run_id"), ledger.get("execution")):
        return error(403, "this approval link belongs to another run (or to an earlier execution of this approval)")
    if token.nonce in ledger.get("spent", []):
        return error(409, "this approval link has already been used")
    return ledger


def _rule_text(ledger: dict[str, Any]) -> str:
    """A two-person rule in plain words, for someone who is not signed in."""
    required = ledger.get("required", 2)
    source = identity_source()
    text = f"this approval needs {required} different signed-in approvers, and a typed name never counts"
    if source:
        return f"{text}: sign in through {source} and open the link again"
    return (
        f"{text}; this app signs nobody in (no App Service authentication, no trusted proxy), so the rule "
        "cannot be met here: reject, or have a person start the run by hand"
    )


def _decision_form(token: str, title: str, who: str) -> str:
    css = ' class="reject"' if title.lower() == "reject" else ""
    return (
        f'<form method="post"><input type="hidden" name="token" value="{html.escape(token)}">{who}'
        '<p><label>Comment <textarea name="comment" maxlength="2000"></textarea></label></p>'
        f'<p><button type="submit"{css}>{title}</button></p></form>'
    )


def _form_parts(decision: str, token: str, ledger: dict[str, Any], principal: Principal | None) -> tuple[str, str]:
    """(the two-person rule, if any; the form, or why this person cannot approve)."""
    title = html.escape(decision.capitalize())
    rule = ""
    if ledger.get("signed_in_only"):
        counted = len(ledger.get("approvers", []))
        rule = f"<p>This needs {int(ledger.get('required', 2))} different signed-in approvers ({counted} so far).</p>"
    if principal is not None:
        body = _decision_form(token, title, f"<p>Signed in as <b>{html.escape(principal.name)}</b></p>")
    elif decision == "approve" and ledger.get("signed_in_only"):
        text = _rule_text(ledger)
        body = f"<p><strong>You are not signed in.</strong> {html.escape(text[0].upper() + text[1:])}.</p>"
    else:
        field = '<p><label>Your name or e-mail <input name="approver" required maxlength="200"></label></p>'
        body = _decision_form(token, title, field + "<p>Not signed in: your name is recorded as typed, unverified.</p>")
    return _forecast(ledger) + rule, body


def _forecast(ledger: dict[str, Any]) -> str:
    """The failover's RTO forecast the request carried (`regionshift.forecast`), if it had one."""
    forecast = ledger.get("forecast")
    if not isinstance(forecast, dict) or not forecast.get("summary"):
        return ""
    style = ' style="color:#b00020"' if forecast.get("over_target") else ""
    return f"<p{style}>{html.escape(forecast_line(forecast))}</p>"


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
