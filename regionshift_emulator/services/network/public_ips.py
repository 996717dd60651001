"""Public IP addresses (Microsoft.Network/publicIPAddresses): what DNS records point at.

Shape and routes from azure-rest-api-specs `specification/network/resource-manager/Microsoft.Network/
stable/2024-05-01/publicIpAddress.json` (PublicIPAddresses_Get, _List, _ListAll; examples
`PublicIpAddressGet.json`, `PublicIpAddressListAll.json`): `properties.ipAddress`,
`publicIPAddressVersion` (IPv4 | IPv6), `publicIPAllocationMethod`, and `dnsSettings` with the
`domainNameLabel`, the `fqdn` Azure derives from it and the region (`<label>.<region>.cloudapp.azure.com`,
"Public IP addresses", Learn: "DNS name label") and the user's own `reverseFqdn`, "a user-visible,
fully qualified domain name that resolves to this public IP address" (the spec's description). A
public IP is regional: reading one asks its region, and a list of the subscription leaves out the
regions in outage (harsher than Azure's list, whose behaviour during an outage is not documented; as
the SQL server list does). Created by the seed only (no PUT): the app never writes one.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any

from regionshift_emulator.core.regions import short_name
from regionshift_emulator.core.store import Resource

if TYPE_CHECKING:
    from regionshift_emulator.core.state import EmulatorState

PUBLIC_IP_TYPE = "Microsoft.Network/publicIPAddresses"


def ensure_public_ip(
    state: EmulatorState,
    public_ip_id: str,
    location: str,
    address: str,
    *,
    reverse_fqdn: str | None = None,
    label: str | None = None,
) -> Resource:
    """Seeding: a static public IP (idempotent: an existing one is kept as it is)."""
    existing = state.store.get(public_ip_id)
    if existing is not None:
        return existing
    region = short_name(location)
    version = "IPv6" if ipaddress.ip_address(address).version == 6 else "IPv4"
    dns: dict[str, str] = {}
    if label:
        dns.update(domainNameLabel=label, fqdn=f"{label}.{region}.cloudapp.azure.com")
    if reverse_fqdn:
        dns["reverseFqdn"] = reverse_fqdn if reverse_fqdn.endswith(".") else reverse_fqdn + "."
    properties: dict[str, Any] = {
        "provisioningState": "Succeeded",
        "ipAddress": address,
        "publicIPAddressVersion": version,
        "publicIPAllocationMethod": "Static",
        "idleTimeoutInMinutes": 4,
    }
    if dns:
        properties["dnsSettings"] = dns
    return state.store.put(
        Resource(
            id=public_ip_id,
            type=PUBLIC_IP_TYPE,
            location=region,
            extra={"sku": {"name": "Standard", "tier": "Regional"}},
            properties=properties,
        )
    )


def public_ips(state: EmulatorState, subscription_id: str, resource_group: str | None = None) -> list[Resource]:
    """The subscription's (or group's) public IPs in regions that answer, in id order."""
    prefix = f"/subscriptions/{subscription_id}/".lower()
    if resource_group is not None:
        state.store.require_group(subscription_id, resource_group)
        prefix += f"resourcegroups/{resource_group.lower()}/"
    found = [
        r
        for r in state.store.of_type(PUBLIC_IP_TYPE)
        if r.key.startswith(prefix) and not state.region_down(r.location, "network")
    ]
    return sorted(found, key=lambda r: r.key)
