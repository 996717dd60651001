"""Helpers for tests and tools that talk to a running emulator (shipped as a module, as durabletask's
`testing` is): build real SDK clients against it, make raw HTTPS calls, fetch a token, wait for its
threads, read its request log and its env file, and write a scale set body as the app writes one.

Clients use DefaultAzureCredential with nothing but the emulator's env vars, which must be in
`os.environ` when a token is fetched (MSAL reads IDENTITY_ENDPOINT per request).
"""

from __future__ import annotations

import json
import os
import shlex
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
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


def wait_until(condition: Callable[[], Any], *, timeout: float = 30.0, what: str = "the condition") -> Any:
    """Poll `condition` every 10 ms until it is truthy and return it; AssertionError after `timeout`
    real seconds. For waiting on the emulator's threads (a held request, a log entry), not on time."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.01)


def logged(emulator: Emulator, path_part: str) -> list[dict[str, Any]]:
    """The emulator's request log entries whose path contains `path_part` (case-insensitive)."""
    with emulator.state.lock:
        return [dict(e) for e in emulator.state.request_log if path_part.lower() in e["path"].lower()]


def read_env_file(path: Path) -> dict[str, str]:
    """The variables of an env file `Emulator.write_env_file` wrote (`export NAME=value`, shell-quoted)."""
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").partition("=")
            values[name] = shlex.split(value)[0] if value else ""
    return values


def scale_set_body(
    *, image: str, subnet: str, backend_pool: str, capacity: int, location: str, sku: str = "Standard_D2s_v5"
) -> dict[str, Any]:
    """A scale set as the app defines one (gallery image, subnet, backend pool, capacity), as the
    JSON body of a PUT; SDK clients take it as is."""
    ip_config: dict[str, Any] = {"subnet": {"id": subnet}, "loadBalancerBackendAddressPools": [{"id": backend_pool}]}
    nic = {
        "name": "nic",
        "properties": {"primary": True, "ipConfigurations": [{"name": "ip", "properties": ip_config}]},
    }
    return {
        "location": location,
        "sku": {"name": sku, "capacity": capacity},
        "properties": {
            "upgradePolicy": {"mode": "Manual"},
            "virtualMachineProfile": {
                "storageProfile": {"imageReference": {"id": image}},
                "osProfile": {"computerNamePrefix": "web", "adminUsername": "azure", "adminPassword": "S3cret!"},
                "networkProfile": {"networkInterfaceConfigurations": [nic]},
            },
        },
    }
