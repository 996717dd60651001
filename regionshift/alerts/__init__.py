"""Azure Monitor alerts (Common Alert Schema): parse strictly, read what they mean, match plans."""

from regionshift.alerts.matching import match_plans, plan_matches
from regionshift.alerts.schema import MAX_ALERT_BYTES, AlertPayloadError, CommonAlert, parse_alert
from regionshift.alerts.signal import AlertSignal, read_signal

__all__ = [
    "MAX_ALERT_BYTES",
    "AlertPayloadError",
    "AlertSignal",
    "CommonAlert",
    "match_plans",
    "parse_alert",
    "plan_matches",
    "read_signal",
]
