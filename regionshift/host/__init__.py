"""The embedded Durable host: runs the app's orchestrators and activities without Azure.

It replays the very orchestrators registered in the `df.DFApp` through the Durable SDK's own
replay entry point, keeps history in SQLite and resumes after a crash. See `DurableHost`.
"""

from regionshift.host.clock import Clock, ScaledClock, SystemClock
from regionshift.host.host import DurableHost
from regionshift.host.status import (
    HostError,
    InstanceAlreadyRunning,
    InstanceNotFound,
    InstanceStatus,
    RuntimeStatus,
    UnknownFunction,
)

__all__ = [
    "Clock",
    "DurableHost",
    "HostError",
    "InstanceAlreadyRunning",
    "InstanceNotFound",
    "InstanceStatus",
    "RuntimeStatus",
    "ScaledClock",
    "SystemClock",
    "UnknownFunction",
]
