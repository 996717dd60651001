"""The run lease's wire models, its id, and the holder facts every backend records.

`LeaseRequest` is the input of the `acquire_run_lease` and `release_run_lease` activities,
`LeaseOutcome` their output: plain JSON in the Durable history, like every activity's. A refusal is
an outcome (`granted: false` naming the holder), never an exception, so the orchestrator can stop
before its first write and say why.

The lease id is `uuid5` of the run id: the same run (a resume, a retry after a crash) proposes the
same id and gets its lease back, and any other run proposes another id and is refused. Azure's
"Lease Blob" operation takes a proposed id in GUID form (`x-ms-proposed-lease-id`), which is why
it is a UUID and not the run id itself.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import Field

from regionshift.contracts import WireModel

# A fixed namespace, so that every host derives the same lease id from the same run id.
LEASE_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:regionshift:run-lease")
Backend = Literal["blob", "local"]


def lease_id_for(run_id: str) -> str:
    """The lease id the run proposes: the same on every host and every attempt of that run."""
    if not run_id:
        # uuid5 of "" would be one id shared by every run without an id: no exclusion at all.
        raise ValueError("the run has no run id, and a lease needs one")
    return str(uuid.uuid5(LEASE_NAMESPACE, run_id))


class LeaseRequest(WireModel):
    plan: dict[str, Any]  # PlanContext as JSON
    operation: Literal["failover", "failback", "drill"]
    instance_id: str = Field(min_length=1, max_length=512)
    run_id: str = Field(min_length=1, max_length=256)
    started_by: str = Field(default="", max_length=512)
    break_lease: bool = False  # break glass: take the lease from whoever holds it


class LeaseHolder(WireModel):
    """Who holds (or last held) a plan's lease: what a refused run is told, and what a report shows."""

    plan: str
    operation: str
    instance_id: str
    run_id: str
    started_by: str = ""
    host: str = ""
    acquired_at: str = ""  # ISO 8601, UTC
    pid: int | None = None  # the process that took it (local backend only: a pid means nothing on another host)
    broke: str = ""  # the run id whose lease this holder broke to get it
    released_at: str = ""  # set when the holder let it go (blob backend keeps the facts after release)

    def describe(self) -> str:
        who = f" by {self.started_by}" if self.started_by else ""
        where = f" on host {self.host}" if self.host else ""
        since = f" since {self.acquired_at}" if self.acquired_at else ""
        return f"{self.operation} run {self.run_id} (instance {self.instance_id}){who}{where}{since}"


class LeaseOutcome(WireModel):
    granted: bool  # the run holds the lease after this call
    backend: Backend
    location: str = ""  # the blob URL or the lease file
    holder: LeaseHolder | None = None  # who holds it now (this run when granted), as far as it can be read
    broken_holder: LeaseHolder | None = None  # whose lease this run broke (`break_lease`)
    released: bool = False  # release only: this run's lease was let go by this call
    # The lease could not be decided (storage unreachable, unreadable file, bad input). Treat as not
    # granted: no write may follow a lease that is not known to be held.
    error: bool = False
    detail: str = ""
