"""Network state: virtual networks with subnets, load balancers with backend address pools.

Only what scale sets reference is modelled: a subnet or backend pool exists in a region (its
parent's location). Children are their own store resources (`.../subnets/{name}`,
`.../backendAddressPools/{name}`) so that the compute service can look one up by the id a scale
set names, and the parent renders them inline as the Network RP does. Writes are synchronous:
the seed pre-provisions the secondary network, and a PUT answers with the final state.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from regionshift_emulator.core.errors import ArmError, BadRequest
from regionshift_emulator.core.regions import UnknownRegion, short_name
from regionshift_emulator.core.service import Backend
from regionshift_emulator.core.store import Resource, group_id

VNET_TYPE = "Microsoft.Network/virtualNetworks"
SUBNET_TYPE = "Microsoft.Network/virtualNetworks/subnets"
LB_TYPE = "Microsoft.Network/loadBalancers"
POOL_TYPE = "Microsoft.Network/loadBalancers/backendAddressPools"


class InvalidResourceReference(ArmError):
    """What Azure answers when a resource names a subnet / pool that is missing or in another region."""

    status, code = 400, "InvalidResourceReference"

    def __init__(self, referenced: str, referencing: str) -> None:
        super().__init__(
            f"Resource {referenced} referenced by resource {referencing} was not found. Please make sure "
            "that the referenced resource exists, and that both resources are in the same region."
        )


def _location(value: Any) -> str:
    if not isinstance(value, str):
        raise BadRequest("The 'location' property is required.", code="LocationRequired")
    try:
        return short_name(value)
    except UnknownRegion as exc:
        raise BadRequest(str(exc), code="LocationNotAvailableForResourceType") from None


class NetworkBackend(Backend):
    """Virtual networks, subnets, load balancers and backend pools in the shared store."""

    # --- reads ---------------------------------------------------------------------------------

    def get(self, resource_id: str) -> Resource:
        """A network resource by id (404 as ARM words it); the region must be up to read it."""
        resource = self.state.store.require(resource_id)
        self.state.require_region_up(self.region_of(resource), "network")
        return resource

    def region_of(self, resource: Resource) -> str:
        """A child has no location of its own in ARM: it is in its parent's region."""
        if resource.type in (SUBNET_TYPE, POOL_TYPE):
            parent = self.state.store.get(resource.id.rsplit("/", 2)[0])
            return parent.location if parent else resource.location
        return resource.location

    def render(self, resource: Resource) -> dict[str, Any]:
        """ARM JSON; a parent shows its children inline, a child has no location."""
        body = resource.render(with_etag=True)
        if resource.type in (SUBNET_TYPE, POOL_TYPE):
            body.pop("location", None)
        elif resource.type in (VNET_TYPE, LB_TYPE):
            child_type, key = (
                (SUBNET_TYPE, "subnets") if resource.type == VNET_TYPE else (POOL_TYPE, "backendAddressPools")
            )
            children = sorted(self.state.store.under(resource.id, child_type), key=lambda r: r.key)
            body["properties"] = {**resource.properties, key: [self.render(c) for c in children]}
        return body

    def list_in_group(self, subscription_id: str, resource_group: str, type_: str) -> list[Resource]:
        self.state.store.require_group(subscription_id, resource_group)
        return sorted(self.state.store.under(group_id(subscription_id, resource_group), type_), key=lambda r: r.key)

    def list_in_subscription(self, subscription_id: str, type_: str) -> list[Resource]:
        """Virtual networks (or load balancers) of a subscription in regions that answer: the
        `_ListAll` operations (`virtualNetwork.json`, `loadBalancer.json` in azure-rest-api-specs
        Microsoft.Network stable/2024-05-01). A region in outage is left out of the list, harsher
        than Azure's partial answers, which are not documented (as the SQL server list does)."""
        prefix = f"/subscriptions/{subscription_id}/".lower()
        found = [
            r
            for r in self.state.store.of_type(type_)
            if r.key.startswith(prefix) and not self.state.region_down(r.location, "network")
        ]
        return sorted(found, key=lambda r: r.key)

    def children(self, parent_id: str, type_: str) -> list[Resource]:
        self.get(parent_id)
        return sorted(self.state.store.under(parent_id, type_), key=lambda r: r.key)

    def find_in_region(self, resource_id: str, type_: str, region: str) -> Resource | None:
        """The subnet / pool `resource_id` if it exists, is of `type_` and is in `region`."""
        resource = self.state.store.get(resource_id)
        if resource is None or resource.type.lower() != type_.lower():
            return None
        return resource if self.region_of(resource) == short_name(region) else None

    # --- writes --------------------------------------------------------------------------------

    def put_virtual_network(
        self, subscription_id: str, resource_group: str, name: str, body: dict[str, Any]
    ) -> tuple[Resource, bool]:
        """Create or replace a virtual network and the subnets its body lists."""
        location = _location(body.get("location"))
        self.state.store.require_group(subscription_id, resource_group)
        self.state.require_region_up(location, "network")
        props = body.get("properties") or {}
        prefixes = (props.get("addressSpace") or {}).get("addressPrefixes") or []
        for prefix in prefixes:
            _network(prefix, "properties.addressSpace.addressPrefixes")
        vnet_id = f"{group_id(subscription_id, resource_group)}/providers/{VNET_TYPE}/{name}"
        subnets = {}
        for index, subnet in enumerate(props.get("subnets") or []):
            sub_name = subnet.get("name") if isinstance(subnet, dict) else None
            if not sub_name:
                raise BadRequest(f"properties.subnets[{index}].name is required.")
            prefix = (subnet.get("properties") or {}).get("addressPrefix")
            subnets[sub_name] = _network(prefix, f"properties.subnets[{index}].properties.addressPrefix")
        with self.state.store.lock:
            created = self.state.store.get(vnet_id) is None
            self.state.store.delete_tree(vnet_id)
            vnet = self.state.store.put(
                Resource(
                    id=vnet_id,
                    type=VNET_TYPE,
                    location=location,
                    tags=dict(body.get("tags") or {}),
                    properties={"addressSpace": {"addressPrefixes": list(prefixes)}, "provisioningState": "Succeeded"},
                )
            )
            for sub_name, prefix in subnets.items():
                self.state.store.put(
                    Resource(
                        id=f"{vnet_id}/subnets/{sub_name}",
                        type=SUBNET_TYPE,
                        location=location,
                        properties={"addressPrefix": prefix, "provisioningState": "Succeeded"},
                    )
                )
        return vnet, created

    def put_load_balancer(
        self, subscription_id: str, resource_group: str, name: str, body: dict[str, Any]
    ) -> tuple[Resource, bool]:
        """Create or replace a load balancer and the backend pools its body lists."""
        location = _location(body.get("location"))
        self.state.store.require_group(subscription_id, resource_group)
        self.state.require_region_up(location, "network")
        props = body.get("properties") or {}
        lb_id = f"{group_id(subscription_id, resource_group)}/providers/{LB_TYPE}/{name}"
        pools = []
        for index, pool in enumerate(props.get("backendAddressPools") or []):
            if not isinstance(pool, dict) or not pool.get("name"):
                raise BadRequest(f"properties.backendAddressPools[{index}].name is required.")
            pools.append(pool["name"])
        with self.state.store.lock:
            created = self.state.store.get(lb_id) is None
            self.state.store.delete_tree(lb_id)
            lb = self.state.store.put(
                Resource(
                    id=lb_id,
                    type=LB_TYPE,
                    location=location,
                    tags=dict(body.get("tags") or {}),
                    extra={"sku": body.get("sku") or {"name": "Standard", "tier": "Regional"}},
                    properties={
                        "provisioningState": "Succeeded",
                        "frontendIPConfigurations": [],
                        "loadBalancingRules": [],
                        "probes": [],
                    },
                )
            )
            for pool in pools:
                self.state.store.put(
                    Resource(
                        id=f"{lb_id}/backendAddressPools/{pool}",
                        type=POOL_TYPE,
                        location=location,
                        properties={"provisioningState": "Succeeded", "loadBalancerBackendAddresses": []},
                    )
                )
        return lb, created

    def ensure_subnet(self, subnet_id: str, location: str, prefix: str = "10.1.0.0/24") -> Resource:
        """Seeding: the subnet and, when missing, its virtual network in `location`."""
        vnet_id = subnet_id.rsplit("/", 2)[0]
        parts = vnet_id.strip("/").split("/")
        if self.state.store.get(vnet_id) is None:
            body = {"location": location, "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/8"]}}}
            self.put_virtual_network(parts[1], parts[3], parts[-1], body)
        existing = self.state.store.get(subnet_id)
        if existing is not None:
            return existing
        return self.state.store.put(
            Resource(
                id=subnet_id,
                type=SUBNET_TYPE,
                location=short_name(location),
                properties={"addressPrefix": prefix, "provisioningState": "Succeeded"},
            )
        )

    def ensure_backend_pool(self, pool_id: str, location: str) -> Resource:
        """Seeding: the backend pool and, when missing, its load balancer in `location`."""
        lb_id = pool_id.rsplit("/", 2)[0]
        parts = lb_id.strip("/").split("/")
        if self.state.store.get(lb_id) is None:
            self.put_load_balancer(parts[1], parts[3], parts[-1], {"location": location})
        existing = self.state.store.get(pool_id)
        if existing is not None:
            return existing
        return self.state.store.put(
            Resource(
                id=pool_id,
                type=POOL_TYPE,
                location=short_name(location),
                properties={"provisioningState": "Succeeded", "loadBalancerBackendAddresses": []},
            )
        )


def _network(value: Any, where: str) -> str:
    try:
        return str(ipaddress.ip_network(value, strict=False)) if isinstance(value, str) else _bad(value, where)
    except ValueError:
        return _bad(value, where)


def _bad(value: Any, where: str) -> str:
    raise BadRequest(f"{where}: {value!r} is not a valid address prefix (CIDR).", code="InvalidAddressPrefix")
