"""Resources - List By Resource Group through the real ResourceManagementClient: the top-level
resources of a group with their tags, whichever service owns them, and not their children."""

from __future__ import annotations

import pytest
from azure.core.exceptions import ResourceNotFoundError
from azure.mgmt.resource.resources import ResourceManagementClient

from regionshift.plan import Plan
from regionshift_emulator.core.store import Resource
from regionshift_emulator.server import Emulator
from regionshift_emulator.testing import sdk_client

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"


def test_a_group_lists_its_top_level_resources_of_every_service(emulator: Emulator, example_plan: Plan) -> None:
    group = example_plan.sql_failover_groups[0].resource_group
    client = sdk_client(emulator, ResourceManagementClient, SUBSCRIPTION)
    listed = {(r.type, r.name) for r in client.resources.list_by_resource_group(group)}
    expected = {r.type for r in emulator.state.store.under(f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{group}")}
    assert ("Microsoft.Sql/servers", example_plan.sql_failover_groups[0].server) in listed
    assert "Microsoft.Sql/servers/failoverGroups" in expected  # a child: in the group, not listed
    assert all("/" not in t.split("/", 1)[1] for t, _ in listed)


def test_tags_are_listed_with_each_resource(fresh_emulator: Emulator) -> None:
    client = sdk_client(fresh_emulator, ResourceManagementClient, SUBSCRIPTION)
    client.resource_groups.create_or_update("rg-list", {"location": "centralus"})
    fresh_emulator.state.store.put(
        Resource(
            id=f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-list/providers/Microsoft.Storage/storageAccounts/st1",
            type="Microsoft.Storage/storageAccounts",
            location="centralus",
            tags={"owner": "data-team"},
        )
    )
    (found,) = client.resources.list_by_resource_group("rg-list")
    assert (found.name, found.tags) == ("st1", {"owner": "data-team"})


def test_listing_a_missing_group_is_resource_group_not_found(emulator: Emulator) -> None:
    client = sdk_client(emulator, ResourceManagementClient, SUBSCRIPTION)
    with pytest.raises(ResourceNotFoundError):
        list(client.resources.list_by_resource_group("no-such-group"))
