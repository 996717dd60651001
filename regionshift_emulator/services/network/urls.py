"""Routes of Microsoft.Network virtual networks, subnets, load balancers and backend pools."""

from regionshift_emulator.core.routing import Rule
from regionshift_emulator.services.network import responses

_NET = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network"
_VNET = _NET + "/virtualNetworks/{virtualNetworkName}"
_LB = _NET + "/loadBalancers/{loadBalancerName}"

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
]
