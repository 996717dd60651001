"""Helpers for tests and tools that talk to a running emulator (shipped as a module, as durabletask's
`testing` is): build real SDK clients against it, make raw HTTPS calls, fetch a token.

Clients use DefaultAzureCredential with nothing but the emulator's env vars, which must be in
`os.environ` when a token is fetched (MSAL reads IDENTITY_ENDPOINT per request).
"""

from __future__ import annotations

import json
import os
import ssl
import urllib.error
import urllib.request
from typing import Any, TypeVar

from azure.identity import DefaultAzureCredential

from regionshift_emulator.server import Emulator

C = TypeVar("C")
ARM_SCOPE = "https://management.azure.com/.default"


def sdk_client(emulator: Emulator, cls: type[C], subscription_id: str, **kwargs: Any) -> C:
    """A management client pointed at the emulator; no retries so outages answer at once."""
    if os.environ.get("IDENTITY_ENDPOINT") != emulator.identity_endpoint:
        raise RuntimeError("set the emulator's env vars (emulator.env) in os.environ before using its clients")
    options: dict[str, Any] = {
        "base_url": emulator.url,
        "credential_scopes": [ARM_SCOPE],
        "connection_verify": str(emulator.ca_path),
        "polling_interval": 0.01,
        "retry_total": 0,
    }
    options.update(kwargs)
    return cls(DefaultAzureCredential(), subscription_id, **options)  # type: ignore[call-arg]


def raw(
    emulator: Emulator,
    method: str,
    path: str,
    *,
    body: Any = None,
    token: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], Any]:
    """One HTTPS request to the emulator: (status, headers, parsed JSON body or None)."""
    context = ssl.create_default_context(cafile=str(emulator.ca_path))
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(emulator.url + path.lstrip("/"), data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, context=context) as response:
            status, head, payload = response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        status, head, payload = exc.code, dict(exc.headers), exc.read()
    return status, head, json.loads(payload) if payload else None


def token_for(emulator: Emulator, resource: str = "https://management.azure.com/") -> str:
    """A token from the managed-identity endpoint, fetched over plain HTTP as App Service apps do."""
    query = f"?api-version=2019-08-01&resource={resource}"
    request = urllib.request.Request(emulator.identity_endpoint + query)
    request.add_header("X-IDENTITY-HEADER", emulator.env["IDENTITY_HEADER"])
    with urllib.request.urlopen(request) as response:
        return str(json.loads(response.read())["access_token"])
