"""Routes of Microsoft.Network virtual networks, subnets, load balancers, backend pools and public IPs.

The subscription-wide lists are the `_ListAll` operations of azure-rest-api-specs Microsoft.Network
stable/2024-05-01 (`virtualNetwork.json`, `loadBalancer.json`, `publicIpAddress.json`)."""

from regionshift_emulator.core.routing import Rule
from regionshift_emulator.services.network import responses

_NET = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network"
_VNET = _NET + "/virtualNetworks/{virtualNetworkName}"
_LB = _NET + "/loadBalancers/{loadBalancerName}"
_ALL = "/subscriptions/{subscriptionId}/providers/Microsoft.Network"

RULES = [
    Rule(_NET + "/virtualNetworks", ["GET"], responses.list_vnets),
    Rule(_VNET, ["GET"], responses.get_vnet),
    Rule(_VNET, ["PUT"], responses.put_vnet),
    Rule(_VNET + "/subnets", ["GET"], responses.list_subnets),
    Rule(_VNET + "/subnets/{subnetName}", ["GET"], responses.get_subnet),
    Rule(_NET + "/loadBalancers", ["GET"], responses.list_lbs),
    Rule(_LB, ["GET"], responses.get_lb),
    Rule(_LB, ["PUT"], responses.put_lb),
    Rule(_LB + "/backendAddressPools", ["GET"], responses.list_pools),
    Rule(_LB + "/backendAddressPools/{backendAddressPoolName}", ["GET"], responses.get_pool),
    Rule(_NET + "/publicIPAddresses", ["GET"], responses.list_public_ips),
    Rule(_NET + "/publicIPAddresses/{publicIpAddressName}", ["GET"], responses.get_public_ip),
    Rule(_ALL + "/virtualNetworks", ["GET"], responses.list_all_vnets),
    Rule(_ALL + "/loadBalancers", ["GET"], responses.list_all_lbs),
    Rule(_ALL + "/publicIPAddresses", ["GET"], responses.list_all_public_ips),
]
