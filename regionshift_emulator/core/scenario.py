"""The scenario: what is broken and how slow things are, loaded from YAML or set through the admin API.

Schema (every key optional; unknown keys are errors naming the key):

    speed: 1.0                      # emulated seconds per real second
    outage: [eastus2]               # regions down for the whole run, or timed windows:
      # - {region: eastus2, from: 60, until: 3600}   (emulated seconds since start; no until = never back)
    latencies: {default: 5, sql.failover: 40}   # emulated seconds a long-running operation takes
    cosmos_automatic_failover_after: 1800       # outage length before service-managed failover
    faults:                         # injected answers by path pattern (fnmatch, case-insensitive)
      - {path: "*/failoverGroups/*/failover", method: POST, status: 503, times: 1}
    throttling: {enabled: true, reads: {burst: 250, per_second: 25}, ...}
    quotas: {standardDSv5Family: 8, cores: 100}   # vCPU limits of the Compute usage API, every region
    missing_permissions: ["Microsoft.Sql/servers/failoverGroups/failover/action"]  # the caller's notActions

Only `outage`, `speed`, `latencies`, `faults` (status answers), `throttling`, `quotas` and
`missing_permissions` are acted on today;
`faults[].reset` and `faults[].fail_operation` are designed extension points, refused until built.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from regionshift.errors import InputError
from regionshift.plan.loader import format_validation_errors
from regionshift_emulator.core.regions import UnknownRegion, short_name


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def _region(value: str) -> str:
    try:
        return short_name(value)
    except UnknownRegion as exc:
        raise ValueError(str(exc)) from None


class OutageWindow(_Strict):
    region: str
    start: Annotated[float, Field(ge=0, alias="from")] = 0.0
    until: Annotated[float, Field(gt=0)] | None = None

    _r = field_validator("region")(_region)

    @model_validator(mode="after")
    def _ordered(self) -> OutageWindow:
        if self.until is not None and self.until <= self.start:
            raise ValueError(f"until ({self.until}) must be after from ({self.start})")
        return self

    def active(self, now: float) -> bool:
        return self.start <= now and (self.until is None or now < self.until)


class Fault(_Strict):
    """An injected failure. `status` answers matching requests with an ARM error of that status."""

    path: str
    method: str | None = None
    status: Annotated[int, Field(ge=400, le=599)] | None = None
    code: str | None = None
    times: Annotated[int, Field(ge=1)] | None = None  # None: every matching request
    reset: bool = False  # extension point: drop the connection
    fail_operation: bool = False  # extension point: accept, then fail the long-running operation

    @model_validator(mode="after")
    def _one_effect(self) -> Fault:
        if self.reset or self.fail_operation:
            raise ValueError("reset and fail_operation are not implemented yet; use status")
        if self.status is None:
            raise ValueError("a fault needs a status (429 or 5xx)")
        return self

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method.upper():
            return False
        return fnmatch.fnmatchcase(path.lower(), self.path.lower())


class Bucket(_Strict):
    burst: Annotated[int, Field(ge=1)]
    per_second: Annotated[float, Field(gt=0)]


class Throttling(_Strict):
    """ARM's per-subscription token buckets (documented defaults)."""

    enabled: bool = False
    reads: Bucket = Bucket(burst=250, per_second=25)
    writes: Bucket = Bucket(burst=200, per_second=10)
    deletes: Bucket = Bucket(burst=200, per_second=10)


class Scenario(_Strict):
    speed: Annotated[float, Field(gt=0)] = 1.0
    outage: list[OutageWindow] = []  # a bare region name is shorthand for {region: NAME}
    latencies: dict[str, Annotated[float, Field(ge=0)]] = {}
    cosmos_automatic_failover_after: Annotated[float, Field(ge=0)] = 1800.0
    faults: list[Fault] = []
    throttling: Throttling = Throttling()
    quotas: dict[str, Annotated[int, Field(ge=0)]] = {}
    missing_permissions: list[Annotated[str, Field(min_length=1)]] = []

    @field_validator("outage", mode="before")
    @classmethod
    def _outage_list(cls, value: Any) -> Any:
        if value is None:
            return []
        items = [value] if isinstance(value, str | dict) else value
        if not isinstance(items, list):
            return items
        return [{"region": v} if isinstance(v, str) else v for v in items]

    def region_down(self, region: str, now: float) -> bool:
        """Is `region` (any spelling) in outage at emulated second `now`?"""
        return self.outage_started(region, now) is not None

    def outage_started(self, region: str, now: float) -> float | None:
        """When the outage of `region` that is active now began (for grace periods), else None."""
        key = short_name(region)
        starts = [e.start for e in self.outage if e.region == key and e.active(now)]
        return min(starts) if starts else None

    def latency(self, operation: str, default: float) -> float:
        return self.latencies.get(operation, self.latencies.get("default", default))


def parse_scenario(data: Any, source: str = "<scenario>") -> Scenario:
    """Validate a scenario mapping; InputError with one `key.path: reason` line per problem."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(f"{source}: must be a mapping of scenario keys (outage, latencies, ...)")
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise InputError(f"{source}: " + "; ".join(format_validation_errors(exc))) from None


def load_scenario(path: str | Path) -> Scenario:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: not valid YAML: {exc}") from None
    return parse_scenario(data, str(path))
