"""Microsoft.Authorization: the caller's permissions at a scope (what the readiness checks ask)."""

from regionshift_emulator.core.service import ServiceSpec
from regionshift_emulator.services.authorization.models import AuthorizationBackend
from regionshift_emulator.services.authorization.urls import RULES

SERVICE = ServiceSpec(
    name="authorization", namespace="Microsoft.Authorization", backend=AuthorizationBackend, rules=RULES
)

__all__ = ["SERVICE", "AuthorizationBackend"]
