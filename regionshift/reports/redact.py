"""Keep secrets out of reports: they are written to disk, uploaded, and mailed around after an incident.

Activities should never put a secret in a step's detail or data, but an SDK error message can echo
a connection string or a SAS URL. Values under secret-sounding keys are replaced, and secret-shaped
substrings of any text are masked. The report keeps its shape, so it still validates as a RunReport.
"""

from __future__ import annotations

import re
from typing import Any

from regionshift.contracts import RunReport, StepOutcome

MASK = "[redacted]"
_SECRET_KEY = re.compile(
    r"pass(word|wd)?|secret|token|credential|connection_?string|(account|access|primary|secondary|api)_?key"
    r"|^key$|(^|_)sas(_|$)|signature|authorization|cookie",
    re.IGNORECASE,
)
_SECRET_TEXT = [
    # key=value pairs of connection strings, and a SAS token's signature.
    (
        re.compile(r"((?:AccountKey|SharedAccessKey|SharedAccessSignature|Password|Pwd)=)[^;&\s\"']+", re.I),
        r"\1" + MASK,
    ),
    (re.compile(r"([?&]sig=)[^&\s\"']+", re.I), r"\1" + MASK),
    (re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+", re.I), r"\1" + MASK),
    # JWTs (access tokens) wherever they appear.
    (re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), MASK),
]


def redact_text(text: str) -> str:
    for pattern, replacement in _SECRET_TEXT:
        text = pattern.sub(replacement, text)
    return text


def redact_value(value: Any, key: str = "") -> Any:
    if key and _SECRET_KEY.search(key) and value not in (None, "", [], {}):
        return MASK
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: redact_value(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_value(v) for v in value]
    return value


def _redact_step(step: StepOutcome) -> StepOutcome:
    return step.model_copy(
        update={
            "resource": redact_text(step.resource),
            "detail": redact_text(step.detail),
            "data": redact_value(step.data),
        }
    )


def redact_report(report: RunReport) -> RunReport:
    """A copy of `report` with secret-looking values masked."""
    return report.model_copy(
        update={
            "steps": [_redact_step(s) for s in report.steps],
            "readiness": [_redact_step(s) for s in report.readiness],
            "resources": [redact_value(r) for r in report.resources],
            "reason": redact_text(report.reason),
            "started_by": redact_text(report.started_by),
        }
    )
