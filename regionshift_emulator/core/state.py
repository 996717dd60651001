"""The emulator's whole state: clock, scenario, resource store, operations, service backends, request log.

One `RLock` serialises every request that touches state (as moto does): the server is threaded
so slow clients do not block each other, but models never see two requests at once. ARM state is
global (the store); what is regional is health, asked through `region_down` /
`require_region_up`, which read the scenario against the emulator clock.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Sequence
from typing import Any, TypeVar

from regionshift.errors import InputError
from regionshift.plan import Plan
from regionshift_emulator.core.auth import TokenIssuer
from regionshift_emulator.core.clock import Clock
from regionshift_emulator.core.errors import GatewayTimeout
from regionshift_emulator.core.lro import Operations
from regionshift_emulator.core.regions import short_name
from regionshift_emulator.core.scenario import Scenario
from regionshift_emulator.core.service import Backend, ServiceSpec
from regionshift_emulator.core.store import ResourceStore
from regionshift_emulator.core.throttle import Throttle

B = TypeVar("B")
TENANT_ID = "7e57a11e-0000-4000-8000-00000000e0e0"


class EmulatorState:
    def __init__(self, plan: Plan, scenario: Scenario, services: Sequence[ServiceSpec]) -> None:
        self.lock = threading.RLock()
        self.plan = plan
        self.tenant_id = TENANT_ID
        self.issuer = TokenIssuer(TENANT_ID)
        self.clock = Clock(speed=scenario.speed)
        self.store = ResourceStore()
        self.operations = Operations(self.clock)
        self.throttle = Throttle(self.clock)
        self.services = list(services)
        self.operation_defaults: dict[str, float] = {}
        for spec in services:
            self.operation_defaults.update(spec.operations)
        self._backends: dict[type, Backend] = {spec.backend: spec.backend(self) for spec in services}
        self.request_log: deque[dict[str, Any]] = deque(maxlen=10_000)
        self.scenario = Scenario()
        self.set_scenario(scenario)

    # --- scenario and time -------------------------------------------------------------------

    def set_scenario(self, scenario: Scenario) -> None:
        """Replace the scenario (InputError naming an unknown `latencies` key)."""
        unknown = sorted(set(scenario.latencies) - set(self.operation_defaults) - {"default"})
        if unknown:
            known = ", ".join(sorted(self.operation_defaults))
            raise InputError(f"latencies.{unknown[0]}: unknown operation (known: default, {known})")
        with self.lock:
            self.scenario = scenario
            self.clock.set_speed(scenario.speed)
            self.throttle.reset()

    def region_down(self, region: str) -> bool:
        return self.scenario.region_down(region, self.clock.now())

    def require_region_up(self, region: str, namespace: str) -> None:
        """GatewayTimeout (504), as ARM answers when a region's resource provider does not respond."""
        if self.region_down(region):
            raise GatewayTimeout(namespace)

    def outage_age(self, region: str) -> float | None:
        """Emulated seconds the current outage of `region` has lasted, or None when it is up."""
        started = self.scenario.outage_started(region, self.clock.now())
        return None if started is None else self.clock.now() - started

    def operation_duration(self, kind: str) -> float:
        return self.scenario.latency(kind, self.operation_defaults.get(kind, 0.0))

    def tick(self) -> None:
        """Finish due operations, then let each backend apply time-based changes."""
        with self.lock:
            self.operations.tick()
            for backend in self._backends.values():
                backend.tick()

    # --- lookups -------------------------------------------------------------------------------

    def backend(self, cls: type[B]) -> B:
        found = self._backends.get(cls)
        if found is None:
            raise KeyError(f"no service registered with backend {cls.__name__}")
        return found  # type: ignore[return-value]

    def subscriptions(self) -> list[str]:
        plan = self.plan
        subs = {plan.subscription_id}
        subs.update(plan.subscription_of(item) for item in plan.sql_failover_groups)
        subs.update(plan.subscription_of(item) for item in plan.cosmos_accounts)
        subs.update(plan.subscription_of(item) for item in plan.dns_records)
        return sorted(subs)

    @property
    def regions(self) -> tuple[str, str]:
        return short_name(self.plan.regions.primary), short_name(self.plan.regions.secondary)

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            now = self.clock.now()
            return {
                "clock": {"now": now, "utc": self.clock.iso(), "speed": self.clock.speed},
                "scenario": self.scenario.model_dump(mode="json", by_alias=True),
                "regions": {r: {"down": self.region_down(r)} for r in self.regions},
                "resources": self.store.snapshot(),
                "operations": [op.snapshot(self.clock) for op in self.operations.all()],
                "services": {spec.name: self._backends[spec.backend].snapshot() for spec in self.services},
            }
