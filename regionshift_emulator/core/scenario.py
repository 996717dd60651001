"""The scenario: what is broken and how slow things are, loaded from YAML or set through the admin API.

Schema (every key optional; unknown keys are errors naming the key):

    speed: 1.0                      # emulated seconds per real second
    seed: 0                         # every random choice (fault probabilities) is drawn from Random(seed)
    outage: [eastus2]               # regions down for the whole run, or windows and slices of a region:
      # - {region: eastus2, from: 60, until: 3600}     (emulated seconds since start; no until = never back)
      # - {region: centralus, services: [sql], mode: hang}   (mode: timeout | hang | reset | error)
      # - {region: global, services: [dns]}            (global services: Azure DNS)
    latencies: {default: 5, sql.failover: 40}   # emulated seconds an operation (or a service process) takes
    cosmos_automatic_failover_after: 1800       # outage length before service-managed failover
    faults:                         # injected answers by path pattern (fnmatch, case-insensitive)
      - {path: "*/failoverGroups/*/failover", method: POST, status: 503, times: 1}
      - {path: "*/virtualMachineScaleSets/*", method: PUT, fail_operation: true, probability: 0.5}
    throttling: {enabled: true, reads: {burst: 250, per_second: 25}, ...}
    quotas: {standardDSv5Family: 8, cores: 100}   # vCPU limits, every region: the usage API and writes
    missing_permissions: ["Microsoft.Sql/servers/failoverGroups/failover/action"]  # the caller's notActions
    resource_groups: {rg-data: eastus2, 0000.../rg-dr: centralus}   # home regions, read when seeding

`Fault` and `OutageWindow` say what each effect does; `regionshift_emulator.seed` how group homes
are decided. Every Retry-After the emulator sends counts emulated seconds.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path
from typing import Annotated, Any, Literal

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


GLOBAL = "global"  # the "region" of global services (Azure DNS): an outage there hits them alone
OUTAGE_MODES = ("timeout", "hang", "reset", "error")
MAX_HOLD_SECONDS = 300.0  # real seconds a held request waits at most (azure-core's default read timeout)


def _outage_region(value: str) -> str:
    return GLOBAL if value.strip().lower() == GLOBAL else _region(value)


class OutageWindow(_Strict):
    """A region (or some of its services) down, from `from` until `until` (emulated seconds).

    `mode` is how a request to what is down fails: `timeout` answers 504 GatewayTimeout at once (what
    ARM answers when a regional resource provider does not respond), `hang` holds the request until the
    client gives up, `reset` drops the connection without an answer, `error` answers 503 with
    Retry-After. `services` (default: every service) names the emulated services that are down.
    """

    region: str
    start: Annotated[float, Field(ge=0, alias="from")] = 0.0
    until: Annotated[float, Field(gt=0)] | None = None
    services: Annotated[list[str], Field(min_length=1)] | None = None
    mode: Literal["timeout", "hang", "reset", "error"] = "timeout"

    _r = field_validator("region")(_outage_region)

    @field_validator("services")
    @classmethod
    def _lower(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else [s.strip().lower() for s in value]

    @model_validator(mode="after")
    def _ordered(self) -> OutageWindow:
        if self.until is not None and self.until <= self.start:
            raise ValueError(f"until ({self.until}) must be after from ({self.start})")
        return self

    def active(self, now: float) -> bool:
        return self.start <= now and (self.until is None or now < self.until)

    def covers(self, service: str | None) -> bool:
        """Does this window take `service` down (None: is anything down)?"""
        return service is None or self.services is None or service in self.services


class Fault(_Strict):
    """An injected failure for requests whose path matches `path` (fnmatch, case-insensitive).

    Effects: `status` answers an ARM error of that status (`code`, and for 429/503 `retry_after`
    emulated seconds in Retry-After, default 1); `reset` drops the connection without an answer;
    `fail_operation` accepts the write, then its long-running operation fails (`code`, `status` name the
    error, default 500 InternalServerError); `never_complete` accepts it and the operation stays
    InProgress forever; `hang_seconds` holds the request that many real seconds first (alone: a slow
    answer). `times` counts the requests affected (default: all); `probability` affects each matching
    request with that chance, drawn from the scenario's `seed`.
    """

    path: str
    method: str | None = None
    status: Annotated[int, Field(ge=400, le=599)] | None = None
    code: str | None = None
    times: Annotated[int, Field(ge=1)] | None = None  # None: every matching request
    retry_after: Annotated[float, Field(ge=0)] | None = None
    reset: bool = False
    fail_operation: bool = False
    never_complete: bool = False
    hang_seconds: Annotated[float, Field(gt=0, le=MAX_HOLD_SECONDS)] | None = None
    probability: Annotated[float, Field(ge=0, le=1)] = 1.0

    @model_validator(mode="after")
    def _one_effect(self) -> Fault:
        if not (self.status or self.reset or self.fail_operation or self.never_complete or self.hang_seconds):
            raise ValueError("a fault needs an effect: status, reset, fail_operation, never_complete or hang_seconds")
        if self.reset and (self.status or self.fail_operation or self.never_complete):
            raise ValueError("reset drops the connection: it cannot also answer a status or run an operation")
        if self.never_complete and (self.status or self.fail_operation):
            raise ValueError("never_complete cannot also fail (status, fail_operation)")
        if self.retry_after is not None and (self.status not in (429, 503) or self.fail_operation):
            raise ValueError("retry_after goes with status 429 or 503")
        return self

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method.upper():
            return False
        return fnmatch.fnmatchcase(path.lower(), self.path.lower())

    @property
    def holds_operation(self) -> bool:
        """Does this fault act on the long-running operation the request starts?"""
        return self.fail_operation or self.never_complete


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
    seed: int = 0
    outage: list[OutageWindow] = []  # a bare region name is shorthand for {region: NAME}
    latencies: dict[str, Annotated[float, Field(ge=0)]] = {}
    cosmos_automatic_failover_after: Annotated[float, Field(ge=0)] = 1800.0
    faults: list[Fault] = []
    throttling: Throttling = Throttling()
    quotas: dict[str, Annotated[int, Field(ge=0)]] = {}
    missing_permissions: list[Annotated[str, Field(min_length=1)]] = []
    resource_groups: dict[str, str] = {}  # "<name>" or "<subscription>/<name>" -> home region

    @field_validator("outage", mode="before")
    @classmethod
    def _outage_list(cls, value: Any) -> Any:
        if value is None:
            return []
        items = [value] if isinstance(value, str | dict) else value
        if not isinstance(items, list):
            return items
        return [{"region": v} if isinstance(v, str) else v for v in items]

    @field_validator("resource_groups")
    @classmethod
    def _group_regions(cls, value: dict[str, str]) -> dict[str, str]:
        out = {}
        for key, region in value.items():
            if not key.strip("/") or key.count("/") > 1:
                raise ValueError(f"{key!r}: name a resource group as <name> or <subscription>/<name>")
            try:
                out[key.strip("/").lower()] = short_name(region)
            except UnknownRegion as exc:
                raise ValueError(f"{key}: {exc}") from None
        return out

    def outage_at(self, region: str, service: str | None, now: float) -> OutageWindow | None:
        """The first outage window active at `now` that takes `service` in `region` down."""
        key = _outage_region(region)
        for window in self.outage:
            if window.region == key and window.active(now) and window.covers(service):
                return window
        return None

    def region_down(self, region: str, now: float, service: str | None = None) -> bool:
        """Is `region` (any spelling) in outage at emulated second `now` (for `service`, or at all)?"""
        return self.outage_at(region, service, now) is not None

    def outage_started(self, region: str, now: float, service: str | None = None) -> float | None:
        """When the outage of `region` that is active now began (for grace periods), else None."""
        key = _outage_region(region)
        starts = [w.start for w in self.outage if w.region == key and w.active(now) and w.covers(service)]
        return min(starts) if starts else None

    def group_home(self, subscription_id: str, name: str) -> str | None:
        """The home region `resource_groups` gives a group (`<subscription>/<name>` wins over `<name>`)."""
        groups = self.resource_groups
        return groups.get(f"{subscription_id}/{name}".lower()) or groups.get(name.lower())

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
