"""ARM's naming rules for every name in a plan that becomes part of an ARM request path.

A plan's names are pasted into URLs (`.../resourceGroups/{group}/providers/Microsoft.Sql/servers/
{server}/failoverGroups/{name}`, `.../dnsZones/{zone}/{type}/{record}`), so a name ARM would refuse,
or one that changes the path (`www2/../../CNAME/victim`), must be refused when the plan is
validated, never sent. Each rule below is the one Microsoft Learn gives in "Naming rules and
restrictions for Azure resources" (https://learn.microsoft.com/azure/azure-resource-manager/
management/resource-name-rules), under the provider named in its `source`; DNS record names follow
Azure DNS's rules ("Overview of DNS zones and records", https://learn.microsoft.com/azure/dns/
dns-zones-records: record names are relative to the zone, `@` is the apex) and RFC 1035's limits
(labels of at most 63 characters, names of at most 253). Where Learn allows Unicode letters
(resource groups), the check allows what Python's `\\w` does.

Every rule is a `NameRule`: a check with a one-line reason on failure, and the same rule as JSON
Schema for plan.schema.json (the plan's models apply both).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from regionshift.azure.ids import ResourceId

# A drill names its resource group `<failover_resource_group>-drill-<YYYYmmddHHMMSS>`
# (orchestrators/drill.py); a group name is at most 90 characters, so the failover group's name
# must leave room for those 21 characters, or the drill's name would be cut back to production's.
RESOURCE_GROUP_MAX = 90
DRILL_SUFFIX_LENGTH = len("-drill-") + len("YYYYmmddHHMMSS")
FAILOVER_GROUP_MAX = RESOURCE_GROUP_MAX - DRILL_SUFFIX_LENGTH


@dataclass(frozen=True)
class NameRule:
    """One of Learn's naming rules: length, characters (as a regex) and the words for both."""

    what: str  # "a resource group name"
    source: str  # where Learn gives the rule: "Microsoft.Resources/resourcegroups"
    min_length: int
    max_length: int
    pattern: str  # a full-match regex (Python syntax; kept ECMA-compatible for the JSON Schema)
    allowed: str  # the rule in words, for the error message
    why_max: str = ""  # why the length limit is what it is, when it is not ARM's own

    def check(self, value: str) -> str:
        if not self.min_length <= len(value) <= self.max_length:
            span = f"{self.min_length}-{self.max_length}" if self.min_length > 1 else f"at most {self.max_length}"
            why = f" ({self.why_max})" if self.why_max else ""
            raise ValueError(f"{value[:100]!r} is not {self.what}: it must be {span} characters long{why}")
        if not re.fullmatch(self.pattern, value):
            raise ValueError(f"{value[:100]!r} is not {self.what}: {self.allowed} ({self.source} naming rules)")
        return value

    def schema(self) -> dict[str, Any]:
        return {
            "type": "string",
            "minLength": self.min_length,
            "maxLength": self.max_length,
            "pattern": f"^(?:{self.pattern})$",
            "description": f"{self.allowed} ({self.source})",
        }


_ALNUM = "[A-Za-z0-9]"

RESOURCE_GROUP = NameRule(
    "a resource group name",
    "Microsoft.Resources/resourcegroups",
    1,
    RESOURCE_GROUP_MAX,
    r"[-\w.()]*[-\w()]",
    "letters, digits, underscores, hyphens, periods and parentheses, not ending with a period",
)
FAILOVER_RESOURCE_GROUP = NameRule(
    RESOURCE_GROUP.what,
    RESOURCE_GROUP.source,
    1,
    FAILOVER_GROUP_MAX,
    RESOURCE_GROUP.pattern,
    RESOURCE_GROUP.allowed,
    why_max=(
        f"a drill names its group <failover_resource_group>-drill-<YYYYmmddHHMMSS>, {DRILL_SUFFIX_LENGTH} more, "
        f"and a resource group name is at most {RESOURCE_GROUP_MAX}"
    ),
)
# Microsoft.Sql: servers and servers/failoverGroups share one rule.
SQL_SERVER = NameRule(
    "a SQL server name",
    "Microsoft.Sql/servers",
    1,
    63,
    "[a-z0-9]([a-z0-9-]*[a-z0-9])?",
    "lowercase letters, digits and hyphens, not starting or ending with a hyphen",
)
SQL_FAILOVER_GROUP = NameRule(
    "a failover group name",
    "Microsoft.Sql/servers/failoverGroups",
    1,
    63,
    SQL_SERVER.pattern,
    SQL_SERVER.allowed,
)
COSMOS_ACCOUNT = NameRule(
    "a Cosmos DB account name",
    "Microsoft.DocumentDB/databaseAccounts",
    3,
    44,
    "[a-z0-9][a-z0-9-]*[a-z0-9]",
    "lowercase letters, digits and hyphens, starting and ending with a letter or digit",
)
# The resource name of a scale set may be 64 characters on Linux (Learn's note below the
# Microsoft.Compute table); the plan's name also names its NIC configuration (`<name>-nic`).
SCALE_SET = NameRule(
    "a scale set name",
    "Microsoft.Compute/virtualMachineScaleSets",
    1,
    64,
    f"{_ALNUM}([A-Za-z0-9-]*{_ALNUM})?",
    "letters, digits and hyphens, starting and ending with a letter or digit",
)
GALLERY = NameRule(
    "a gallery name",
    "Microsoft.Compute/galleries",
    1,
    80,
    f"{_ALNUM}([A-Za-z0-9_.]*{_ALNUM})?",
    "letters, digits, underscores and periods, starting and ending with a letter or digit",
)
GALLERY_IMAGE = NameRule(
    "an image definition name",
    "Microsoft.Compute/galleries/images",
    1,
    80,
    f"{_ALNUM}([A-Za-z0-9_.-]*{_ALNUM})?",
    "letters, digits, underscores, hyphens and periods, starting and ending with a letter or digit",
)
GALLERY_IMAGE_VERSION = NameRule(
    "an image version",
    "Microsoft.Compute/galleries/images/versions",
    5,
    32,
    r"[0-9]{1,10}\.[0-9]{1,10}\.[0-9]{1,10}",
    "three whole numbers, MajorVersion.MinorVersion.Patch",
)
# Microsoft.Network: virtual networks are 2-64 characters, subnets, load balancers and their
# backend pools 1-80, all "alphanumerics, underscores, periods, and hyphens; start with
# alphanumeric, end alphanumeric or underscore".
_NETWORK_PATTERN = f"{_ALNUM}([A-Za-z0-9_.-]*[A-Za-z0-9_])?"
_NETWORK_WORDS = (
    "letters, digits, underscores, periods and hyphens, starting with a letter or digit, ending with one or _"
)
VIRTUAL_NETWORK = NameRule(
    "a virtual network name", "Microsoft.Network/virtualNetworks", 2, 64, _NETWORK_PATTERN, _NETWORK_WORDS
)
SUBNET = NameRule("a subnet name", "Microsoft.Network/virtualnetworks/subnets", 1, 80, _NETWORK_PATTERN, _NETWORK_WORDS)
LOAD_BALANCER = NameRule(
    "a load balancer name", "Microsoft.Network/loadBalancers", 1, 80, _NETWORK_PATTERN, _NETWORK_WORDS
)
BACKEND_POOL = NameRule(
    "a backend pool name", "Microsoft.Network/loadBalancers", 1, 80, _NETWORK_PATTERN, _NETWORK_WORDS
)

# Each resource type the plan names by id: the rule for each of its names, in order.
ID_NAME_RULES: dict[str, tuple[NameRule, ...]] = {
    "microsoft.compute/galleries/images/versions": (GALLERY, GALLERY_IMAGE, GALLERY_IMAGE_VERSION),
    "microsoft.network/virtualnetworks/subnets": (VIRTUAL_NETWORK, SUBNET),
    "microsoft.network/loadbalancers/backendaddresspools": (LOAD_BALANCER, BACKEND_POOL),
    "microsoft.compute/virtualmachinescalesets": (SCALE_SET,),
}
# Characters that would change what an id means once it is part of a URL, whatever its type.
_UNSAFE_IN_PATH = re.compile(r"[\s?#%\\&<>*:]")


def check_id_names(rid: ResourceId) -> None:
    """Every name in a resource id follows its type's rule (and the group's); ValueError if not."""
    RESOURCE_GROUP.check(rid.resource_group)
    for name in rid.names:
        if name in (".", "..") or _UNSAFE_IN_PATH.search(name):
            raise ValueError(f"{name[:100]!r} cannot be part of a resource id (it would change the request's path)")
    rules = ID_NAME_RULES.get(rid.full_type.lower(), ())
    for rule, name in zip(rules, rid.names, strict=False):
        rule.check(name)


# -- DNS ------------------------------------------------------------------------------------

_DNS_LABEL = re.compile(r"[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?")
DNS_NAME_MAX = 253  # RFC 1035 section 2.3.4, in its text form without the final dot


def check_zone_name(value: str) -> str:
    """Microsoft.Network/dnsZones: 2 to 34 labels of alphanumerics, underscores and hyphens, each at
    most 63 characters, separated by periods. A final period is dropped; zones compare lower-cased."""
    zone = value[:-1] if value.endswith(".") else value
    labels = zone.split(".")
    if len(zone) > DNS_NAME_MAX:
        raise ValueError(f"must be at most {DNS_NAME_MAX} characters")
    if not 2 <= len(labels) <= 34:
        raise ValueError(f"{value[:100]!r} is not a DNS zone name: it needs 2 to 34 labels, like contoso.com")
    for label in labels:
        if not _DNS_LABEL.fullmatch(label):
            raise ValueError(
                f"{value[:100]!r} is not a DNS zone name: each label (between periods) is 1-63 letters, digits, "
                "underscores or hyphens (Microsoft.Network/dnsZones naming rules)"
            )
    return zone.lower()


def check_record_name(name: str, zone: str) -> str:
    """A record set name relative to `zone`: `@` for the apex, else labels like the zone's, where
    only the leftmost may be the wildcard `*`; the full name stays within 253 characters."""
    if name == "@":
        return name
    labels = name.split(".")
    for index, label in enumerate(labels):
        if label == "*" and index == 0:
            continue
        if not _DNS_LABEL.fullmatch(label):
            raise ValueError(
                f"{name[:100]!r} is not a record name: use the name relative to the zone (www, api.eu, or @ "
                "for the apex), labels of 1-63 letters, digits, underscores or hyphens separated by periods"
            )
    if name.lower() == zone or name.lower().endswith("." + zone):
        relative = name[: -len(zone) - 1] or "@"
        raise ValueError(f"{name!r} spells the zone: Azure DNS names records relative to it ({relative!r})")
    if len(name) + 1 + len(zone) > DNS_NAME_MAX:
        raise ValueError(f"{name}.{zone} is longer than {DNS_NAME_MAX} characters")
    return name
