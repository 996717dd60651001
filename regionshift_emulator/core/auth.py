"""Tokens: the App Service managed-identity endpoint that issues them, and the check ARM applies.

Tokens are JWTs signed (HS256) with a secret made at start, so only this emulator's tokens pass
and the Azure CLI, which decodes tokens, can read them. The identity endpoint is plain HTTP on
loopback, as App Service's is (`IDENTITY_ENDPOINT=http://127.0.0.1:PORT/msi/token`); azure-identity
and MSAL send `X-IDENTITY-HEADER` and `resource` with api-version 2019-08-01.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from typing import Any

import jwt
from werkzeug.wrappers import Request, Response

from regionshift_emulator.core.errors import (
    AuthenticationFailed,
    ExpiredAuthenticationToken,
    InvalidAuthenticationToken,
)

TOKEN_LIFETIME = 24 * 3600  # real seconds; azure-identity refreshes before expiry anyway
MANAGEMENT_AUDIENCES = {
    "https://management.azure.com",
    "https://management.core.windows.net",
}


class TokenIssuer:
    def __init__(self, tenant_id: str) -> None:
        self.tenant_id = tenant_id
        self.identity_header = secrets.token_urlsafe(24)
        self.principal_id = str(uuid.uuid4())
        self.client_id = str(uuid.uuid4())
        self._secret = secrets.token_bytes(32)

    def issue(self, resource: str) -> dict[str, Any]:
        now = int(time.time())
        claims = {
            "aud": resource,
            "iss": f"https://sts.windows.net/{self.tenant_id}/",
            "tid": self.tenant_id,
            "oid": self.principal_id,
            "sub": self.principal_id,
            "appid": self.client_id,
            "idtyp": "app",
            "iat": now,
            "nbf": now,
            "exp": now + TOKEN_LIFETIME,
        }
        token = jwt.encode(claims, self._secret, algorithm="HS256")
        return {
            "access_token": token,
            "expires_on": str(now + TOKEN_LIFETIME),
            "resource": resource,
            "token_type": "Bearer",
            "client_id": self.client_id,
        }

    def check(self, authorization: str | None) -> dict[str, Any]:
        """The token's claims, or the 401 ARM would answer (codes as ARM spells them)."""
        if not authorization:
            raise AuthenticationFailed(
                "Authentication failed. The 'Authorization' header is missing.",
                headers=self.challenge("The authentication failed because of missing 'Authorization' header."),
            )
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationFailed(
                "Authentication failed. The 'Authorization' header is provided in an invalid format.",
                headers=self.challenge("The 'Authorization' header is provided in an invalid format."),
            )
        try:
            claims: dict[str, Any] = jwt.decode(
                token.strip(), self._secret, algorithms=["HS256"], options={"verify_aud": False}
            )
        except jwt.ExpiredSignatureError:
            raise ExpiredAuthenticationToken(
                "The access token expiry UTC time is earlier than current UTC time.",
                headers=self.challenge("The access token has expired."),
            ) from None
        except jwt.InvalidTokenError:
            raise InvalidAuthenticationToken(
                "The access token is invalid.", headers=self.challenge("The access token is invalid.")
            ) from None
        audience = str(claims.get("aud", "")).rstrip("/")
        if audience not in MANAGEMENT_AUDIENCES:
            raise InvalidAuthenticationToken(
                f"The access token has been obtained for wrong audience or resource '{claims.get('aud')}'. "
                "It should exactly match with one of the allowed audiences "
                "'https://management.core.windows.net/','https://management.azure.com/'.",
                headers=self.challenge("The access token has been obtained for wrong audience."),
            )
        return claims

    def challenge(self, description: str) -> dict[str, str]:
        return {
            "WWW-Authenticate": (
                f'Bearer authorization_uri="https://login.windows.net/{self.tenant_id}", '
                f'error="invalid_token", error_description="{description}"'
            )
        }


def identity_app(issuer: TokenIssuer) -> Any:
    """WSGI app of the managed-identity endpoint (`GET /msi/token`)."""

    def answer(status: int, body: dict[str, Any]) -> Response:
        return Response(json.dumps(body), status=status, content_type="application/json")

    @Request.application
    def app(request: Request) -> Response:
        if request.path.rstrip("/") != "/msi/token" or request.method != "GET":
            return answer(404, {"statusCode": 404, "message": f"No route for {request.method} {request.path}"})
        if request.headers.get("X-IDENTITY-HEADER") != issuer.identity_header:
            return answer(401, {"statusCode": 401, "message": "X-IDENTITY-HEADER is missing or wrong"})
        if request.args.get("api-version") != "2019-08-01":
            return answer(400, {"statusCode": 400, "message": "api-version must be 2019-08-01"})
        resource = request.args.get("resource")
        if not resource:
            return answer(400, {"statusCode": 400, "message": "resource is required"})
        return answer(200, issuer.issue(resource))

    return app
