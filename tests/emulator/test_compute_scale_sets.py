"""Scale sets through the real ComputeManagementClient (azure-mgmt-compute 39, api 2026-04-01)."""

from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.compute.models import VirtualMachineScaleSet, VirtualMachineScaleSetUpdate

from regionshift.plan import Plan
from regionshift_emulator.server import Emulator
from regionshift_emulator.services.compute.gallery import set_replica
from regionshift_emulator.services.compute.responses import PAGE_SIZE
from regionshift_emulator.testing import raw, scale_set_body, sdk_client, token_for

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"

NET = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-dr-cus/providers/Microsoft.Network"
SUBNET = f"{NET}/virtualNetworks/vnet-cus/subnets/web"
POOL = f"{NET}/loadBalancers/lb-cus/backendAddressPools/web"
IMAGE = (
    f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-dr-cus/providers/Microsoft.Compute"
    "/galleries/gal/images/web/versions/1.4.0"
)
WORKER = "worker-cus"


def definition(capacity: int = 3, location: str = "centralus", subnet: str = SUBNET) -> VirtualMachineScaleSet:
    """A scale set as the app defines one: gallery image, subnet, backend pool, capacity."""
    body = scale_set_body(image=IMAGE, subnet=subnet, backend_pool=POOL, capacity=capacity, location=location)
    return VirtualMachineScaleSet(body)


def compute(emulator: Emulator) -> ComputeManagementClient:
    return sdk_client(emulator, ComputeManagementClient, SUBSCRIPTION)


def error_code(exc: HttpResponseError) -> str | None:
    return exc.error.code if exc.error is not None else None


def test_create_from_replicated_image_succeeds_with_running_instances(fresh_emulator: Emulator) -> None:
    client = compute(fresh_emulator)
    vmss = client.virtual_machine_scale_sets.begin_create_or_update("rg-dr-cus", "web", definition(3)).result()
    vms = list(client.virtual_machine_scale_set_vms.list("rg-dr-cus", "web", expand="instanceView"))
    powers = [s.code for vm in vms for s in vm.properties.instance_view.statuses if s.code.startswith("PowerState/")]
    assert (vmss.properties.provisioning_state, vmss.sku.capacity, vmss.location) == ("Succeeded", 3, "centralus")
    assert [vm.properties.provisioning_state for vm in vms] == ["Succeeded"] * 3
    assert powers == ["PowerState/running"] * 3


def test_create_shows_creating_until_the_emulated_duration_passes(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario({"latencies": {"compute.vmss.create": 300}})
    client = compute(fresh_emulator)
    # No polling: this pins the state during the operation, not the SDK's poller.
    client.virtual_machine_scale_sets.begin_create_or_update("rg-dr-cus", "web", definition(2), polling=False)
    during = client.virtual_machine_scale_sets.get("rg-dr-cus", "web").properties.provisioning_state
    states = [vm.properties.provisioning_state for vm in client.virtual_machine_scale_set_vms.list("rg-dr-cus", "web")]
    fresh_emulator.advance(300)
    after = client.virtual_machine_scale_sets.get("rg-dr-cus", "web").properties.provisioning_state
    assert (during, states, after) == ("Creating", ["Creating", "Creating"], "Succeeded")


def test_create_fails_when_the_image_has_no_replica_in_the_region(fresh_emulator: Emulator) -> None:
    set_replica(fresh_emulator.state.store, IMAGE, "centralus", None)
    with pytest.raises(ResourceNotFoundError) as caught:
        compute(fresh_emulator).virtual_machine_scale_sets.begin_create_or_update("rg-dr-cus", "web", definition())
    assert error_code(caught.value) == "GalleryImageNotFound"
    assert "is not available in centralus region" in str(caught.value)


def test_create_fails_during_the_region_outage(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario({"outage": ["centralus"], "latencies": {"default": 0}})
    with pytest.raises(HttpResponseError) as caught:
        compute(fresh_emulator).virtual_machine_scale_sets.begin_create_or_update("rg-dr-cus", "web", definition())
    assert (caught.value.status_code, error_code(caught.value)) == (504, "GatewayTimeout")


def test_create_fails_with_a_subnet_in_another_region(fresh_emulator: Emulator) -> None:
    # The subnet exists in centralus; a scale set in eastus2 cannot use it.
    with pytest.raises(HttpResponseError) as caught:
        compute(fresh_emulator).virtual_machine_scale_sets.begin_create_or_update(
            "rg-dr-cus", "web", definition(location="eastus2")
        )
    assert (caught.value.status_code, error_code(caught.value)) == (400, "InvalidResourceReference")


def test_create_fails_with_a_missing_subnet(fresh_emulator: Emulator) -> None:
    with pytest.raises(HttpResponseError) as caught:
        compute(fresh_emulator).virtual_machine_scale_sets.begin_create_or_update(
            "rg-dr-cus", "web", definition(subnet=SUBNET.replace("/web", "/nope"))
        )
    assert error_code(caught.value) == "InvalidResourceReference"


def test_create_in_a_missing_group_is_resource_group_not_found(fresh_emulator: Emulator) -> None:
    with pytest.raises(ResourceNotFoundError) as caught:
        compute(fresh_emulator).virtual_machine_scale_sets.begin_create_or_update("contoso-dr", "web", definition())
    assert error_code(caught.value) == "ResourceGroupNotFound"


def test_seeded_scale_mode_set_is_idle_in_the_secondary(emulator: Emulator, example_plan: Plan) -> None:
    vmss = compute(emulator).virtual_machine_scale_sets.get("rg-dr-cus", WORKER)
    assert (vmss.location, vmss.sku.capacity, vmss.properties.provisioning_state) == (
        example_plan.regions.secondary,
        0,
        "Succeeded",
    )


def test_patch_scales_the_capacity_and_instances(fresh_emulator: Emulator) -> None:
    client = compute(fresh_emulator)
    update = VirtualMachineScaleSetUpdate({"sku": {"capacity": 2}})
    vmss = client.virtual_machine_scale_sets.begin_update("rg-dr-cus", WORKER, update).result()
    vms = list(client.virtual_machine_scale_set_vms.list("rg-dr-cus", WORKER))
    assert (vmss.sku.capacity, vmss.properties.provisioning_state, len(vms)) == (2, "Succeeded", 2)


def test_scale_in_keeps_surplus_instances_deleting_until_done(fresh_emulator: Emulator) -> None:
    client = compute(fresh_emulator)
    client.virtual_machine_scale_sets.begin_create_or_update("rg-dr-cus", "web", definition(3)).result()
    fresh_emulator.set_scenario({"latencies": {"compute.vmss.update": 120}})
    update = VirtualMachineScaleSetUpdate({"sku": {"capacity": 1}})
    client.virtual_machine_scale_sets.begin_update("rg-dr-cus", "web", update, polling=False)
    states = [vm.properties.provisioning_state for vm in client.virtual_machine_scale_set_vms.list("rg-dr-cus", "web")]
    fresh_emulator.advance(120)
    after = list(client.virtual_machine_scale_set_vms.list("rg-dr-cus", "web"))
    assert (states, [vm.instance_id for vm in after]) == (["Succeeded", "Deleting", "Deleting"], ["0"])


def test_capacity_out_of_range_is_invalid_parameter(emulator: Emulator) -> None:
    with pytest.raises(HttpResponseError) as caught:
        compute(emulator).virtual_machine_scale_sets.begin_update(
            "rg-dr-cus", WORKER, VirtualMachineScaleSetUpdate({"sku": {"capacity": -1}})
        )
    assert (caught.value.status_code, error_code(caught.value)) == (400, "InvalidParameter")


def test_delete_removes_the_scale_set(fresh_emulator: Emulator) -> None:
    client = compute(fresh_emulator)
    client.virtual_machine_scale_sets.begin_delete("rg-dr-cus", WORKER).result()
    with pytest.raises(ResourceNotFoundError):
        client.virtual_machine_scale_sets.get("rg-dr-cus", WORKER)


def test_list_in_group_and_secret_not_rendered(fresh_emulator: Emulator) -> None:
    client = compute(fresh_emulator)
    client.virtual_machine_scale_sets.begin_create_or_update("rg-dr-cus", "web", definition(1)).result()
    listed = {v.name: v for v in client.virtual_machine_scale_sets.list("rg-dr-cus")}
    os_profile = listed["web"].properties.virtual_machine_profile.os_profile
    assert (sorted(listed), os_profile.admin_password) == (["web", WORKER], None)


def test_instance_view_counts_running_instances(fresh_emulator: Emulator) -> None:
    client = compute(fresh_emulator)
    client.virtual_machine_scale_sets.begin_create_or_update("rg-dr-cus", "web", definition(2)).result()
    view = client.virtual_machine_scale_sets.get_instance_view("rg-dr-cus", "web")
    summary = {s.code: s.count for s in view.virtual_machine.statuses_summary}
    assert summary == {"ProvisioningState/succeeded": 2}


def test_put_answers_201_creating_with_an_async_operation(fresh_emulator: Emulator) -> None:
    group = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-dr-cus"
    path = f"{group}/providers/Microsoft.Compute/virtualMachineScaleSets/web"
    fresh_emulator.set_scenario({"latencies": {"compute.vmss.create": 60}})
    body = definition(1).as_dict()
    status, headers, answer = raw(
        fresh_emulator, "PUT", path + "?api-version=2026-04-01", body=body, token=token_for(fresh_emulator)
    )
    assert (status, answer["properties"]["provisioningState"]) == (201, "Creating")
    assert "/providers/Microsoft.Compute/locations/centralus/operations/" in headers["Azure-AsyncOperation"]


def test_a_list_of_scale_sets_comes_in_pages_the_sdk_follows(fresh_emulator: Emulator) -> None:
    """More scale sets than a page holds: the SDK follows `nextLink`, and each page is a request of
    its own in the log (one ARM read each against the subscription's budget)."""
    fresh_emulator.set_scenario({"quotas": {"standardDSv5Family": 10**6, "cores": 10**6}})
    client = compute(fresh_emulator)
    before = {v.name for v in client.virtual_machine_scale_sets.list("rg-dr-cus")}
    names = [f"web{i}" for i in range(PAGE_SIZE + 5)]
    for name in names:  # started, not waited for: the list shows them while they are created
        client.virtual_machine_scale_sets.begin_create_or_update("rg-dr-cus", name, definition(1), polling=False)
    start = len(fresh_emulator.state.request_log)
    listed = [v.name for v in client.virtual_machine_scale_sets.list("rg-dr-cus")]
    pages = [r for r in list(fresh_emulator.state.request_log)[start:] if r["method"] == "GET"]
    assert sorted(listed) == sorted(before | set(names))
    assert len(pages) == -(-len(listed) // PAGE_SIZE) == 2
    path = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-dr-cus/providers/Microsoft.Compute/virtualMachineScaleSets"
    status, _, body = raw(
        fresh_emulator, "GET", f"{path}?api-version=2026-04-01&$skiptoken=x", token=token_for(fresh_emulator)
    )
    assert status == 400 and "$skiptoken" in body["error"]["message"]
