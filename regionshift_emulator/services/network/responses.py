"""Virtual networks, subnets, load balancers, backend pools and public IPs over HTTP (Microsoft.Network).

Reads of everything, by group and by subscription (the `_ListAll` operations); PUT of a virtual
network or load balancer (with its subnets / pools inline), answered synchronously with the final
state (`provisioningState: Succeeded`), which ARM pollers accept as done.
"""

from __future__ import annotations

from werkzeug.wrappers import Response

from regionshift_emulator.core.routing import ArmRequest, json_response
from regionshift_emulator.services.network.models import LB_TYPE, POOL_TYPE, SUBNET_TYPE, VNET_TYPE, NetworkBackend
from regionshift_emulator.services.network.public_ips import PUBLIC_IP_TYPE, public_ips


def _backend(req: ArmRequest) -> NetworkBackend:
    return req.backend(NetworkBackend)


def _id(req: ArmRequest, type_: str, *names: str) -> str:
    namespace, *types = type_.split("/")
    pairs = "/".join(f"{t}/{req.params[n]}" for t, n in zip(types, names, strict=True))
    return req.resource_id(f"{namespace}/{pairs}")


def _get(req: ArmRequest, type_: str, *names: str) -> Response:
    backend = _backend(req)
    return json_response(backend.render(backend.get(_id(req, type_, *names))))


def get_vnet(req: ArmRequest) -> Response:
    return _get(req, VNET_TYPE, "virtualNetworkName")


def get_subnet(req: ArmRequest) -> Response:
    return _get(req, SUBNET_TYPE, "virtualNetworkName", "subnetName")


def get_lb(req: ArmRequest) -> Response:
    return _get(req, LB_TYPE, "loadBalancerName")


def get_pool(req: ArmRequest) -> Response:
    return _get(req, POOL_TYPE, "loadBalancerName", "backendAddressPoolName")


def list_vnets(req: ArmRequest) -> Response:
    backend, p = _backend(req), req.params
    found = backend.list_in_group(p["subscriptionId"], p["resourceGroupName"], VNET_TYPE)
    return json_response({"value": [backend.render(r) for r in found]})


def list_lbs(req: ArmRequest) -> Response:
    backend, p = _backend(req), req.params
    found = backend.list_in_group(p["subscriptionId"], p["resourceGroupName"], LB_TYPE)
    return json_response({"value": [backend.render(r) for r in found]})


def list_subnets(req: ArmRequest) -> Response:
    backend = _backend(req)
    found = backend.children(_id(req, VNET_TYPE, "virtualNetworkName"), SUBNET_TYPE)
    return json_response({"value": [backend.render(r) for r in found]})


def list_pools(req: ArmRequest) -> Response:
    backend = _backend(req)
    found = backend.children(_id(req, LB_TYPE, "loadBalancerName"), POOL_TYPE)
    return json_response({"value": [backend.render(r) for r in found]})


def put_vnet(req: ArmRequest) -> Response:
    p, backend = req.params, _backend(req)
    vnet, created = backend.put_virtual_network(
        p["subscriptionId"], p["resourceGroupName"], p["virtualNetworkName"], req.json()
    )
    return json_response(backend.render(vnet), 201 if created else 200)


def put_lb(req: ArmRequest) -> Response:
    p, backend = req.params, _backend(req)
    lb, created = backend.put_load_balancer(
        p["subscriptionId"], p["resourceGroupName"], p["loadBalancerName"], req.json()
    )
    return json_response(backend.render(lb), 201 if created else 200)


def list_all_vnets(req: ArmRequest) -> Response:
    backend = _backend(req)
    found = backend.list_in_subscription(req.params["subscriptionId"], VNET_TYPE)
    return json_response({"value": [backend.render(r) for r in found]})


def list_all_lbs(req: ArmRequest) -> Response:
    backend = _backend(req)
    found = backend.list_in_subscription(req.params["subscriptionId"], LB_TYPE)
    return json_response({"value": [backend.render(r) for r in found]})


def list_all_public_ips(req: ArmRequest) -> Response:
    found = public_ips(req.state, req.params["subscriptionId"])
    return json_response({"value": [r.render(with_etag=True) for r in found]})


def list_public_ips(req: ArmRequest) -> Response:
    found = public_ips(req.state, req.params["subscriptionId"], req.params["resourceGroupName"])
    return json_response({"value": [r.render(with_etag=True) for r in found]})


def get_public_ip(req: ArmRequest) -> Response:
    found = _backend(req).get(_id(req, PUBLIC_IP_TYPE, "publicIpAddressName"))
    return json_response(found.render(with_etag=True))
