"""The cross-host run lease: an infinite lease on one blob per plan, in the secondary region.

Azure's rules this rests on (Blob service REST API, "Lease Blob",
https://learn.microsoft.com/rest/api/storageservices/lease-blob):
- `x-ms-lease-action: acquire` with `x-ms-lease-duration: -1` takes a lease that never expires, and
  `x-ms-proposed-lease-id` (a GUID) chooses its id. Acquiring again with the id of the active lease
  succeeds; any other id is refused with 409 `LeaseAlreadyPresent`. So the run's own id (uuid5 of
  its run id, `lease_id_for`) lets a resumed or retried run take its lease back, and only it.
- `break` needs no lease id; with `x-ms-lease-break-period: 0` an infinite lease is broken at once,
  and a new lease may then be acquired. Lease operations accept the conditional headers (If-Match),
  so a break names the state it saw: the ETag read with the holder's facts.
- Writing metadata to a leased blob needs the active lease id (412 `LeaseIdMissing` without it,
  412 `LeaseIdMismatchWithBlobOperation` / `LeaseNotPresentWithBlobOperation` with a stale one).
  That is how a run proves it holds the lease: the grant is final only once the holder's facts are
  written under its lease id.
The same operations in the REST spec: Azure/azure-rest-api-specs,
specification/storage/data-plane/Microsoft.BlobStorage/stable/2025-01-05/blob.json (Blob_AcquireLease,
Blob_BreakLease, Blob_ReleaseLease, Blob_SetMetadata). Checked against Azurite 3.37 (tests/lease),
which answers the same codes. Whether Azure changes a blob's ETag on a lease operation is not
documented; nothing here depends on it (Azurite does not): a break racing a fresh holder either
fails its If-Match, or breaks a holder that then fails to write its facts and is not granted.

The holder's facts live in the blob's metadata (percent-encoded: metadata values are HTTP header
values, ASCII only) and stay there after release, with `released_at`, for the next reader.
"""

from __future__ import annotations

import contextlib
from typing import Any
from urllib.parse import quote, unquote

from azure.core import MatchConditions
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.storage.blob import BlobClient, BlobLeaseClient, ContainerClient
from pydantic import ValidationError

from regionshift.lease.model import LeaseHolder, LeaseOutcome, LeaseRequest, lease_id_for
from regionshift.reports.upload import BlobTarget

_FACTS = tuple(LeaseHolder.model_fields)


def _code(exc: HttpResponseError) -> str:
    code = getattr(exc, "error_code", None)  # set by azure-storage-blob's error handling
    return str(getattr(code, "value", code) or "")


def holder_from_metadata(metadata: dict[str, str] | None) -> LeaseHolder | None:
    """The facts a holder wrote, or None if there are none (a new blob) or they cannot be read."""
    values: dict[str, Any] = {k: unquote(v) for k, v in (metadata or {}).items() if k in _FACTS}
    if "pid" in values:
        values["pid"] = int(values["pid"]) if values["pid"].isdigit() else None
    try:
        return LeaseHolder.model_validate(values)
    except ValidationError:
        return None


def metadata_of(holder: LeaseHolder) -> dict[str, str]:
    facts = holder.model_dump(exclude_none=True)
    return {k: quote(str(v), safe="") for k, v in facts.items() if v != ""}


class BlobLease:
    backend = "blob"

    def __init__(self, target: BlobTarget, plan: str) -> None:
        self.target = target
        self.blob_name = f"{plan}.lease"

    def _outcome(self, blob: BlobClient | None, **fields: object) -> LeaseOutcome:
        location = blob.url if blob is not None else f"{self.target.account_url}/{self.target.container}"
        return LeaseOutcome(backend="blob", location=location, **fields)  # type: ignore[arg-type]

    def _blob(self, container: ContainerClient) -> tuple[BlobClient, Any]:
        """The lease blob and its properties, creating the container and the empty blob on first use."""
        blob = container.get_blob_client(self.blob_name)
        try:
            return blob, blob.get_blob_properties()
        except ResourceNotFoundError:
            pass
        try:
            blob.upload_blob(b"", overwrite=False)
        except ResourceNotFoundError:  # no container yet
            with contextlib.suppress(ResourceExistsError):
                container.create_container()
            with contextlib.suppress(ResourceExistsError):
                blob.upload_blob(b"", overwrite=False)
        except ResourceExistsError:  # another run created it meanwhile
            pass
        except HttpResponseError as exc:  # created and already leased by another run
            if exc.status_code != 412:
                raise
        return blob, blob.get_blob_properties()

    def _refused(self, blob: BlobClient, detail: str) -> LeaseOutcome:
        current = holder_from_metadata(blob.get_blob_properties().metadata)
        if current is not None and not current.released_at:
            return self._outcome(
                blob,
                granted=False,
                holder=current,
                detail=f"{detail}: the plan's run lease is held by {current.describe()}",
            )
        # Leased, but by a holder that has not written its facts (yet, or ever: it crashed right after).
        last = f"; the last recorded holder, {current.describe()}, released it" if current else ""
        return self._outcome(
            blob, granted=False, detail=f"{detail}: the plan's run lease is held by a run that wrote no facts{last}"
        )

    def acquire(self, request: LeaseRequest, holder: LeaseHolder) -> LeaseOutcome:
        lease_id = lease_id_for(request.run_id)
        with self.target.container_client() as container:
            blob, props = self._blob(container)
            seen = holder_from_metadata(props.metadata)
            broken: LeaseHolder | None = None
            try:
                BlobLeaseClient(blob, lease_id).acquire(lease_duration=-1)
            except HttpResponseError as exc:
                if _code(exc) != "LeaseAlreadyPresent":
                    raise
                if not request.break_lease:
                    return self._refused(blob, "refused; if that run is gone, run again with --break-lease")
                try:
                    # Break exactly the lease whose holder we read: a holder that changed meanwhile
                    # (another break, a release and a new run) is not broken blind.
                    BlobLeaseClient(blob).break_lease(
                        lease_break_period=0, etag=props.etag, match_condition=MatchConditions.IfNotModified
                    )
                    BlobLeaseClient(blob, lease_id).acquire(lease_duration=-1)
                except HttpResponseError as again:
                    if again.status_code not in (409, 412):
                        raise
                    return self._refused(blob, "not broken: the lease changed hands while breaking it")
                broken = seen
                holder = holder.model_copy(update={"broke": seen.run_id if seen else "(unknown holder)"})
            if seen and seen.run_id == request.run_id and not seen.released_at and broken is None:
                holder = seen  # this run's own lease again (a resume): keep when it was first taken
            try:
                blob.set_blob_metadata(metadata_of(holder), lease=lease_id)
            except HttpResponseError as exc:
                if exc.status_code != 412:
                    raise
                return self._refused(blob, "lost: another run broke the lease while this run was taking it")
            detail = f"broke the lease of {broken.describe()}" if broken else "acquired"
            if broken is None and request.break_lease:
                detail = "acquired (nothing to break: the lease was free)"
            return self._outcome(blob, granted=True, holder=holder, broken_holder=broken, detail=detail)

    def release(self, request: LeaseRequest, released_at: str) -> LeaseOutcome:
        lease_id = lease_id_for(request.run_id)
        with self.target.container_client() as container:
            blob = container.get_blob_client(self.blob_name)
            try:
                props = blob.get_blob_properties()
            except ResourceNotFoundError:
                return self._outcome(blob, granted=False, detail="was not held (there is no lease blob)")
            current = holder_from_metadata(props.metadata)
            if props.lease.state != "leased":
                return self._outcome(
                    blob, granted=False, holder=current, detail=f"was not held (the lease is {props.lease.state})"
                )
            try:
                if current is not None and current.run_id == request.run_id:
                    done = current.model_copy(update={"released_at": released_at})
                    blob.set_blob_metadata(metadata_of(done), lease=lease_id)
                BlobLeaseClient(blob, lease_id).release()
            except HttpResponseError as exc:
                if exc.status_code not in (409, 412):
                    raise
                who = current.describe() if current else "another run"
                return self._outcome(
                    blob, granted=False, holder=current, detail=f"held by {who}, not this run; left as it is"
                )
            return self._outcome(blob, granted=False, released=True, holder=current, detail="released")
