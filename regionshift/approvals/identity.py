"""Who is deciding: the signed-in principal, and whether this app can know one at all.

In Azure the identity comes from App Service authentication (Easy Auth), which puts the caller's
claims into request headers: `X-MS-CLIENT-PRINCIPAL-NAME` (a readable name, e.g. the UPN),
`X-MS-CLIENT-PRINCIPAL-ID` (the identity provider's id for the caller) and `-IDP`. "External
requests aren't allowed to set these headers, so they're present only if set by App Service"
(Microsoft Learn, "Work with user identities in Azure App Service authentication",
https://learn.microsoft.com/azure/app-service/configure-authentication-user-identities). The
platform sets `WEBSITE_AUTH_ENABLED=True` when that authentication is on; Microsoft.Identity.Web
reads the same variable to tell (AzureAD/microsoft-identity-web,
src/Microsoft.Identity.Web/AppServicesAuth/AppServicesAuthenticationInformation.cs).

`regionshift serve` has no App Service in front of it, so it strips those headers from every
request, unless a reverse proxy it is told to trust vouches for them: with
`REGIONSHIFT_TRUSTED_PROXY_KEY` set (a secret of at least 32 bytes, off by default), a request
whose `X-Regionshift-Proxy-Key` header carries that secret keeps its principal headers. The proxy
(oauth2-proxy, nginx with auth_request, ...) signs users in, sets the principal headers, and adds
the key header; nothing else on the machine knows the key, so nothing else can pose as a person.

A typed name is never an identity: it is recorded, marked unverified, and never counts toward a
two-person rule (see `regionshift.approvals.ledger`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from regionshift.errors import InputError

PRINCIPAL_HEADERS = (
    "x-ms-client-principal",
    "x-ms-client-principal-name",
    "x-ms-client-principal-id",
    "x-ms-client-principal-idp",
)
PROXY_KEY_ENV = "REGIONSHIFT_TRUSTED_PROXY_KEY"
PROXY_KEY_HEADER = "x-regionshift-proxy-key"
_MIN_PROXY_KEY_BYTES = 32
_MAX_FIELD = 200


@dataclass(frozen=True)
class Principal:
    name: str  # what people read: the UPN or e-mail
    id: str  # what tells two people apart: the identity provider's id (the name when it gives none)
    provider: str = ""


def principal_from_headers(headers: Mapping[str, str]) -> Principal | None:
    """The signed-in caller, from headers the platform (or a trusted proxy) set, else None."""
    lowered = {k.lower(): v for k, v in headers.items()}
    name = (lowered.get("x-ms-client-principal-name") or "").strip()[:_MAX_FIELD]
    principal_id = (lowered.get("x-ms-client-principal-id") or "").strip()[:_MAX_FIELD]
    if not name and not principal_id:
        return None
    provider = (lowered.get("x-ms-client-principal-idp") or "").strip()[:_MAX_FIELD]
    return Principal(name=name or principal_id, id=principal_id or name.lower(), provider=provider)


def trusted_proxy_key(environ: Mapping[str, str] | None = None) -> bytes | None:
    """The key a trusted reverse proxy presents to `regionshift serve`, or None (the default: trust none)."""
    value = (os.environ if environ is None else environ).get(PROXY_KEY_ENV, "")
    if not value:
        return None
    if len(value.encode("utf-8")) < _MIN_PROXY_KEY_BYTES:
        raise InputError(f"{PROXY_KEY_ENV} must be a secret of at least {_MIN_PROXY_KEY_BYTES} bytes")
    return value.encode("utf-8")


def identity_source(environ: Mapping[str, str] | None = None) -> str | None:
    """Where signed-in identities come from in this app, in words; None when nothing signs people in."""
    env = os.environ if environ is None else environ
    if env.get("WEBSITE_AUTH_ENABLED", "").lower() == "true":
        return "App Service authentication"
    if env.get(PROXY_KEY_ENV):
        return "the reverse proxy regionshift serve trusts"
    return None
