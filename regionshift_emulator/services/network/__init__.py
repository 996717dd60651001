"""Microsoft.Network: virtual networks with subnets and load balancers with backend pools, as far
as scale sets reference them (reads, and synchronous PUT of a network or load balancer)."""

from regionshift_emulator.core.service import ServiceSpec
from regionshift_emulator.services.network.models import NetworkBackend
from regionshift_emulator.services.network.urls import RULES

SERVICE = ServiceSpec(name="network", namespace="Microsoft.Network", backend=NetworkBackend, rules=RULES)
