"""Resource groups through the real ResourceManagementClient (azure-mgmt-resource 26)."""

from __future__ import annotations

import pytest
from azure.core.exceptions import ResourceNotFoundError
from azure.mgmt.resource.resources import ResourceManagementClient

from regionshift_emulator.core.store import Resource
from regionshift_emulator.server import Emulator
from regionshift_emulator.testing import sdk_client as _sdk_client

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"


def sdk_client(emulator: Emulator, cls: type[ResourceManagementClient]) -> ResourceManagementClient:
    return _sdk_client(emulator, cls, SUBSCRIPTION)


def test_seeded_group_is_in_the_primary_region(emulator: Emulator) -> None:
    group = sdk_client(emulator, ResourceManagementClient).resource_groups.get("rg-data-eus2")
    assert (group.name, group.location, group.properties.provisioning_state) == ("rg-data-eus2", "eastus2", "Succeeded")


def test_create_then_get_with_other_casing(emulator: Emulator) -> None:
    client = sdk_client(emulator, ResourceManagementClient)
    created = client.resource_groups.create_or_update("Contoso-DR-Test", {"location": "Central US", "tags": {"a": "b"}})
    fetched = client.resource_groups.get("contoso-dr-test")
    assert (created.location, fetched.name, fetched.tags) == ("centralus", "Contoso-DR-Test", {"a": "b"})


def test_check_existence_answers_true_and_false(emulator: Emulator) -> None:
    groups = sdk_client(emulator, ResourceManagementClient).resource_groups
    assert (groups.check_existence("rg-data-eus2"), groups.check_existence("no-such-group")) == (True, False)


def test_missing_group_is_resource_group_not_found(emulator: Emulator) -> None:
    with pytest.raises(ResourceNotFoundError) as caught:
        sdk_client(emulator, ResourceManagementClient).resource_groups.get("no-such-group")
    assert caught.value.error is not None and caught.value.error.code == "ResourceGroupNotFound"


def test_delete_cascades_to_resources_inside(fresh_emulator: Emulator) -> None:
    state = fresh_emulator.state
    inside = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-data-eus2/providers/Microsoft.Example/things/t1"
    state.store.put(Resource(id=inside, type="Microsoft.Example/things", location="eastus2"))
    sdk_client(fresh_emulator, ResourceManagementClient).resource_groups.begin_delete("rg-data-eus2").result()
    assert state.store.get(inside) is None
    assert state.store.get(f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-data-eus2") is None


def test_delete_in_progress_shows_deleting(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario({"latencies": {"resources.deleteGroup": 600}})
    client = sdk_client(fresh_emulator, ResourceManagementClient)
    client.resource_groups.begin_delete("rg-data-eus2", polling=False)  # the poller would sleep out Retry-After
    assert client.resource_groups.get("rg-data-eus2").properties.provisioning_state == "Deleting"
    fresh_emulator.advance(600)
    assert client.resource_groups.check_existence("rg-data-eus2") is False
