"""Azure Monitor query APIs: metrics through ARM, and the Log Analytics query API (`logs_app`)."""

from regionshift_emulator.core.service import ServiceSpec
from regionshift_emulator.services.monitor.models import MonitorBackend
from regionshift_emulator.services.monitor.responses import logs_app
from regionshift_emulator.services.monitor.urls import RULES

SERVICE = ServiceSpec(name="monitor", namespace="Microsoft.Insights", backend=MonitorBackend, rules=RULES)

__all__ = ["SERVICE", "MonitorBackend", "logs_app"]
