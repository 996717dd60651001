"""Cosmos DB accounts over HTTP (api-version 2026-03-15, azure-mgmt-cosmosdb 10.0.0)."""

from __future__ import annotations

from werkzeug.wrappers import Response

from regionshift_emulator.core.routing import ArmRequest, json_response
from regionshift_emulator.services.cosmos.models import ACCOUNT_TYPE, CosmosBackend


def _account_id(req: ArmRequest) -> str:
    return req.resource_id(f"Microsoft.DocumentDB/databaseAccounts/{req.params['accountName']}")


def get_account(req: ArmRequest) -> Response:
    backend = req.backend(CosmosBackend)
    return json_response(backend.render(backend.account(_account_id(req)), req.base_url))


def list_accounts(req: ArmRequest) -> Response:
    """DatabaseAccounts_List and _ListByResourceGroup (azure-rest-api-specs `specification/cosmos-db/
    resource-manager/Microsoft.DocumentDB/stable/2024-11-15/cosmos-db.json`, examples
    `CosmosDBDatabaseAccountList.json`, `CosmosDBDatabaseAccountListByResourceGroup.json`). An
    account spans regions and answers whatever region is down, as its GET does."""
    backend = req.backend(CosmosBackend)
    subscription, group = req.params["subscriptionId"], req.params.get("resourceGroupName")
    if group is not None:
        req.state.store.require_group(subscription, group)
    prefix = f"/subscriptions/{subscription}/" + (f"resourcegroups/{group}/" if group else "")
    found = sorted(
        (a for a in req.state.store.of_type(ACCOUNT_TYPE) if a.key.startswith(prefix.lower())), key=lambda a: a.key
    )
    return json_response({"value": [backend.render(a, req.base_url) for a in found]})


def failover_priority_change(req: ArmRequest) -> Response:
    backend = req.backend(CosmosBackend)
    account = backend.account(_account_id(req))
    op = backend.begin_priority_change(account, req.json().get("failoverPolicies"))
    return req.state.operations.accepted(op, req)


def offline_region(req: ArmRequest) -> Response:
    backend = req.backend(CosmosBackend)
    account = backend.account(_account_id(req))
    op = backend.begin_offline(account, req.json().get("region"))
    return req.state.operations.accepted(op, req)


def online_region(req: ArmRequest) -> Response:
    backend = req.backend(CosmosBackend)
    backend.online(backend.account(_account_id(req)), req.json().get("region"))
    raise AssertionError("online() always refuses")  # pragma: no cover
