"""Words and short names shared by the HTML page and the text summary.

ARM ids are long; a person scanning a timeline wants `fg-orders`, with the full id one glance
away. Status words and colours are defined once so the page, its legend and the terminal agree.
"""

from __future__ import annotations

from regionshift.contracts import StepOutcome

# Colour per step status: colour-blind-safe hues, never the only carrier of meaning (every bar and
# row also says its status in words).
STATUS_COLOURS = {
    "succeeded": "#1a7f37",
    "already_done": "#0969da",
    "failed": "#cf222e",
    "skipped": "#8c959f",
    "running": "#9a6700",
}
STATUS_WORDS = {
    "succeeded": "succeeded",
    "already_done": "already done",
    "failed": "FAILED",
    "skipped": "skipped",
    "running": "running",
}
RICH_STYLES = {
    "succeeded": "green",
    "already_done": "blue",
    "failed": "bold red",
    "skipped": "dim",
    "running": "yellow",
}
KIND_WORDS = {
    "sql": "SQL",
    "cosmos": "Cosmos DB",
    "resource_group": "Resource group",
    "scale_set": "Scale set",
    "dns": "DNS",
    "check": "Check",
    "approval": "Approval",
}
OPERATION_WORDS = {"failover": "Failover", "failback": "Failback", "drill": "Drill", "check": "Readiness check"}


def short_resource(resource: str) -> str:
    """The last name in an ARM id (`fg-orders`), or the resource as given (a DNS `www.contoso.com CNAME`)."""
    if resource.lower().startswith("/subscriptions/"):
        parts = [p for p in resource.split("/") if p]
        if len(parts) >= 2:
            return parts[-1]
    return resource


def step_label(step: StepOutcome) -> str:
    """`SQL · planned_failover · fg-orders`: what the chart row and the summary call a step."""
    return f"{KIND_WORDS.get(step.kind, step.kind)} · {step.action} · {short_resource(step.resource)}"


def humanize(action: str) -> str:
    return action.replace("_", " ")
