"""Microsoft.DocumentDB: Cosmos DB accounts (manual failover, offline region, service-managed failover)
and their regional data-plane endpoints (`dataplane.py`)."""

from regionshift_emulator.core.service import ServiceSpec
from regionshift_emulator.services.cosmos import dataplane
from regionshift_emulator.services.cosmos.models import OFFLINE, PRIORITY_CHANGE, CosmosBackend
from regionshift_emulator.services.cosmos.urls import RULES

SERVICE = ServiceSpec(
    name="cosmos",
    namespace="Microsoft.DocumentDB",
    backend=CosmosBackend,
    rules=RULES,
    operations={PRIORITY_CHANGE: 300.0, OFFLINE: 60.0},  # a manual Cosmos failover takes minutes
    dataplane=dataplane.serve,
)
