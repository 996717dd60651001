"""Cloud metadata the Azure CLI needs to use the emulator as a custom cloud, and the subscription list.

ARM answers `/metadata/endpoints` in three shapes by api-version: up to 2018 the Azure Stack Hub object
without suffixes; 2019-05-01 to 2020-06-01 a list of every cloud; from 2022-09-01 one cloud object
with its name and suffixes. Azure CLI 2.7x+ (`az cloud register --endpoint-resource-manager URL`)
asks for 2022-09-01 and reads that object's `suffixes` by key, so the list shape breaks it.
`az login --identity` then lists `/subscriptions` (and `/tenants`) with the managed identity's token.
"""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request, Response

from regionshift_emulator.core.errors import ArmError
from regionshift_emulator.core.routing import ArmRequest, Rule, json_response
from regionshift_emulator.core.state import EmulatorState

AUDIENCE = "https://management.azure.com/"
LOGIN = "https://login.microsoftonline.com/"


def endpoints(request: Request) -> Response:
    """No auth, as Azure's own metadata endpoint needs none."""
    base = request.host_url
    if request.args.get("api-version", "2015-01-01") <= "2018-01-01":
        return json_response(
            {
                "galleryEndpoint": base,
                "graphEndpoint": "https://graph.windows.net/",
                "portalEndpoint": base,
                "authentication": {"loginEndpoint": LOGIN, "audiences": [AUDIENCE]},
            }
        )
    cloud = _cloud(base)
    return json_response(cloud if request.args.get("api-version", "") >= "2022-09-01" else [cloud])


def _cloud(base: str) -> dict[str, Any]:
    return {
        "name": "RegionshiftEmulator",
        "resourceManager": base,
        "portal": base,
        "gallery": base,
        "graph": "https://graph.windows.net/",
        "microsoftGraphResourceId": "https://graph.microsoft.com/",
        "authentication": {
            "loginEndpoint": LOGIN,
            "audiences": [AUDIENCE, "https://management.core.windows.net/"],
            "tenant": "common",
            "identityProvider": "AAD",
        },
        "suffixes": {"sqlServerHostname": "database.windows.net", "storage": "core.windows.net"},
    }


def subscription_body(state: EmulatorState, subscription_id: str) -> dict[str, Any]:
    return {
        "id": f"/subscriptions/{subscription_id}",
        "authorizationSource": "RoleBased",
        "managedByTenants": [],
        "subscriptionId": subscription_id,
        "tenantId": state.tenant_id,
        "displayName": f"regionshift {state.plan.name}",
        "state": "Enabled",
        "subscriptionPolicies": {
            "locationPlacementId": "Public_2014-09-01",
            "quotaId": "PayAsYouGo_2014-09-01",
            "spendingLimit": "Off",
        },
    }


def _list_subscriptions(req: ArmRequest) -> Response:
    return json_response({"value": [subscription_body(req.state, s) for s in req.state.subscriptions()]})


def _get_subscription(req: ArmRequest) -> Response:
    wanted = req.params["subscriptionId"]
    for sub in req.state.subscriptions():
        if sub.lower() == wanted.lower():
            return json_response(subscription_body(req.state, sub))
    raise ArmError(f"The subscription '{wanted}' could not be found.", code="SubscriptionNotFound", status=404)


def _list_tenants(req: ArmRequest) -> Response:
    tenant = req.state.tenant_id
    return json_response(
        {
            "value": [
                {
                    "id": f"/tenants/{tenant}",
                    "tenantId": tenant,
                    "tenantCategory": "Home",
                    "countryCode": "US",
                    "displayName": "regionshift emulator",
                    "domains": ["regionshift.example"],
                    "defaultDomain": "regionshift.example",
                    "tenantType": "AAD",
                }
            ]
        }
    )


RULES = [
    Rule("/subscriptions", ["GET"], _list_subscriptions),
    Rule("/subscriptions/{subscriptionId}", ["GET"], _get_subscription),
    Rule("/tenants", ["GET"], _list_tenants),
]
