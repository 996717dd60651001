"""Resource groups have a home region (where ARM keeps their metadata): how the seed decides it, and
writes inside a group whose home is down failing while reads keep working (core/writes.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.dns import DnsManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.sql import SqlManagementClient

from regionshift.errors import InputError
from regionshift.plan import Plan, load_plan
from regionshift_emulator.server import Emulator
from regionshift_emulator.testing import sdk_client

SUB = "00000000-0000-0000-0000-000000000000"
FAST: dict[str, Any] = {"latencies": {"default": 0}}
SHARED_LAYOUT = Path(__file__).resolve().parent / "shared_layout.yaml"  # both servers in one group


def homes(emulator: Emulator) -> dict[str, str]:
    groups = sdk_client(emulator, ResourceManagementClient, SUB).resource_groups.list()
    return {g.name: g.location for g in groups}


@pytest.fixture
def shared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    def start(scenario: dict[str, Any] | None = None) -> Emulator:
        emu = Emulator(load_plan(SHARED_LAYOUT), {**FAST, **(scenario or {})}, workdir=tmp_path).start()
        for key, value in emu.env.items():
            monkeypatch.setenv(key, value)
        started.append(emu)
        return emu

    started: list[Emulator] = []
    yield start
    for emu in started:
        emu.stop()


def test_the_dr_layout_homes_the_secondary_group_in_the_secondary(emulator: Emulator) -> None:
    # rg-dr-eus2 holds the primary's side of the workload (regionshift_emulator.primary_estate).
    assert homes(emulator) == {"rg-data-eus2": "eastus2", "rg-dr-cus": "centralus", "rg-dr-eus2": "eastus2"}


def test_groups_without_a_hint_or_with_hints_for_both_regions_are_homed_in_the_primary(shared: Any) -> None:
    # rg-data holds both SQL servers; rg-dns and rg-images hold nothing regional; rg-net-cus a subnet.
    assert homes(shared()) == {
        "rg-data": "eastus2",
        "rg-dns": "eastus2",
        "rg-images": "eastus2",
        "rg-net-cus": "centralus",
        # the primary's side of the workload (regionshift_emulator.primary_estate)
        "rg-dns-eus2": "eastus2",
        "rg-net-eus2": "eastus2",
    }


def test_the_scenario_resource_groups_win_by_name_or_subscription_and_name(shared: Any) -> None:
    emu = shared({"resource_groups": {"rg-dns": "Central US", f"{SUB}/rg-images": "centralus"}})
    assert (homes(emu)["rg-dns"], homes(emu)["rg-images"], homes(emu)["rg-data"]) == (
        "centralus",
        "centralus",
        "eastus2",
    )


def test_a_gallery_lives_in_the_primary_whatever_its_groups_home(example_plan: Plan, emulator: Emulator) -> None:
    gallery = emulator.state.store.get(
        f"/subscriptions/{SUB}/resourceGroups/rg-dr-cus/providers/Microsoft.Compute/galleries/gal"
    )
    assert gallery is not None and gallery.location == "eastus2"  # while rg-dr-cus is homed in centralus


def test_a_later_scenario_cannot_move_a_group(fresh_emulator: Emulator) -> None:
    with pytest.raises(InputError, match=r"resource_groups\.rg-dr-cus: the group exists in centralus"):
        fresh_emulator.set_scenario({"resource_groups": {"rg-dr-cus": "eastus2"}})


def test_writes_in_a_group_homed_in_a_down_region_fail_and_reads_keep_working(shared: Any) -> None:
    emu = shared({"outage": ["eastus2"]})
    dns = sdk_client(emu, DnsManagementClient, SUB).record_sets
    record = dns.get("rg-dns", "contoso.com", "www", "CNAME")  # the zone is global: reads answer
    with pytest.raises(HttpResponseError) as caught:
        dns.create_or_update(
            "rg-dns", "contoso.com", "www", "CNAME", {"properties": {"TTL": 60, "CNAMERecord": {"cname": "b"}}}
        )
    assert (caught.value.status_code, caught.value.error.code) == (504, "GatewayTimeout")
    assert "resource group 'rg-dns' is homed in region 'eastus2'" in str(caught.value)
    assert dns.get("rg-dns", "contoso.com", "www", "CNAME").cname_record.cname == record.cname_record.cname


def test_the_partner_server_in_a_primary_homed_group_cannot_fail_over_during_the_outage(shared: Any) -> None:
    emu = shared({"outage": ["eastus2"]})
    groups = sdk_client(emu, SqlManagementClient, SUB).failover_groups
    assert groups.get("rg-data", "sql-cus", "fg-orders").replication_role == "Secondary"  # it answers
    with pytest.raises(HttpResponseError) as caught:
        groups.begin_force_failover_allow_data_loss("rg-data", "sql-cus", "fg-orders").result()
    assert caught.value.status_code == 504
    assert groups.get("rg-data", "sql-cus", "fg-orders").replication_role == "Secondary"


def test_the_same_failover_works_when_the_partner_group_is_homed_in_the_secondary(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario({**FAST, "outage": ["eastus2"]})
    groups = sdk_client(fresh_emulator, SqlManagementClient, SUB).failover_groups
    result = groups.begin_force_failover_allow_data_loss("rg-dr-cus", "sql-cus", "fg-orders").result()
    assert result.replication_role == "Primary"


def test_a_sql_only_outage_leaves_the_groups_metadata_writable(shared: Any) -> None:
    emu = shared({"outage": [{"region": "eastus2", "services": ["sql"]}]})
    dns = sdk_client(emu, DnsManagementClient, SUB).record_sets
    written = dns.create_or_update(
        "rg-dns", "contoso.com", "www", "CNAME", {"properties": {"TTL": 60, "CNAMERecord": {"cname": "b.contoso.net"}}}
    )
    assert written.cname_record.cname == "b.contoso.net"


def test_a_new_group_needs_its_home_region_up(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario({**FAST, "outage": ["eastus2"]})
    groups = sdk_client(fresh_emulator, ResourceManagementClient, SUB).resource_groups
    made = groups.create_or_update("contoso-dr", {"location": "centralus"})
    with pytest.raises(HttpResponseError) as caught:
        groups.create_or_update("contoso-dr-east", {"location": "eastus2"})
    assert (made.location, caught.value.status_code, groups.check_existence("contoso-dr-east")) == (
        "centralus",
        504,
        False,
    )


def test_deleting_a_group_homed_in_a_down_region_fails(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario({**FAST, "outage": ["eastus2"]})
    groups = sdk_client(fresh_emulator, ResourceManagementClient, SUB).resource_groups
    with pytest.raises(HttpResponseError) as caught:
        groups.begin_delete("rg-data-eus2").result()
    assert caught.value.status_code == 504 and groups.check_existence("rg-data-eus2")


def test_a_scale_set_in_a_secondary_homed_group_scales_during_the_primary_outage(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario({**FAST, "outage": ["eastus2"]})
    compute = sdk_client(fresh_emulator, ComputeManagementClient, SUB).virtual_machine_scale_sets
    scaled = compute.begin_update("rg-dr-cus", "worker-cus", {"sku": {"capacity": 2}}).result()
    assert scaled.sku.capacity == 2
