"""The emulator's whole state: clock, scenario, resource store, operations, service backends, request log.

One `RLock` serialises every request that touches state (as moto does): the server is threaded
so slow clients do not block each other, but models never see two requests at once. ARM state is
global (the store); what is regional is health, asked per service through `region_down` /
`require_region_up`, which read the scenario against the emulator clock. `random` is the one
source of random choices (seeded by the scenario's `seed`), so a run is repeatable for a seed.
"""

from __future__ import annotations

import random
import threading
from collections import deque
from collections.abc import Sequence
from typing import Any, TypeVar

from regionshift.errors import InputError
from regionshift.plan import Plan
from regionshift_emulator.core.auth import TokenIssuer
from regionshift_emulator.core.clock import Clock
from regionshift_emulator.core.lro import Operations
from regionshift_emulator.core.outages import RegionUnavailable
from regionshift_emulator.core.regions import short_name
from regionshift_emulator.core.scenario import Scenario
from regionshift_emulator.core.service import Backend, ServiceSpec
from regionshift_emulator.core.store import ResourceStore, group_id
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
        self.namespaces = {spec.name: spec.namespace or spec.name for spec in services}
        self.random = random.Random(scenario.seed)
        self.released = threading.Event()  # set when the emulator stops: held requests let go
        self.held = 0  # requests held unanswered right now (outage or fault `hang`), under `lock`
        self.operation_defaults: dict[str, float] = {}
        for spec in services:
            self.operation_defaults.update(spec.operations)
        self._backends: dict[type, Backend] = {spec.backend: spec.backend(self) for spec in services}
        # Enough for a failover of a thousand resources (benchmarks count every request).
        self.request_log: deque[dict[str, Any]] = deque(maxlen=200_000)
        self.scenario = Scenario()
        self.set_scenario(scenario)

    # --- scenario and time -------------------------------------------------------------------

    def set_scenario(self, scenario: Scenario) -> None:
        """Replace the scenario (InputError naming an unknown `latencies` key or outage service, or a
        `resource_groups` home that contradicts a group's region: a group's region never changes)."""
        unknown = sorted(set(scenario.latencies) - set(self.operation_defaults) - {"default"})
        if unknown:
            known = ", ".join(sorted(self.operation_defaults))
            raise InputError(f"latencies.{unknown[0]}: unknown operation (known: default, {known})")
        for index, window in enumerate(scenario.outage):
            strange = sorted(set(window.services or []) - set(self.namespaces))
            if strange:
                known = ", ".join(sorted(self.namespaces))
                raise InputError(f"outage[{index}].services: unknown service {strange[0]!r} (known: {known})")
        with self.lock:
            self._check_group_homes(scenario)
            self.scenario = scenario
            self.random = random.Random(scenario.seed)
            self.clock.set_speed(scenario.speed)
            self.throttle.reset()

    def _check_group_homes(self, scenario: Scenario) -> None:
        for key, region in scenario.resource_groups.items():
            sub, _, name = key.rpartition("/")
            subs = [sub] if sub else self.subscriptions()
            for subscription in subs:
                group = self.store.get(group_id(subscription, name))
                if group is not None and group.location != region:
                    raise InputError(
                        f"resource_groups.{key}: the group exists in {group.location}; a resource group's "
                        "region cannot change (give resource_groups when the emulator starts)"
                    )

    def region_down(self, region: str, service: str | None = None) -> bool:
        """Is `region` in outage now, for `service` (a `ServiceSpec.name`) or, with None, at all?"""
        return self.scenario.region_down(region, self.clock.now(), service)

    def require_region_up(self, region: str, service: str, message: str | None = None) -> None:
        """The outage's answer (504 GatewayTimeout, 503, a hold or a reset: see `core.outages`) when
        `service` is down in `region`; `message` words it for the case at hand."""
        now = self.clock.now()
        window = self.scenario.outage_at(region, service, now)
        if window is not None:
            raise RegionUnavailable(self.namespaces.get(service, service), window, now, message)

    def service_of(self, resource_id: str) -> str | None:
        """The emulated service that answers for a resource id (by its namespace), if any."""
        parts = resource_id.strip("/").split("/")
        lowered = [p.lower() for p in parts]
        if "providers" not in lowered:
            return "resources"
        namespace = parts[lowered.index("providers") + 1].lower() if len(parts) > lowered.index("providers") + 1 else ""
        return next((name for name, ns in self.namespaces.items() if ns.lower() == namespace), None)

    def outage_age(self, region: str, service: str | None = None) -> float | None:
        """Emulated seconds the current outage of `region` (for `service`) has lasted, or None when up."""
        now = self.clock.now()
        started = self.scenario.outage_started(region, now, service)
        return None if started is None else now - started

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
                "regions": {
                    r: {
                        "down": self.region_down(r),
                        "services_down": sorted(name for name in self.namespaces if self.region_down(r, name)),
                    }
                    for r in self.regions
                },
                "held_requests": self.held,
                "resources": self.store.snapshot(),
                "operations": [op.snapshot(self.clock) for op in self.operations.all()],
                "services": {spec.name: self._backends[spec.backend].snapshot() for spec in self.services},
            }
