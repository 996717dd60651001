"""The host's public value types: runtime status, instance status and the errors it raises."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from regionshift.errors import RegionshiftError


class RuntimeStatus(StrEnum):
    """The Durable runtime statuses the host uses (the values are Durable's own spelling)."""

    PENDING = "Pending"
    RUNNING = "Running"
    SUSPENDED = "Suspended"
    COMPLETED = "Completed"
    FAILED = "Failed"
    TERMINATED = "Terminated"

    @property
    def is_terminal(self) -> bool:
        return self in (RuntimeStatus.COMPLETED, RuntimeStatus.FAILED, RuntimeStatus.TERMINATED)


@dataclass
class InstanceStatus:
    """One orchestration instance as `get_status` sees it; input/output/custom_status are JSON values."""

    instance_id: str
    name: str
    runtime_status: RuntimeStatus
    input: Any
    output: Any
    custom_status: Any
    created_at: datetime
    last_updated_at: datetime
    failure: str | None = None

    @property
    def is_terminal(self) -> bool:
        return self.runtime_status.is_terminal


class HostError(RegionshiftError):
    """Base of the errors the embedded Durable host raises on purpose."""


class InstanceAlreadyRunning(HostError):
    """start_new was given the id of an instance that has not finished."""


class InvalidInstanceState(HostError):
    """The instance is in a state the operation does not apply to (e.g. resuming a running one)."""


class InstanceNotFound(HostError, KeyError):
    """No instance has that id."""

    def __str__(self) -> str:  # KeyError quotes its argument; a message reads better
        return str(self.args[0]) if self.args else "instance not found"


class StateStoreError(HostError):
    """The SQLite state store cannot be opened, read or written (corrupt, read-only, full)."""


class UnknownFunction(HostError, ValueError):
    """An orchestrator or activity name that the app does not register."""
