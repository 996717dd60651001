"""Microsoft.Compute: virtual machine scale sets (create / scale / delete as long-running
operations, VMs and instance views) and Compute Gallery image versions with regional replicas."""

from regionshift_emulator.core.service import ServiceSpec
from regionshift_emulator.services.compute.models import OPERATIONS, ComputeBackend
from regionshift_emulator.services.compute.urls import RULES

SERVICE = ServiceSpec(
    name="compute", namespace="Microsoft.Compute", backend=ComputeBackend, rules=RULES, operations=OPERATIONS
)
