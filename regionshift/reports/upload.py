"""Upload a report's files to an Azure Blob Storage container.

The container is the plan's `reports` section, else the one the environment names
(`REGIONSHIFT_REPORTS_STORAGE_ACCOUNT_URL`, `REGIONSHIFT_REPORTS_CONTAINER`, default
`regionshift-reports`: what infra/ creates), so one app setting keeps every plan's reports.
In Azure the Functions app's managed identity signs in through DefaultAzureCredential (it needs the
Storage Blob Data Contributor role on the container). For Azurite and development a connection string
from the environment (`REGIONSHIFT_REPORTS_CONNECTION_STRING`) is used instead: secrets never go in
the plan file, which only names the account URL and the container.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from azure.core.exceptions import AzureError, ResourceExistsError, ResourceNotFoundError
from azure.storage.blob import ContainerClient, ContentSettings

from regionshift.errors import RegionshiftError
from regionshift.plan.models import PlanContext

CONNECTION_STRING_ENV = "REGIONSHIFT_REPORTS_CONNECTION_STRING"
ACCOUNT_URL_ENV = "REGIONSHIFT_REPORTS_STORAGE_ACCOUNT_URL"
CONTAINER_ENV = "REGIONSHIFT_REPORTS_CONTAINER"
DEFAULT_CONTAINER = "regionshift-reports"
CA_BUNDLE_ENV = "REGIONSHIFT_CA_BUNDLE"
RETRY_TOTAL_ENV = "REGIONSHIFT_RETRY_TOTAL"  # azure-core's retries per request, as for ARM clients
TIMEOUT_ENV = "REGIONSHIFT_REPORTS_TIMEOUT"  # seconds to connect, and to get an answer, per attempt
# An unreachable account must not hold a run's end: with Storage's defaults (20 s to connect, 60 s
# to read, 3 retries 15 s + 3^n s apart: azure-storage-blob's `_shared/constants.py` and
# `ExponentialRetry`) a command waited ~85 s with no output. A report is a few hundred KB, so
# these bounds are ample for it; the problem line says them (`bound_words`).
UPLOAD_TIMEOUT = 10.0
UPLOAD_CONNECT_TIMEOUT = 5.0
UPLOAD_RETRIES = 1  # one retry, about a second later
UPLOAD_BOUND_SECONDS = int((UPLOAD_RETRIES + 1) * (UPLOAD_CONNECT_TIMEOUT + UPLOAD_TIMEOUT) + 2 * UPLOAD_RETRIES)
_CONTENT_TYPES = {".json": "application/json", ".html": "text/html; charset=utf-8"}


class ReportUploadError(RegionshiftError):
    """The report was written locally but could not be uploaded; `paths` are the local files."""

    def __init__(self, message: str, paths: list[Path]) -> None:
        self.paths = paths
        super().__init__(message)


@dataclass(frozen=True)
class BlobTarget:
    """Where reports go: `<account_url>/<container>/<prefix><file name>`."""

    account_url: str
    container: str
    prefix: str = ""
    # Account-key auth for Azurite and development; kept out of repr so it never lands in a log.
    connection_string: str | None = field(default=None, repr=False)
    # A TokenCredential; None means DefaultAzureCredential (managed identity in Azure).
    credential: Any = field(default=None, repr=False)
    ca_bundle: str | None = None
    retry_total: int | None = None  # at most UPLOAD_RETRIES
    timeout: float = UPLOAD_TIMEOUT  # per attempt: to get an answer (and, up to UPLOAD_CONNECT_TIMEOUT, to connect)

    @classmethod
    def from_settings(
        cls, account_url: str, container: str, *, prefix: str = "", env: Mapping[str, str] | None = None
    ) -> BlobTarget:
        """A target for the plan's `reports` section, with secrets and trust read from the environment."""
        env = os.environ if env is None else env
        return cls(
            account_url=account_url,
            container=container,
            prefix=prefix,
            connection_string=env.get(CONNECTION_STRING_ENV) or None,
            ca_bundle=env.get(CA_BUNDLE_ENV) or None,
            retry_total=int(env[RETRY_TOTAL_ENV]) if env.get(RETRY_TOTAL_ENV) else None,
            timeout=float(env[TIMEOUT_ENV]) if env.get(TIMEOUT_ENV) else UPLOAD_TIMEOUT,
        )

    @classmethod
    def for_plan(cls, plan: PlanContext, env: Mapping[str, str] | None = None) -> BlobTarget | None:
        """Where the plan's reports go (blobs under `<plan name>/`): its `reports` section, else the
        environment's account; None when neither names one."""
        env = os.environ if env is None else env
        if plan.reports is not None:
            account_url, container = plan.reports.storage_account_url, plan.reports.container
        elif env.get(ACCOUNT_URL_ENV):
            account_url, container = env[ACCOUNT_URL_ENV], env.get(CONTAINER_ENV) or DEFAULT_CONTAINER
        else:
            return None
        return cls.from_settings(account_url, container, prefix=f"{plan.name}/", env=env)

    @property
    def retries(self) -> int:
        return min(UPLOAD_RETRIES, self.retry_total if self.retry_total is not None else UPLOAD_RETRIES)

    def bound_words(self) -> str:
        """How long an upload may take before it is given up, in words."""
        attempts = self.retries + 1
        return (
            f"gave up after {attempts} attempt{'s' if attempts > 1 else ''} of at most "
            f"{min(UPLOAD_CONNECT_TIMEOUT, self.timeout):g} s to connect and {self.timeout:g} s to answer"
        )

    def container_client(self) -> ContainerClient:
        # The bounds (see UPLOAD_TIMEOUT): timeouts per attempt, few retries, short back-off.
        options: dict[str, Any] = {
            "connection_timeout": min(UPLOAD_CONNECT_TIMEOUT, self.timeout),
            "read_timeout": self.timeout,
            "retry_total": self.retries,
            "initial_backoff": 1,
            "increment_base": 1,
            "random_jitter_range": 1,
        }
        if self.ca_bundle:
            options["connection_verify"] = self.ca_bundle
        if self.connection_string:
            return ContainerClient.from_connection_string(self.connection_string, self.container, **options)
        credential = self.credential
        if credential is None:
            from azure.identity import DefaultAzureCredential  # imported late: slow, and unused with keys

            credential = DefaultAzureCredential()
        return ContainerClient(self.account_url, self.container, credential=credential, **options)


def upload_files(target: BlobTarget, paths: list[Path]) -> list[str]:
    """Upload each file (overwriting a blob of the same name); returns the blob URLs. Raises
    ReportUploadError (carrying `paths`) naming the account and the reason."""
    try:
        contents = {path.name: path.read_bytes() for path in paths}
    except OSError as exc:
        raise ReportUploadError(f"could not read the report to upload it: {exc}", paths) from None
    try:
        return upload_contents(target, contents)
    except ReportUploadError as exc:
        raise ReportUploadError(str(exc), paths) from None


def upload_contents(target: BlobTarget, files: Mapping[str, bytes]) -> list[str]:
    """Upload `{file name: content}` as `<prefix><file name>` blobs (overwriting); the blob URLs.

    The container is created on first use. Raises ReportUploadError naming the account and the
    reason, never a raw SDK traceback.
    """
    urls = []
    try:
        with target.container_client() as container:
            for file_name, data in files.items():
                name = target.prefix + file_name
                suffix = Path(file_name).suffix
                settings = ContentSettings(content_type=_CONTENT_TYPES.get(suffix, "application/octet-stream"))
                try:
                    blob = container.upload_blob(name, data, overwrite=True, content_settings=settings)
                except ResourceNotFoundError:
                    # Only a missing container is worth one retry; creating it needs write access,
                    # which an identity that may upload reports has.
                    with contextlib.suppress(ResourceExistsError):  # another run created it meanwhile
                        container.create_container()
                    blob = container.upload_blob(name, data, overwrite=True, content_settings=settings)
                urls.append(blob.url)
    except (AzureError, ValueError, OSError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ReportUploadError(
            f"could not upload the report to container {target.container!r} at {target.account_url}: {reason} "
            f"({target.bound_words()})",
            [],
        ) from None
    return urls
