"""Azure resource ids: parse, build and check their type.

An id looks like `/subscriptions/{sub}/resourceGroups/{rg}/providers/{Namespace}/{type}/{name}`
followed by any number of `/{child type}/{child name}` pairs. Comparisons of types and names
are case-insensitive, as ARM's are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


@dataclass(frozen=True)
class ResourceId:
    subscription_id: str
    resource_group: str
    namespace: str
    types: tuple[str, ...]
    names: tuple[str, ...]

    @property
    def full_type(self) -> str:
        """`Microsoft.Compute/galleries/images/versions` for a gallery image version id."""
        return "/".join((self.namespace, *self.types))

    @property
    def name(self) -> str:
        return self.names[-1]

    def is_type(self, full_type: str) -> bool:
        return self.full_type.lower() == full_type.lower()

    def __str__(self) -> str:
        pairs = "/".join(f"{t}/{n}" for t, n in zip(self.types, self.names, strict=True))
        return (
            f"/subscriptions/{self.subscription_id}/resourceGroups/{self.resource_group}"
            f"/providers/{self.namespace}/{pairs}"
        )


def parse_resource_id(value: str) -> ResourceId:
    """Parse a resource id, raising ValueError with a short reason when it is not one."""
    parts = value.strip("/").split("/")
    if len(parts) < 8 or parts[0].lower() != "subscriptions" or parts[2].lower() != "resourcegroups":
        raise ValueError(
            "must be a resource id like /subscriptions/{id}/resourceGroups/{group}/providers/{type}/{name}"
        )
    if parts[4].lower() != "providers":
        raise ValueError("must name a provider after the resource group (/providers/...)")
    if not _GUID.match(parts[1]):
        raise ValueError(f"subscription id {parts[1]!r} is not a GUID")
    rest = parts[6:]
    if len(rest) % 2 != 0 or any(not p for p in parts):
        raise ValueError("must alternate resource types and names after the provider namespace")
    return ResourceId(
        subscription_id=parts[1],
        resource_group=parts[3],
        namespace=parts[5],
        types=tuple(rest[0::2]),
        names=tuple(rest[1::2]),
    )


def is_guid(value: str) -> bool:
    return bool(_GUID.match(value))
