"""The one client factory: every Azure management client the app uses is built here.

Clients get the credential (azure-identity's DefaultAzureCredential: managed identity in Azure
and against the emulator), the ARM endpoint and the CA bundle from `Settings`. One credential
per factory shares its token cache; clients are kept per thread because azure-core's requests
transport shares a session that is not meant to be used from many threads at once.

A *probe* client makes exactly one attempt with a short timeout: it asks "does this region
answer?" during an outage without waiting through a retry policy's back-off.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from azure.core.credentials import TokenCredential
from azure.core.exceptions import AzureError
from azure.core.pipeline.policies import RetryPolicy
from azure.core.pipeline.transport import RequestsTransport
from azure.core.rest import HttpRequest
from azure.identity import DefaultAzureCredential
from azure.mgmt.authorization import AuthorizationManagementClient
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.cosmosdb import CosmosDBManagementClient
from azure.mgmt.dns import DnsManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.sql import SqlManagementClient

from regionshift.azure.budget import Budget, BudgetPolicy
from regionshift.settings import Settings

PROBE_TIMEOUT_SECONDS = 20


class AzureClients:
    def __init__(
        self, settings: Settings | None = None, credential: TokenCredential | None = None, *, probing: bool = False
    ) -> None:
        self.settings = settings or Settings.from_env()
        self._credential = credential
        self._probing = probing
        self._lock = threading.Lock()
        self._local = threading.local()
        self._probes: AzureClients | None = None

    @property
    def credential(self) -> TokenCredential:
        with self._lock:
            return self._credential_now()

    def _credential_now(self) -> TokenCredential:  # with the lock held
        if self._credential is None:
            self._credential = DefaultAzureCredential()
        return self._credential

    def probing(self) -> AzureClients:
        """The same factory, but every client is a probe: read-only checks (readiness, dry run)
        must answer "unknown" at once about a region that does not answer, not wait through
        retries, which during an outage would delay the failover they run before. One per factory,
        so its clients (and their connections) are reused across calls."""
        if self._probing:
            return self
        with self._lock:
            if self._probes is None:
                self._probes = AzureClients(self.settings, self._credential_now(), probing=True)
            return self._probes

    def sql(self, subscription_id: str, *, probe: bool = False) -> SqlManagementClient:
        return self._client(SqlManagementClient, subscription_id, probe)

    def cosmos(self, subscription_id: str, *, probe: bool = False) -> CosmosDBManagementClient:
        return self._client(CosmosDBManagementClient, subscription_id, probe)

    def compute(self, subscription_id: str, *, probe: bool = False) -> ComputeManagementClient:
        return self._client(ComputeManagementClient, subscription_id, probe)

    def resources(self, subscription_id: str, *, probe: bool = False) -> ResourceManagementClient:
        return self._client(ResourceManagementClient, subscription_id, probe)

    def dns(self, subscription_id: str, *, probe: bool = False) -> DnsManagementClient:
        return self._client(DnsManagementClient, subscription_id, probe)

    def authorization(self, subscription_id: str) -> AuthorizationManagementClient:
        """Role-based access control: the readiness checks ask what the caller may do."""
        return self._client(AuthorizationManagementClient, subscription_id, False)

    def probe_url(self, url: str) -> tuple[int | None, str]:
        """GET a data-plane endpoint without credentials, once, with the probe timeout: (HTTP status,
        or None when nothing answered; a one-line detail). A region's endpoint that answers 401
        (no credentials) is up; one that does not answer is not (regionshift.safety)."""
        transport = self._local.__dict__.get("probe_transport")
        if transport is None:
            transport = self._local.probe_transport = RequestsTransport(
                connection_verify=self.settings.ca_bundle or True,
                connection_timeout=PROBE_TIMEOUT_SECONDS,
                read_timeout=PROBE_TIMEOUT_SECONDS,
            )
        try:
            response = transport.send(HttpRequest("GET", url))
        except AzureError as exc:
            return None, f"{type(exc).__name__}: {str(exc.message).splitlines()[0][:200]}"
        return response.status_code, f"HTTP {response.status_code}"

    def _client(self, cls: Any, subscription_id: str, probe: bool) -> Any:
        probe = probe or self._probing
        cache: dict[tuple[Any, ...], Any] = self._local.__dict__.setdefault("clients", {})
        key = (cls, subscription_id, probe)
        if key not in cache:
            cache[key] = cls(
                credential=self.credential,
                subscription_id=subscription_id,
                base_url=self.settings.arm_endpoint,
                credential_scopes=[self.settings.scope],
                polling_interval=self.settings.polling_interval,
                transport=self._transport(probe),
                # A probe asks once (a region that does not answer must say so at once), but a 429
                # is ARM's budget, not the region's health: that it waits out and asks again.
                retry_policy=ThrottleRetryPolicy() if probe else RetryPolicy(retry_total=self.settings.retry_total),
                per_retry_policies=[BudgetPolicy(_budget(self.settings))],
            )
        return cache[key]

    def _transport(self, probe: bool) -> RequestsTransport:
        """This thread's HTTP transport, shared by every client (of every factory) on the thread:
        one connection pool per thread, so a read reuses a kept-alive connection instead of paying
        a TLS handshake (one client per service and subscription would each open their own)."""
        key = (self.settings.ca_bundle, probe)
        transports: dict[tuple[Any, ...], RequestsTransport] = _THREAD.__dict__.setdefault("transports", {})
        if key not in transports:
            options: dict[str, Any] = {
                "connection_verify": self.settings.ca_bundle or True,
                "use_env_settings": _environment_matters(self.settings.ca_bundle),
            }
            if probe:
                options.update(connection_timeout=PROBE_TIMEOUT_SECONDS, read_timeout=PROBE_TIMEOUT_SECONDS)
            transports[key] = RequestsTransport(**options)
        return transports[key]


def _environment_matters(ca_bundle: str | None) -> bool:
    """Whether requests' reading of the environment on every request changes anything: proxies
    (HTTPS_PROXY, NO_PROXY, ...) always would, a CA bundle variable only when no CA is given here.
    Without them, trusting the environment costs a scan of os.environ per request (a fifth of a
    read's CPU in the benchmark) for nothing."""
    names = [name.lower() for name in os.environ]
    if any("proxy" in name for name in names):
        return True
    return not ca_bundle and any(name in ("requests_ca_bundle", "curl_ca_bundle") for name in names)


_THREAD = threading.local()
_BUDGETS: dict[float, Budget] = {}
_BUDGETS_LOCK = threading.Lock()


def _budget(settings: Settings) -> Budget:
    """The process's ARM budget (one per time scale: tests and `--simulate` compress time)."""
    with _BUDGETS_LOCK:
        return _BUDGETS.setdefault(settings.arm_budget_scale, Budget(settings.arm_budget_scale))


class ThrottleRetryPolicy(RetryPolicy):
    """Retries only what ARM throttled (429, after its Retry-After), a few times; nothing else."""

    def __init__(self) -> None:
        super().__init__(retry_total=4, retry_connect=0, retry_read=0, retry_status=4, retry_backoff_factor=0.5)

    def is_retry(self, settings: dict[str, Any], response: Any) -> bool:
        return bool(settings["total"]) and response.http_response.status_code == 429


_default: AzureClients | None = None
_default_lock = threading.Lock()


def default_clients() -> AzureClients:
    """The process-wide factory, built from the environment on first use (activities use it)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = AzureClients()
        return _default


def reset_default_clients() -> None:
    """Forget the process-wide factory, so the next use reads the environment again."""
    global _default
    with _default_lock:
        _default = None
