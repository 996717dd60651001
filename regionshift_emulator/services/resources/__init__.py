"""Microsoft.Resources: resource groups (create or update, get, check existence, delete with cascade)."""

from regionshift_emulator.core.service import ServiceSpec
from regionshift_emulator.services.resources.models import DELETE_OPERATION, ResourceGroupsBackend
from regionshift_emulator.services.resources.urls import RULES

SERVICE = ServiceSpec(
    name="resources",
    namespace="Microsoft.Resources",
    backend=ResourceGroupsBackend,
    rules=RULES,
    operations={DELETE_OPERATION: 120.0},  # deleting a group takes minutes in Azure
)
