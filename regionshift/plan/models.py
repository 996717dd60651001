"""Typed models of the plan file.

This shape is a contract that users and tools write against: keys are only ever added. Every
resource may name its own `subscription_id`; it defaults to the plan's. Region names are ARM's
short names (`eastus2`), compared case-insensitively.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from regionshift.azure.ids import ResourceId, is_guid, parse_resource_id

Name = Annotated[str, StringConstraints(min_length=1, max_length=90, pattern=r"^[A-Za-z0-9._()-]+$")]
RegionName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9]+$")]
PlanName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
_HOSTNAME = re.compile(r"^(?=.{1,253}\.?$)([A-Za-z0-9_]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*"
                       r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$")


class StrictModel(BaseModel):
    """Unknown keys are errors: a typo in a DR plan must never be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_subscription(value: str | None) -> str | None:
    if value is not None and not is_guid(value):
        raise ValueError("must be a subscription id (a GUID)")
    return value


def _check_resource_id(value: str, full_type: str) -> str:
    rid = parse_resource_id(value)
    if not rid.is_type(full_type):
        raise ValueError(f"must be the id of a {full_type}, not of a {rid.full_type}")
    return str(rid)


class Regions(StrictModel):
    primary: RegionName
    secondary: RegionName

    @model_validator(mode="after")
    def _distinct(self) -> Regions:
        if self.primary == self.secondary:
            raise ValueError(f"primary and secondary must differ (both are {self.primary!r})")
        return self


class SqlFailoverGroup(StrictModel):
    """An Azure SQL auto-failover group. `server` is the server in the primary region.

    `partner_server` names the server in the secondary region. It is optional (it is read from the
    failover group while the primary answers) but recommended: during an outage of the primary
    region the primary server cannot be asked who its partner is.
    """

    subscription_id: str | None = None
    resource_group: Name
    server: Name
    name: Name
    partner_server: Name | None = None
    partner_resource_group: Name | None = None

    _sub = field_validator("subscription_id")(_check_subscription)


class CosmosAccount(StrictModel):
    subscription_id: str | None = None
    resource_group: Name
    name: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", min_length=3, max_length=50)]

    _sub = field_validator("subscription_id")(_check_subscription)


class ScaleSet(StrictModel):
    """Stateless compute in the secondary region.

    mode `create`: a new scale set in the failover resource group, built at failover time from a
    gallery image version replicated to the secondary. mode `scale`: a scale set pre-provisioned
    in the secondary with 0 instances, scaled up at failover.
    """

    name: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{0,62}$")]
    mode: Literal["create", "scale"]
    capacity: Annotated[int, Field(ge=1, le=1000)]
    sku: str | None = None
    image: str | None = None
    subnet: str | None = None
    backend_pool: str | None = None
    scale_set: str | None = None
    health_probe_url: str | None = None

    @field_validator("image")
    @classmethod
    def _image(cls, v: str | None) -> str | None:
        return v and _check_resource_id(v, "Microsoft.Compute/galleries/images/versions")

    @field_validator("subnet")
    @classmethod
    def _subnet(cls, v: str | None) -> str | None:
        return v and _check_resource_id(v, "Microsoft.Network/virtualNetworks/subnets")

    @field_validator("backend_pool")
    @classmethod
    def _pool(cls, v: str | None) -> str | None:
        return v and _check_resource_id(v, "Microsoft.Network/loadBalancers/backendAddressPools")

    @field_validator("scale_set")
    @classmethod
    def _vmss(cls, v: str | None) -> str | None:
        return v and _check_resource_id(v, "Microsoft.Compute/virtualMachineScaleSets")

    @model_validator(mode="after")
    def _fields_for_mode(self) -> ScaleSet:
        needed = ("sku", "image", "subnet") if self.mode == "create" else ("scale_set",)
        unused = ("scale_set",) if self.mode == "create" else ("sku", "image", "subnet", "backend_pool")
        missing = [k for k in needed if getattr(self, k) is None]
        if missing:
            raise ValueError(f"mode {self.mode!r} needs {', '.join(missing)}")
        extra = [k for k in unused if getattr(self, k) is not None]
        if extra:
            raise ValueError(f"mode {self.mode!r} does not take {', '.join(extra)}")
        return self

    @property
    def scale_set_id(self) -> ResourceId | None:
        return parse_resource_id(self.scale_set) if self.scale_set else None


DnsTarget = str | list[str]


class DnsRecord(StrictModel):
    """A DNS record switched from its primary to its secondary target. A/AAAA take lists of IPs."""

    subscription_id: str | None = None
    resource_group: Name
    zone: Annotated[str, StringConstraints(min_length=1, max_length=253)]
    name: Annotated[str, StringConstraints(min_length=1, max_length=253)]
    type: Literal["A", "AAAA", "CNAME"]
    ttl: Annotated[int, Field(ge=1, le=2147483647)] = 60
    primary: DnsTarget
    secondary: DnsTarget

    _sub = field_validator("subscription_id")(_check_subscription)

    @field_validator("zone")
    @classmethod
    def _zone(cls, v: str) -> str:
        if not _HOSTNAME.match(v):
            raise ValueError("must be a DNS zone name like contoso.com")
        return v.rstrip(".").lower()

    @model_validator(mode="after")
    def _targets_fit_type(self) -> DnsRecord:
        for side in ("primary", "secondary"):
            value = getattr(self, side)
            if self.type == "CNAME":
                if not isinstance(value, str) or not _HOSTNAME.match(value):
                    raise ValueError(f"{side}: a CNAME record points at one host name")
            else:
                ips = [value] if isinstance(value, str) else value
                version = 4 if self.type == "A" else 6
                if not ips:
                    raise ValueError(f"{side}: an {self.type} record needs at least one IP address")
                for ip in ips:
                    try:
                        parsed = ipaddress.ip_address(ip)
                    except ValueError:
                        raise ValueError(f"{side}: {ip!r} is not an IP address") from None
                    if parsed.version != version:
                        raise ValueError(f"{side}: {ip!r} is not an IPv{version} address")
        if self.primary == self.secondary:
            raise ValueError("primary and secondary targets are the same")
        return self

    def targets(self, side: Literal["primary", "secondary"]) -> list[str]:
        value = getattr(self, side)
        return [value] if isinstance(value, str) else list(value)

    @property
    def fqdn(self) -> str:
        return self.zone if self.name == "@" else f"{self.name}.{self.zone}"


class Policy(StrictModel):
    data_loss: Literal["forbid", "allow"] = "forbid"


class Plan(StrictModel):
    name: PlanName
    subscription_id: str
    regions: Regions
    failover_resource_group: Name
    sql_failover_groups: list[SqlFailoverGroup] = []
    cosmos_accounts: list[CosmosAccount] = []
    scale_sets: list[ScaleSet] = []
    dns_records: list[DnsRecord] = []
    policy: Policy = Policy()

    _sub = field_validator("subscription_id")(_check_subscription)

    @model_validator(mode="after")
    def _unique_names(self) -> Plan:
        _no_duplicates("sql_failover_groups", [(g.server.lower(), g.name.lower()) for g in self.sql_failover_groups])
        _no_duplicates("cosmos_accounts", [a.name.lower() for a in self.cosmos_accounts])
        _no_duplicates("scale_sets", [s.name.lower() for s in self.scale_sets])
        _no_duplicates("dns_records", [(r.zone, r.name.lower(), r.type) for r in self.dns_records])
        if not (self.sql_failover_groups or self.cosmos_accounts or self.scale_sets or self.dns_records):
            raise ValueError("declares nothing to fail over")
        return self

    def subscription_of(self, resource: SqlFailoverGroup | CosmosAccount | DnsRecord) -> str:
        return resource.subscription_id or self.subscription_id


def _no_duplicates(key: str, values: list[object]) -> None:
    seen: set[object] = set()
    for index, value in enumerate(values):
        if value in seen:
            shown = value if isinstance(value, str) else "/".join(map(str, value))  # type: ignore[call-overload]
            raise ValueError(f"{key}[{index}]: duplicate {shown!r}")
        seen.add(value)
