"""Routes of Microsoft.Insights metrics under any resource (one to three type/name levels)."""

from regionshift_emulator.core.routing import Rule
from regionshift_emulator.services.monitor import responses

_BASE = "/subscriptions/{s}/resourceGroups/{g}/providers/{ns}"
_LEVELS = ["/{t1}/{n1}", "/{t1}/{n1}/{t2}/{n2}", "/{t1}/{n1}/{t2}/{n2}/{t3}/{n3}"]

RULES = [
    Rule(f"{_BASE}{level}/providers/Microsoft.Insights/metrics", ["GET"], responses.list_metrics) for level in _LEVELS
]
