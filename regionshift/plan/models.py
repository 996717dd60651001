"""Typed models of the plan file.

This shape is a contract that users and tools write against: keys are only ever added. Every
resource may name its own `subscription_id`; it defaults to the plan's. Region names are ARM's
short names (`eastus2`), compared case-insensitively.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
from typing import Annotated, Literal, get_args
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from regionshift.azure.ids import ResourceId, is_guid, parse_resource_id
from regionshift.azure.regions import DISPLAY_NAMES, check_region
from regionshift.plan import arm_names

# Names that become parts of ARM paths, each checked to ARM's rule (regionshift.plan.arm_names).
ResourceGroupName = Annotated[
    str, AfterValidator(arm_names.RESOURCE_GROUP.check), WithJsonSchema(arm_names.RESOURCE_GROUP.schema())
]
FailoverResourceGroupName = Annotated[
    str,
    AfterValidator(arm_names.FAILOVER_RESOURCE_GROUP.check),
    WithJsonSchema(arm_names.FAILOVER_RESOURCE_GROUP.schema()),
]
SqlServerName = Annotated[
    str, AfterValidator(arm_names.SQL_SERVER.check), WithJsonSchema(arm_names.SQL_SERVER.schema())
]
SqlFailoverGroupName = Annotated[
    str, AfterValidator(arm_names.SQL_FAILOVER_GROUP.check), WithJsonSchema(arm_names.SQL_FAILOVER_GROUP.schema())
]
CosmosAccountName = Annotated[
    str, AfterValidator(arm_names.COSMOS_ACCOUNT.check), WithJsonSchema(arm_names.COSMOS_ACCOUNT.schema())
]
ScaleSetName = Annotated[str, AfterValidator(arm_names.SCALE_SET.check), WithJsonSchema(arm_names.SCALE_SET.schema())]
# ARM's short name of a region in Azure's list (regionshift.azure.regions); any case, or the display
# name ("East US 2"), is read as the short name.
RegionName = Annotated[
    str,
    AfterValidator(check_region),
    WithJsonSchema({"type": "string", "enum": sorted(DISPLAY_NAMES), "description": "an Azure region (short name)"}),
]
PlanName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
_HOSTNAME = re.compile(
    r"^(?=.{1,253}\.?$)([A-Za-z0-9_]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*"
    r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$"
)


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
    arm_names.check_id_names(rid)
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
    resource_group: ResourceGroupName
    server: SqlServerName
    name: SqlFailoverGroupName
    partner_server: SqlServerName | None = None
    partner_resource_group: ResourceGroupName | None = None

    _sub = field_validator("subscription_id")(_check_subscription)


class CosmosAccount(StrictModel):
    subscription_id: str | None = None
    resource_group: ResourceGroupName
    name: CosmosAccountName

    _sub = field_validator("subscription_id")(_check_subscription)


class ScaleSet(StrictModel):
    """Stateless compute in the secondary region.

    mode `create`: a new scale set in the failover resource group, built at failover time from a
    gallery image version replicated to the secondary. mode `scale`: a scale set pre-provisioned
    in the secondary with 0 instances, scaled up at failover.
    """

    name: ScaleSetName
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
    resource_group: ResourceGroupName
    zone: Annotated[str, StringConstraints(min_length=1, max_length=254)]
    name: Annotated[str, StringConstraints(min_length=1, max_length=253)]
    type: Literal["A", "AAAA", "CNAME"]
    ttl: Annotated[int, Field(ge=1, le=2147483647)] = 60
    primary: DnsTarget
    secondary: DnsTarget

    _sub = field_validator("subscription_id")(_check_subscription)

    @field_validator("zone")
    @classmethod
    def _zone(cls, v: str) -> str:
        return arm_names.check_zone_name(v)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str, info: ValidationInfo) -> str:
        return arm_names.check_record_name(v, info.data.get("zone", ""))

    @model_validator(mode="after")
    def _targets_fit_type(self) -> DnsRecord:
        if self.type == "CNAME" and self.name == "@":
            # "Because the zone apex (name '@') always contains the NS and SOA record sets ..., you
            # can't create a CNAME record set at the zone apex." (Azure DNS, DNS zones and records)
            raise ValueError("a CNAME record cannot be at the zone apex (@): Azure DNS keeps NS and SOA there")
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


WebhookUrl = Annotated[str, StringConstraints(min_length=8, max_length=2048)]
AzureMetricOperator = Literal["GreaterThan", "GreaterThanOrEqual", "LessThan", "LessThanOrEqual"]


def _check_webhook_url(value: str) -> str:
    """HTTPS only, except for loopback (local `regionshift serve` and tests)."""
    parts = urlsplit(value)
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        raise ValueError("must be an https:// URL (http:// only for localhost)")
    if not parts.hostname:
        raise ValueError("must name a host")
    return value


class ApprovalWebhook(StrictModel):
    """Where an approval request is posted, and in which shape (generic JSON, Teams, Slack)."""

    url: WebhookUrl
    format: Literal["json", "teams", "slack"] = "json"

    _url = field_validator("url")(_check_webhook_url)


class LogsConfirmation(StrictModel):
    """A Log Analytics query whose rows confirm the outage (e.g. failed availability tests run
    from other regions). Confirmed when the query returns at least `min_rows` rows."""

    workspace_id: str
    query: Annotated[str, StringConstraints(min_length=1, max_length=10000)]
    timespan_minutes: Annotated[int, Field(ge=1, le=1440)] = 15
    min_rows: Annotated[int, Field(ge=1)] = 1

    @field_validator("workspace_id")
    @classmethod
    def _workspace(cls, v: str) -> str:
        if not is_guid(v):
            raise ValueError("must be a Log Analytics workspace id (a GUID)")
        return v


class MetricConfirmation(StrictModel):
    """An Azure Monitor metric condition on one resource, checked on the latest value in the window."""

    resource_id: str
    metric: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    namespace: str | None = None
    aggregation: Literal["Average", "Total", "Minimum", "Maximum", "Count"] = "Average"
    operator: AzureMetricOperator
    threshold: float
    window_minutes: Annotated[int, Field(ge=1, le=1440)] = 5

    @field_validator("resource_id")
    @classmethod
    def _rid(cls, v: str) -> str:
        rid = parse_resource_id(v)
        arm_names.check_id_names(rid)
        return str(rid)


class Confirmation(StrictModel):
    """The second, independent signal an automatic failover needs before it acts."""

    logs: LogsConfirmation | None = None
    metric: MetricConfirmation | None = None
    require: Literal["all", "any"] = "all"  # when both are given

    @model_validator(mode="after")
    def _something(self) -> Confirmation:
        if self.logs is None and self.metric is None:
            raise ValueError("names no signal: give logs, metric or both")
        return self


# The readiness checks (regionshift.azure.readiness), by the name reports and `policy.advisory_checks` use.
CheckName = Literal[
    "image_replicated",
    "subnet",
    "backend_pool",
    "scale_set",
    "resource_group_region",
    "failover_resource_group",
    "sql_partner_named",
    "compute_quota",
    "sql_failover_group",
    "cosmos_regions",
    "dns_record",
    "permissions",
    "drift",  # `check --drift` and the scheduled check: the plan against the estate (regionshift.discovery.drift)
]
CHECK_NAMES: tuple[str, ...] = get_args(CheckName)


class OutageEvidence(StrictModel):
    """What counts as positive evidence that the primary is down, before a data-loss action
    (regionshift.safety). The defaults are Route 53 health checks' own (a failure threshold of 3
    at a 30-second interval: "Values that you specify when you create or update health checks",
    Amazon Route 53 Developer Guide): three probes with no answer, spanning at least 60 seconds."""

    failed_probes: Annotated[int, Field(ge=2, le=20)] = 3
    window_seconds: Annotated[int, Field(ge=0, le=3600)] = 60

    @property
    def interval_seconds(self) -> float:
        return self.window_seconds / (self.failed_probes - 1)


class Policy(StrictModel):
    data_loss: Literal["forbid", "allow"] = "forbid"
    outage_evidence: OutageEvidence = OutageEvidence()
    # How a failover starts. `required`: a person approves through the webhook's links first.
    # `automatic`: it acts once `confirmation` agrees; when that second signal does not confirm,
    # it falls back to asking for approval.
    approval: Literal["automatic", "required"] = "required"
    approval_webhooks: list[ApprovalWebhook] = []
    approval_timeout_minutes: Annotated[int, Field(ge=1, le=10080)] = 30
    # On timeout: abort, or escalate (post to `escalation_webhooks`, wait once more, then abort).
    on_approval_timeout: Literal["abort", "escalate"] = "abort"
    escalation_webhooks: list[ApprovalWebhook] = []
    # A forced (data-loss) failover may need two different people to approve it.
    forced_approvers: Literal[1, 2] = 1
    confirmation: Confirmation | None = None
    # Readiness checks whose failure is shown but does not stop an approval-gated or automatic
    # failover (every other failing check stops it before any write).
    advisory_checks: list[CheckName] = []
    # Where the scheduled readiness check posts when its result changes (regionshift.readiness_watch);
    # empty: to approval_webhooks, the people who would approve a failover that would not work.
    notification_webhooks: list[ApprovalWebhook] = []
    # The recovery time the team aims at: reports show the actual RTO against it, and the dry run
    # warns when the forecast's p90 exceeds it (regionshift.forecast).
    rto_target_minutes: Annotated[int, Field(ge=1, le=10080)] | None = None

    @property
    def readiness_webhooks(self) -> list[ApprovalWebhook]:
        return self.notification_webhooks or self.approval_webhooks

    @model_validator(mode="after")
    def _approval_consistent(self) -> Policy:
        if self.approval == "automatic" and self.confirmation is None:
            raise ValueError("approval 'automatic' needs a confirmation signal (policy.confirmation)")
        if self.on_approval_timeout == "escalate" and not self.escalation_webhooks:
            raise ValueError("on_approval_timeout 'escalate' needs escalation_webhooks")
        return self


class ServiceHealthMatch(StrictModel):
    """Service Health events that concern this plan. Regions are compared without spaces or case,
    so `East US 2` (as Service Health writes it) matches `eastus2`; empty means the plan's primary."""

    services: list[Annotated[str, StringConstraints(min_length=1, max_length=200)]] = []
    regions: list[Annotated[str, StringConstraints(min_length=1, max_length=100)]] = []


class AlertTriggers(StrictModel):
    """Which Azure Monitor alerts start this plan: by alert rule (name or id), by the resource the
    alert fired on, or by Service Health service and region. Any one match is enough."""

    rules: list[Annotated[str, StringConstraints(min_length=1, max_length=1024)]] = []
    targets: list[str] = []
    service_health: ServiceHealthMatch | None = None

    @field_validator("targets")
    @classmethod
    def _targets(cls, v: list[str]) -> list[str]:
        for index, value in enumerate(v):
            try:
                parse_resource_id(value)
            except ValueError as exc:
                raise ValueError(f"[{index}] {exc}") from None
        return v


class Triggers(StrictModel):
    alerts: AlertTriggers | None = None


_CONTAINER = re.compile(r"^[a-z0-9]([a-z0-9]|-(?!-))*[a-z0-9]$")


class ReportSettings(StrictModel):
    """Where run reports are uploaded, besides the local report folder: a Blob Storage container.

    No secret goes here. In Azure the app's managed identity signs in (it needs Storage Blob Data
    Contributor); for Azurite or development, REGIONSHIFT_REPORTS_CONNECTION_STRING is used instead.
    """

    storage_account_url: Annotated[str, StringConstraints(min_length=8, max_length=2048)]
    container: Annotated[str, StringConstraints(min_length=3, max_length=63)] = "regionshift-reports"

    @field_validator("storage_account_url")
    @classmethod
    def _account_url(cls, v: str) -> str:
        _check_webhook_url(v)  # https, or http on loopback (Azurite)
        if urlsplit(v).query:
            raise ValueError("must not carry a query string (a SAS token is a secret: give it in the environment)")
        return v.rstrip("/")

    @field_validator("container")
    @classmethod
    def _container(cls, v: str) -> str:
        if not _CONTAINER.match(v):
            raise ValueError(
                "must be 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit"
            )
        return v


class LockSettings(ReportSettings):
    """Where the plan's run lease lives: a container of a storage account in the secondary region,
    reachable by every host that may run the plan (the Functions app, a laptop's CLI). Validated as
    `reports` is; in Azure the app's managed identity signs in (Storage Blob Data Contributor), for
    Azurite or development REGIONSHIFT_LOCK_CONNECTION_STRING is used instead. See regionshift.lease."""

    container: Annotated[str, StringConstraints(min_length=3, max_length=63)] = "regionshift-leases"


class PlanContext(StrictModel):
    """The plan without its resource lists: what every activity needs besides the one resource it
    acts on. Activities get this, not the whole plan, so that a plan with a thousand resources does
    not copy itself into every activity's input and the Durable history."""

    name: PlanName
    subscription_id: str
    regions: Regions
    # Created by a failover in the secondary and deleted, with everything in it, by failback.
    failover_resource_group: FailoverResourceGroupName
    policy: Policy = Policy()
    # Part of the context (not only the plan) so that an activity can upload the run's report.
    reports: ReportSettings | None = None
    # The run lease every host holds before any write (regionshift.lease); None: the environment's, or local.
    lock: LockSettings | None = None

    _sub = field_validator("subscription_id")(_check_subscription)

    def subscription_of(self, resource: SqlFailoverGroup | CosmosAccount | DnsRecord) -> str:
        return resource.subscription_id or self.subscription_id


class Plan(PlanContext):
    sql_failover_groups: list[SqlFailoverGroup] = []
    cosmos_accounts: list[CosmosAccount] = []
    scale_sets: list[ScaleSet] = []
    dns_records: list[DnsRecord] = []
    triggers: Triggers = Triggers()

    @model_validator(mode="after")
    def _unique_names(self) -> Plan:
        _no_duplicates("sql_failover_groups", [(g.server.lower(), g.name.lower()) for g in self.sql_failover_groups])
        _no_duplicates("cosmos_accounts", [a.name.lower() for a in self.cosmos_accounts])
        _no_duplicates("scale_sets", [s.name.lower() for s in self.scale_sets])
        _no_duplicates("dns_records", [(r.zone, r.name.lower(), r.type) for r in self.dns_records])
        if not (self.sql_failover_groups or self.cosmos_accounts or self.scale_sets or self.dns_records):
            raise ValueError("declares nothing to fail over")
        _no_cname_beside_others(self.dns_records)
        _failover_group_is_its_own(self)
        return self

    def resource_groups(self) -> list[tuple[str, str, str]]:
        """(subscription, group, the plan key naming it) for every group the plan's resources live in."""
        found = []
        for i, g in enumerate(self.sql_failover_groups):
            sub = self.subscription_of(g)
            found.append((sub, g.resource_group, f"sql_failover_groups[{i}].resource_group"))
            if g.partner_resource_group:
                found.append((sub, g.partner_resource_group, f"sql_failover_groups[{i}].partner_resource_group"))
        for i, a in enumerate(self.cosmos_accounts):
            found.append((self.subscription_of(a), a.resource_group, f"cosmos_accounts[{i}].resource_group"))
        for i, r in enumerate(self.dns_records):
            found.append((self.subscription_of(r), r.resource_group, f"dns_records[{i}].resource_group"))
        for i, s in enumerate(self.scale_sets):
            for key in ("image", "subnet", "backend_pool", "scale_set"):
                ref = getattr(s, key)
                if ref:
                    rid = parse_resource_id(ref)
                    found.append((rid.subscription_id, rid.resource_group, f"scale_sets[{i}].{key}"))
        return found

    def context(self) -> PlanContext:
        return PlanContext.model_validate(self.model_dump(include=set(PlanContext.model_fields)))

    def digest(self) -> str:
        """sha256 of the validated plan in canonical JSON: equal for plans that mean the same,
        whatever the YAML's comments, key order or spelling of defaults."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _no_cname_beside_others(records: list[DnsRecord]) -> None:
    """ "CNAME record sets can't coexist with other record sets with the same name" (Azure DNS, DNS
    zones and records): a plan that switches both would fail at its DNS step, after the data moved."""
    types: dict[tuple[str, str], set[str]] = {}
    for index, record in enumerate(records):
        key = (record.zone, record.name.lower())
        seen = types.setdefault(key, set())
        if seen and ("CNAME" in seen or record.type == "CNAME"):
            raise ValueError(
                f"dns_records[{index}]: {record.fqdn} has a CNAME and another record type; "
                "a CNAME record set cannot share its name with another record set"
            )
        seen.add(record.type)


def _failover_group_is_its_own(plan: Plan) -> None:
    """Failback deletes the failover resource group with everything in it, so it must not be a
    group the plan's own resources live in (the drill's groups differ by construction: see
    arm_names.FAILOVER_GROUP_MAX)."""
    name = plan.failover_resource_group.lower()
    for sub, group, key in plan.resource_groups():
        if sub == plan.subscription_id and group.lower() == name:
            raise ValueError(
                f"failover_resource_group: {plan.failover_resource_group!r} is also {key}; failback deletes the "
                "failover resource group and everything in it, so name a group of its own"
            )


def _no_duplicates(key: str, values: list[object]) -> None:
    seen: set[object] = set()
    for index, value in enumerate(values):
        if value in seen:
            shown = value if isinstance(value, str) else "/".join(map(str, value))  # type: ignore[call-overload]
            raise ValueError(f"{key}[{index}]: duplicate {shown!r}")
        seen.add(value)
