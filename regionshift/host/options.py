"""The host.json settings the embedded host follows, read from the app's own host.json.

Azure's Functions host reads the same file, so a run here is bounded as it is bounded there:
`functionTimeout` (every activity; Microsoft Learn, "host.json reference for Azure Functions 2.x
and later", functionTimeout) and the Durable extension's
`extensions.durableTask.overridableExistingInstanceStates` (what a start on an existing id does;
`DurableTaskOptions.OverridableExistingInstanceStates` in the extension's
Options/DurableTaskOptions.cs, default `NonRunningStates`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from regionshift.host.limits import parse_timespan
from regionshift.host.status import HostError


class OverridableStates(StrEnum):
    """The extension's OverridableStates.cs: may a start replace an instance that is still running?"""

    ANY_STATE = "AnyState"
    NON_RUNNING_STATES = "NonRunningStates"


class HostConfigError(HostError):
    """A host.json value the host cannot follow."""


@dataclass(frozen=True)
class HostOptions:
    """What the host takes from host.json. The defaults (no timeout) suit tests that build a host
    directly; the CLI and `regionshift serve` always read the app's host.json."""

    function_timeout: timedelta | None = None
    overridable_states: OverridableStates = OverridableStates.NON_RUNNING_STATES

    @classmethod
    def from_host_json(cls, path: Path) -> HostOptions:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise HostConfigError(f"{path}: cannot be read ({exc.strerror or exc})") from None
        except ValueError as exc:
            raise HostConfigError(f"{path}: not JSON ({exc})") from None
        if not isinstance(data, dict):
            raise HostConfigError(f"{path}: expected a JSON object")
        return cls(
            function_timeout=_function_timeout(path, data.get("functionTimeout")),
            overridable_states=_overridable_states(path, data),
        )


def _function_timeout(path: Path, value: Any) -> timedelta | None:
    """`functionTimeout`; "-1" is unbounded (host.json reference). Absent, the Flex Consumption
    plan's default applies: 30 minutes (Learn, "Azure Functions hosting options", Function app
    time-out duration), the plan infra/ deploys."""
    if value is None:
        return timedelta(minutes=30)
    if not isinstance(value, str):
        raise HostConfigError(f'{path}: functionTimeout must be a string such as "00:30:00"')
    if value.strip() == "-1":
        return None
    try:
        timeout = parse_timespan(value)
    except ValueError as exc:
        raise HostConfigError(f"{path}: functionTimeout {exc}") from None
    if timeout <= timedelta(0):
        raise HostConfigError(f'{path}: functionTimeout must be positive (or "-1" for none)')
    return timeout


def _overridable_states(path: Path, data: dict[str, Any]) -> OverridableStates:
    durable = ((data.get("extensions") or {}).get("durableTask")) or {}
    value = durable.get("overridableExistingInstanceStates") if isinstance(durable, dict) else None
    if value is None:
        return OverridableStates.NON_RUNNING_STATES
    # .NET reads enum names case-insensitively from configuration
    for state in OverridableStates:
        if isinstance(value, str) and value.lower() == state.value.lower():
            return state
    known = ", ".join(s.value for s in OverridableStates)
    raise HostConfigError(
        f"{path}: extensions.durableTask.overridableExistingInstanceStates {value!r} is not one of {known}"
    )
