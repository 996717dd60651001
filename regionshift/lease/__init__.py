"""One run per plan across every host: the run lease each run must hold before any write.

A failover, failback or drill takes the plan's lease first (the `acquire_run_lease` activity) and
lets it go at its end (`release_run_lease`). Where the lease lives decides who it excludes:
- **blob** (cross-host): an infinite lease on the blob `<plan>.lease` in a container of a storage
  account in the secondary region, which the Functions app and every laptop can reach. Named by
  the plan's `lock: {storage_account_url, container}`, else by `REGIONSHIFT_LOCK_STORAGE_URL`
  (container `REGIONSHIFT_LOCK_CONTAINER`, default `regionshift-leases`). The app's identity signs
  in through DefaultAzureCredential; `REGIONSHIFT_LOCK_CONNECTION_STRING` (Azurite, development)
  signs in with a key instead and alone is enough to name the account. See `regionshift.lease.blob`.
- **local** (this machine only), when nothing names storage: a lease file in
  `REGIONSHIFT_LEASE_DIR`. See `regionshift.lease.local`. `lease_readiness` warns about it.

Nothing here raises for an expected answer: a refusal, a broken lease, storage that cannot be
reached all come back as a `LeaseOutcome` (`granted: false`, and `error: true` when the lease could
not be decided), so the orchestrator stops before its first write and its report says why.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from datetime import UTC, datetime

from azure.core.exceptions import AzureError, ResourceNotFoundError
from azure.storage.blob import BlobServiceClient
from pydantic import ValidationError

from regionshift.azure.outcomes import Step, describe_error
from regionshift.contracts import StepOutcome
from regionshift.lease.blob import BlobLease
from regionshift.lease.local import LEASE_DIR_ENV, LocalLease, lease_dir
from regionshift.lease.model import LeaseHolder, LeaseOutcome, LeaseRequest, lease_id_for
from regionshift.plan.models import LockSettings, PlanContext
from regionshift.reports.upload import CA_BUNDLE_ENV, BlobTarget

LOCK_STORAGE_URL_ENV = "REGIONSHIFT_LOCK_STORAGE_URL"
LOCK_CONTAINER_ENV = "REGIONSHIFT_LOCK_CONTAINER"
LOCK_CONNECTION_STRING_ENV = "REGIONSHIFT_LOCK_CONNECTION_STRING"

__all__ = [
    "LEASE_DIR_ENV",
    "LOCK_CONNECTION_STRING_ENV",
    "LOCK_CONTAINER_ENV",
    "LOCK_STORAGE_URL_ENV",
    "LeaseHolder",
    "LeaseOutcome",
    "LeaseRequest",
    "acquire_lease",
    "lease_backend",
    "lease_id_for",
    "lease_readiness",
    "release_lease",
]


def _blob_target(plan: PlanContext, env: Mapping[str, str]) -> BlobTarget | None:
    connection_string = env.get(LOCK_CONNECTION_STRING_ENV) or None
    # The account a connection string signs in to (parsing it does no I/O).
    keyed = BlobServiceClient.from_connection_string(connection_string).url.rstrip("/") if connection_string else None
    if plan.lock is not None:
        settings, named_by = plan.lock, "the plan's lock"
    elif env.get(LOCK_STORAGE_URL_ENV) or keyed:
        container = env.get(LOCK_CONTAINER_ENV) or LockSettings.model_fields["container"].default
        url = env.get(LOCK_STORAGE_URL_ENV) or keyed or ""
        settings, named_by = LockSettings(storage_account_url=url, container=container), LOCK_STORAGE_URL_ENV
    else:
        return None
    if keyed and keyed.lower() != settings.storage_account_url.lower():
        # Runs elsewhere lease in the named account: one leasing in another would exclude nobody.
        raise ValueError(
            f"{LOCK_CONNECTION_STRING_ENV} signs in to {keyed}, but {named_by} names {settings.storage_account_url}"
        )
    return BlobTarget(
        account_url=settings.storage_account_url,
        container=settings.container,
        connection_string=connection_string,
        ca_bundle=env.get(CA_BUNDLE_ENV) or None,
    )


def lease_backend(plan: PlanContext, env: Mapping[str, str] | None = None) -> BlobLease | LocalLease:
    """The plan's lease: on blob storage when the plan or the environment names some, else local.

    Raises ValueError (a pydantic ValidationError) when the environment names storage badly."""
    env = os.environ if env is None else env
    target = _blob_target(plan, env)
    if target is not None:
        return BlobLease(target, plan.name)
    return LocalLease(lease_dir(env), plan.name, socket.gethostname())


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _failed(backend: str, what: str, exc: Exception) -> LeaseOutcome:
    if isinstance(exc, ValidationError):
        reason = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'input'}: {e['msg']}" for e in exc.errors())
    elif isinstance(exc, AzureError):
        reason = describe_error(exc)
    else:
        reason = str(exc) or type(exc).__name__
    detail = f"could not {what} the run lease: {reason.splitlines()[0] if reason else type(exc).__name__}"
    return LeaseOutcome(granted=False, backend=backend, error=True, detail=detail)  # type: ignore[arg-type]


def acquire_lease(request: LeaseRequest, env: Mapping[str, str] | None = None) -> LeaseOutcome:
    """Take the plan's lease for this run (again, if it already holds it), or say who holds it."""
    backend = "local"
    try:
        plan = PlanContext.model_validate(request.plan)
        lease = lease_backend(plan, env)
        backend = lease.backend
        holder = LeaseHolder(
            plan=plan.name,
            operation=request.operation,
            instance_id=request.instance_id,
            run_id=request.run_id,
            started_by=request.started_by,
            host=socket.gethostname(),
            acquired_at=_now(),
            pid=os.getpid() if isinstance(lease, LocalLease) else None,
        )
        return lease.acquire(request, holder)
    except (AzureError, OSError, ValueError) as exc:
        return _failed(backend, "take", exc)


def release_lease(request: LeaseRequest, env: Mapping[str, str] | None = None) -> LeaseOutcome:
    """Let the plan's lease go if this run holds it; another run's lease is left as it is."""
    backend = "local"
    try:
        lease = lease_backend(PlanContext.model_validate(request.plan), env)
        backend = lease.backend
        if isinstance(lease, BlobLease):
            return lease.release(request, released_at=_now())
        return lease.release(request)
    except (AzureError, OSError, ValueError) as exc:
        return _failed(backend, "release", exc)


def lease_readiness(plan: PlanContext, env: Mapping[str, str] | None = None) -> StepOutcome:
    """The readiness check `run_lease`: does a lease exclude runs on *other* hosts too?

    Only local (this machine): `failed` with `data.advisory = true`, a warning that must not block a
    run (the local lease still excludes runs here). Blob storage named: its container is read
    (a missing container is fine: the first run creates it); storage that cannot be read is
    `failed` without `advisory`, since every run would then be refused its lease.
    """
    step = Step("check", f"run lease of plan {plan.name}", "run_lease")
    env = os.environ if env is None else env
    try:
        lease = lease_backend(plan, env)
    except ValueError as exc:
        return step.failed(_failed("blob", "name", exc).detail)
    if isinstance(lease, LocalLease):
        return step.failed(
            f"no cross-host run lease: only runs on this machine exclude each other (lease files in "
            f"{lease.folder}); name a storage account in the secondary region in the plan's `lock`, "
            f"or set {LOCK_STORAGE_URL_ENV}",
            advisory=True,
            backend="local",
        )
    where = f"{lease.target.account_url}/{lease.target.container}"
    try:
        with lease.target.container_client() as container:
            container.get_container_properties()
    except ResourceNotFoundError:
        return step.done(f"cross-host lease in {where} (the container is created by the first run)", backend="blob")
    except AzureError as exc:
        return step.failed(f"the run lease storage {where} cannot be read: {describe_error(exc)}", backend="blob")
    return step.done(f"cross-host lease in {where}", backend="blob")
