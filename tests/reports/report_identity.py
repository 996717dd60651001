"""A stand-in for App Service's managed identity endpoint, so DefaultAzureCredential really runs.

azure-identity's ManagedIdentityCredential reads IDENTITY_ENDPOINT and IDENTITY_HEADER, GETs the
endpoint with `X-IDENTITY-HEADER`, and expects `{access_token, expires_on, resource, token_type}`.
Azurite's OAuth check ("basic") decodes the JWT and checks lifetime, issuer prefix and audience,
not the signature, so an unsigned JWT for the requested resource passes.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def fake_jwt(audience: str, lifetime: int = 3600) -> str:
    now = int(time.time())
    claims = {
        "aud": audience,
        "iss": "https://sts.windows.net/00000000-0000-0000-0000-000000000001/",
        "iat": now - 60,
        "nbf": now - 60,
        "exp": now + lifetime,
        "oid": "regionshift-test",
    }
    return f"{_b64({'alg': 'RS256', 'typ': 'JWT'})}.{_b64(claims)}.c2lnbmF0dXJl"


@dataclass
class IdentityEndpoint:
    url: str
    header: str
    resources: list[str] = field(default_factory=list)  # the resource of every token handed out


@contextmanager
def identity_endpoint() -> Iterator[IdentityEndpoint]:
    header = secrets.token_hex(8)
    endpoint = IdentityEndpoint(url="", header=header)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.headers.get("X-IDENTITY-HEADER") != header:
                self.send_error(401)
                return
            resource = parse_qs(urlsplit(self.path).query).get("resource", [""])[0]
            endpoint.resources.append(resource)
            body = json.dumps(
                {
                    "access_token": fake_jwt(resource),
                    "expires_on": str(int(time.time()) + 3600),
                    "resource": resource,
                    "token_type": "Bearer",
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # keep test output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    endpoint.url = f"http://127.0.0.1:{server.server_address[1]}/msi/token"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield endpoint
    finally:
        server.shutdown()
        server.server_close()
