"""What every readiness outcome says about where its answer came from, and what a failed read means.

Each check outcome carries two facts in `data`:
- `region`: the region the check is about, the one whose services had to answer (ARM short name),
  `GLOBAL` for Azure's global services (Azure DNS, ARM's authorization API), or None when it cannot
  be known (an image version is served from its gallery's home region, learnt only from an answer).
- `answered`: False when that region or service did not answer (a timeout, a 5xx, throttling).

A check that could not be answered is `skipped`, shown as unknown, and never counted as passed.
`regionshift.azure.readiness.blocking` decides which unknowns stop a run: those about the target
(secondary) region, and global services that did not answer, since a failover needs both; one
about the primary is what an outage of the primary looks like, and does not.
"""

from __future__ import annotations

from azure.core.exceptions import AzureError, HttpResponseError, ResourceNotFoundError

from regionshift.azure.outcomes import Step, describe_error
from regionshift.contracts import StepOutcome

GLOBAL = "global"


def about(step: Step, region: str | None) -> Step:
    """Mark every outcome of `step` as being about `region` (answered unless said otherwise)."""
    step.data.update(region=region, answered=True)
    return step


def unreadable(step: Step, what: str, exc: AzureError) -> StepOutcome:
    """Missing or refused is a failure; a region or service that does not answer is unknown."""
    if isinstance(exc, ResourceNotFoundError):
        return step.failed(f"{what} does not exist")
    status = exc.status_code if isinstance(exc, HttpResponseError) else None
    if status is not None and 400 <= status < 500 and status not in (408, 429):
        return step.failed(f"{what} cannot be read: {describe_error(exc)}")
    return step.outcome("skipped", f"{what} could not be checked now ({describe_error(exc)})", answered=False)
