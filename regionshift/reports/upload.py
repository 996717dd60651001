"""Upload a report's files to an Azure Blob Storage container.

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
CA_BUNDLE_ENV = "REGIONSHIFT_CA_BUNDLE"
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
        )

    @classmethod
    def for_plan(cls, plan: PlanContext, env: Mapping[str, str] | None = None) -> BlobTarget | None:
        """The plan's `reports` section as a target (blobs under `<plan name>/`), or None if it has none."""
        if plan.reports is None:
            return None
        return cls.from_settings(
            plan.reports.storage_account_url, plan.reports.container, prefix=f"{plan.name}/", env=env
        )

    def container_client(self) -> ContainerClient:
        options: dict[str, Any] = {}
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
    """Upload each file (overwriting a blob of the same name); returns the blob URLs.

    The container is created on first use. Raises ReportUploadError naming the account and the
    reason, never a raw SDK traceback.
    """
    urls = []
    try:
        with target.container_client() as container:
            for path in paths:
                name = target.prefix + path.name
                data = path.read_bytes()
                settings = ContentSettings(content_type=_CONTENT_TYPES.get(path.suffix, "application/octet-stream"))
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
            f"could not upload the report to container {target.container!r} at {target.account_url}: {reason}",
            paths,
        ) from None
    return urls
