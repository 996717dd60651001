"""The emulated Azure services. Add a service by adding its `SERVICE` to `SERVICES` (order is free)."""

from regionshift_emulator.core.service import ServiceSpec
from regionshift_emulator.services import authorization, compute, cosmos, dns, monitor, network, resources, sql

SERVICES: list[ServiceSpec] = [
    resources.SERVICE,
    sql.SERVICE,
    cosmos.SERVICE,
    compute.SERVICE,
    network.SERVICE,
    dns.SERVICE,
    monitor.SERVICE,  # metrics through ARM (the Log Analytics API is a separate app: monitor.logs_app)
    authorization.SERVICE,
]
