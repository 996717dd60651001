"""ARM errors: each class carries the ARM error code and HTTP status, moto-style.

Raise them anywhere below a handler; the app renders `{"error": {"code", "message"}}` with the
status. Messages follow ARM's wording where it is known, because scripts and the Azure CLI print them.
"""

from __future__ import annotations

from typing import Any


class ArmError(Exception):
    """Base of every error the emulator answers with. Subclasses set `status` and `code`."""

    status = 400
    code = "BadRequest"
    # How the answer is delivered: None (an HTTP answer), "hang" (held, then 504) or "reset" (dropped).
    connection: str | None = None
    hold_seconds = 0.0

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        headers: dict[str, str] | None = None,
        details: list[dict[str, Any]] | None = None,
        connection: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.headers = headers or {}
        self.details = details
        if connection is not None:
            self.connection = connection

    def error(self) -> dict[str, Any]:
        """The inner `error` object (also the `error` of a Failed async operation)."""
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body

    def body(self) -> dict[str, Any]:
        return {"error": self.error()}


class BadRequest(ArmError):
    status, code = 400, "BadRequest"


class InvalidRequestContent(ArmError):
    status, code = 400, "InvalidRequestContent"


class MissingApiVersion(ArmError):
    status, code = 400, "MissingApiVersionParameter"

    def __init__(self) -> None:
        super().__init__("The api-version query parameter (?api-version=) is required for all requests.")


class AuthenticationFailed(ArmError):
    status, code = 401, "AuthenticationFailed"


class InvalidAuthenticationToken(ArmError):
    status, code = 401, "InvalidAuthenticationToken"


class ExpiredAuthenticationToken(ArmError):
    status, code = 401, "ExpiredAuthenticationToken"


class ResourceNotFound(ArmError):
    status, code = 404, "ResourceNotFound"


class ResourceGroupNotFound(ArmError):
    status, code = 404, "ResourceGroupNotFound"

    def __init__(self, name: str) -> None:
        super().__init__(f"Resource group '{name}' could not be found.")


class InvalidResourceType(ArmError):
    status, code = 404, "InvalidResourceType"


class MethodNotAllowed(ArmError):
    status, code = 405, "MethodNotAllowed"


class Conflict(ArmError):
    status, code = 409, "Conflict"


class PreconditionFailed(ArmError):
    status, code = 412, "PreconditionFailed"


class TooManyRequests(ArmError):
    status, code = 429, "TooManyRequests"


class InternalServerError(ArmError):
    status, code = 500, "InternalServerError"


class ServiceUnavailable(ArmError):
    status, code = 503, "ServiceUnavailable"


class AuthorizationFailed(ArmError):
    """403 for an action the caller's role does not grant, worded as ARM words it (Learn, "Troubleshoot
    Azure RBAC": "The client '...' with object id '...' does not have authorization to perform action
    '...' over scope '...' or the scope is invalid.")."""

    status, code = 403, "AuthorizationFailed"

    def __init__(self, principal_id: str, action: str, scope: str) -> None:
        super().__init__(
            f"The client '{principal_id}' with object id '{principal_id}' does not have authorization to perform "
            f"action '{action}' over scope '{scope}' or the scope is invalid. If access was recently granted, "
            "please refresh your credentials."
        )
