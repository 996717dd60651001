"""The plug-in contract of a service: a `ServiceSpec` naming its backend class, routes and operations.

See the package docstring of `regionshift_emulator.core` for the walk-through.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from regionshift_emulator.core.routing import Rule

if TYPE_CHECKING:
    from regionshift_emulator.core.state import EmulatorState

DataPlane = Callable[["EmulatorState", Request], Response]


class Backend:
    """A service's models: state and rules, no HTTP. One instance per emulator.

    Keep ARM resources in `state.store` (so group deletes cascade); keep only what is not a
    resource (e.g. replication lag) on the backend and show it in `snapshot`.
    """

    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    def tick(self) -> None:
        """Called (under the state lock) before every request: apply time-based changes."""

    def snapshot(self) -> dict[str, Any]:
        """Service-specific state for `GET /_emulator/state` (resources show up there anyway)."""
        return {}


@dataclass(frozen=True)
class ServiceSpec:
    name: str  # short key: "sql", "cosmos", "resources", ...; scenario outages name services by it
    backend: type[Backend]
    rules: Sequence[Rule]
    namespace: str = ""  # the ARM namespace answering for it ("Microsoft.Sql"): named in outage errors
    # Long-running operation kinds (e.g. "sql.failover") → default emulated seconds; a scenario's
    # `latencies` may override them by the same key.
    operations: Mapping[str, float] = field(default_factory=dict)
    # Served at /_dataplane/<name>/... without ARM's pipeline (e.g. Cosmos DB's regional endpoints);
    # it may raise ArmError, outage answers included.
    dataplane: DataPlane | None = None
