"""The approval pages a person sees: what is being approved, the form, and what happened after it.

An approver opening a link from Teams at 3 am must see, before deciding, exactly what they let
happen: the plan, the operation, from which region to which, whether it may be forced (possible data
loss), the alert that started it, the readiness result and the second signal. After the decision
they get a page that says what was recorded and where to follow the run, not raw JSON (which stays
for callers that do not ask for HTML). Everything shown is escaped: plan and alert names are data.

Pure rendering: `triggers/approvals.py` reads the approval's input, the run's alert events and its
readiness sub-orchestration, and hands the facts in as `ApprovalFacts`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import Any

from regionshift.reports.style import CSS

_HEADERS_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'"
HEADERS = {
    "Content-Security-Policy": _HEADERS_CSP + "; frame-ancestors 'none'",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
}
_EXTRA_CSS = """
form textarea, form input { width: 100%; max-width: 520px; font: inherit; padding: 6px; }
form button { font: inherit; font-weight: 600; padding: 8px 22px; border-radius: 6px; border: 0;
  background: var(--ok); color: #fff; cursor: pointer; }
form button.reject { background: var(--bad); }
dl.facts-list { display: grid; grid-template-columns: max-content 1fr; gap: 6px 18px; margin: 0; }
dl.facts-list dt { color: var(--muted); font-weight: 600; } dl.facts-list dd { margin: 0; overflow-wrap: anywhere; }
.forced { color: var(--bad); font-weight: 700; }
"""


def e(value: object) -> str:
    return escape(str(value), quote=True)


@dataclass(frozen=True)
class ApprovalFacts:
    """What is being approved, as far as it could be read (anything unknown stays empty)."""

    plan: str = ""
    operation: str = "failover"
    primary: str = ""
    secondary: str = ""
    forced: bool = False  # a plan that allows data loss: the failover may be forced
    reason: str = ""  # why the run started ("started by alert:<rule>")
    alerts: list[dict[str, Any]] = field(default_factory=list)  # the run's `alert` events, first first
    readiness: list[dict[str, Any]] | None = None  # the run's readiness checks, once they ran
    confirmation: dict[str, Any] | None = None  # the second signal, when the policy asked it
    run_instance_id: str = ""


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{e(_HEADERS_CSP)}">'
        f"<title>{e(title)}</title><style>{CSS}{_EXTRA_CSS}</style></head><body><main>"
        f"{body}</main></body></html>"
    )


def _header(title: str, state: str) -> str:
    return (
        f'<header class="run {e(state)}" style="margin:0 -24px 20px"><div class="inner">'
        f'<div class="eyebrow">regionshift approval</div><h1>{e(title)}</h1></div></header>'
    )


def facts_section(facts: ApprovalFacts) -> str:
    """The card of what is being approved: the part of the page a person reads before deciding."""
    how = (
        '<span class="forced">may be FORCED: possible data loss</span> (the plan allows data loss; the '
        "data fails over planned when the primary answers, forced only when it is confirmed down)"
        if facts.forced
        else "planned only: no data loss (the plan forbids it)"
    )
    rows = [
        ("Plan", facts.plan or "—"),
        ("Operation", facts.operation),
        ("From → to", f"{facts.primary or '?'} → {facts.secondary or '?'}"),
        ("Run", facts.run_instance_id or "—"),
        ("Why", facts.reason or "—"),
    ]
    items = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in rows)
    items += f"<dt>Data</dt><dd>{how}</dd>"
    items += f"<dt>Alert</dt><dd>{_alerts(facts.alerts)}</dd>"
    items += f"<dt>Readiness</dt><dd>{_readiness(facts.readiness)}</dd>"
    items += f"<dt>Second signal</dt><dd>{_signal(facts.confirmation)}</dd>"
    return f'<section class="card"><h2>What you are approving</h2><dl class="facts-list">{items}</dl></section>'


def _alerts(alerts: list[dict[str, Any]]) -> str:
    if not alerts:
        return "none recorded (a person or the schedule started it)"
    first = alerts[0]
    parts = [str(first.get(k)) for k in ("kind", "rule", "service", "fired_at", "reason") if first.get(k)]
    if first.get("regions"):
        parts.append("regions " + ", ".join(map(str, first["regions"])))
    targets = first.get("targets") or []
    text = " · ".join(parts) or str(first.get("alert_id", "an alert"))
    more = f" (and {len(alerts) - 1} later alert(s) of the same outage)" if len(alerts) > 1 else ""
    target = f"<br><span class='mono'>{e(', '.join(map(str, targets))[:600])}</span>" if targets else ""
    return f"{e(text)}{e(more)}{target}"


def _readiness(checks: list[dict[str, Any]] | None) -> str:
    if checks is None:
        return (
            "not run yet: the readiness checks run right after approval, before any write, and a failing "
            "required check stops the failover there"
        )
    failed = [c for c in checks if c.get("status") == "failed"]
    unknown = sum(1 for c in checks if c.get("status") == "skipped")
    passed = len(checks) - len(failed) - unknown
    text = f"{passed} passed, {len(failed)} failed, {unknown} unknown of {len(checks)}"
    lines = "".join(
        f"<li>{e(c.get('action', ''))} {e(c.get('resource', ''))}: {e(c.get('detail', ''))}</li>" for c in failed
    )
    return e(text) + (f"<ul>{lines}</ul>" if lines else "")


def _signal(confirmation: dict[str, Any] | None) -> str:
    if not confirmation:
        return "not asked (the plan's approval policy is not automatic)"
    verdict = "confirmed the outage" if confirmation.get("confirmed") else "did NOT confirm the outage"
    return f"{e(verdict)}: {e(confirmation.get('summary', ''))}"


def decision_page(facts: ApprovalFacts, decision: str, form: str, rule: str) -> str:
    """The confirmation page of an approve or reject link: the facts, any two-person rule, the form."""
    title = f"{decision.capitalize()} the {facts.operation} of {facts.plan or 'this plan'}?"
    return _page(
        f"regionshift: {decision}",
        _header(title, "failed" if decision == "reject" else "running")
        + facts_section(facts)
        + f'<section class="card"><h2>{e(decision.capitalize())}</h2>{rule}{form}</section>',
    )


def recorded_page(decision: str, approver: str, verified: bool, run_instance_id: str) -> str:
    """After the POST: what was recorded, and where to follow the run."""
    who = f"{approver} (signed in)" if verified else f"{approver} (typed, unverified)"
    word = "approval" if decision == "approve" else "rejection"
    body = (
        _header(f"Your {word} was recorded", "succeeded" if decision == "approve" else "failed")
        + '<section class="card"><h2>What happens now</h2>'
        f"<p>Recorded: <b>{e(decision)}</b> by <b>{e(who)}</b>.</p>"
        "<p>The run counts it when it next looks (a link used twice, or one from another run, is refused "
        "there). "
        + (
            "Once approved it runs its readiness checks, then fails over."
            if decision == "approve"
            else "A rejected run changes nothing and ends."
        )
        + "</p>"
        f"<p>Follow it on its live page: <code>/api/runs/{e(run_instance_id)}/page</code> (with the app's "
        "function key), or <code>regionshift</code> on a laptop.</p></section>"
    )
    return _page(f"regionshift: {word} recorded", body)


def refused_page(status: int, message: str) -> str:
    """A refusal (expired or used link, no longer waiting) as a page a person can read."""
    body = _header("This link cannot decide anything now", "failed") + (
        f'<section class="card alert"><h2>Refused ({status})</h2><p>{e(message)}</p></section>'
    )
    return _page("regionshift: refused", body)
