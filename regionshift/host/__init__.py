"""The embedded Durable host: runs the app's orchestrators and activities without Azure.

It replays the very orchestrators registered in the `df.DFApp` through the Durable SDK's own
replay entry point, keeps history in SQLite and resumes after a crash, with the Durable
extension's limits (see `limits`). See `DurableHost`.
"""

from regionshift.host.clock import Clock, ScaledClock, SystemClock
from regionshift.host.host import DurableHost, InstancePage, everything
from regionshift.host.lock import StateInUse
from regionshift.host.options import HostConfigError, HostOptions, OverridableStates
from regionshift.host.status import (
    HostError,
    InstanceAlreadyRunning,
    InstanceNotFound,
    InstanceStatus,
    InvalidInstanceState,
    RuntimeStatus,
    StateStoreError,
    UnknownFunction,
)

__all__ = [
    "Clock",
    "DurableHost",
    "HostConfigError",
    "HostError",
    "HostOptions",
    "InstanceAlreadyRunning",
    "InstanceNotFound",
    "InstancePage",
    "InstanceStatus",
    "InvalidInstanceState",
    "OverridableStates",
    "RuntimeStatus",
    "ScaledClock",
    "StateInUse",
    "StateStoreError",
    "SystemClock",
    "UnknownFunction",
    "everything",
]
