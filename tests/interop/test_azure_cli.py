"""The real Azure CLI against the emulator: a custom cloud, `az login --identity`, then show and change
every resource the example plan names. Assertions read the JSON `az` prints and the emulator's state.
"""

from __future__ import annotations

import dns.resolver
import pytest
from azcli import CLOUD, AzCli

pytestmark = pytest.mark.azcli

SUB = "00000000-0000-0000-0000-000000000000"
DATA = f"/subscriptions/{SUB}/resourceGroups/rg-data-eus2/providers"  # the primary's group
DR = f"/subscriptions/{SUB}/resourceGroups/rg-dr-cus/providers"  # what the secondary needs, homed there
SQL_EUS2 = f"{DATA}/Microsoft.Sql/servers/sql-eus2"
SQL_CUS = f"{DR}/Microsoft.Sql/servers/sql-cus"
FAILOVER_GROUP = f"{SQL_EUS2}/failoverGroups/fg-orders"
COSMOS = f"{DR}/Microsoft.DocumentDB/databaseAccounts/cosmos-orders"
WORKER = f"/subscriptions/{SUB}/resourceGroups/rg-dr-cus/providers/Microsoft.Compute/virtualMachineScaleSets/worker-cus"
FG_PRIMARY = ("-g", "rg-data-eus2", "-n", "fg-orders")  # the group as the primary server sees it
FG_PARTNER = ("-g", "rg-dr-cus", "-n", "fg-orders")  # and as the partner does
ACCOUNT = ("-g", "rg-dr-cus", "-n", "cosmos-orders")


def _sql(cli: AzCli) -> dict:
    return cli.emulator.state.snapshot()["services"]["sql"][FAILOVER_GROUP]


def _cosmos(cli: AzCli) -> dict:
    return cli.emulator.state.snapshot()["services"]["cosmos"][COSMOS]


# --- signing in -----------------------------------------------------------------------------------


def test_login_with_the_managed_identity_lists_the_plans_subscription(az_shared: AzCli) -> None:
    [account] = az_shared.login
    assert (account["id"], account["environmentName"]) == (SUB, CLOUD)
    assert account["tenantId"] == az_shared.emulator.state.tenant_id
    assert account["user"] == {
        "assignedIdentityInfo": "MSI",
        "name": "systemAssignedIdentity",
        "type": "servicePrincipal",
    }


def test_the_registered_cloud_takes_its_endpoints_from_the_emulators_metadata(az_shared: AzCli) -> None:
    cloud = az_shared.json("cloud", "show", "-n", CLOUD)
    assert (cloud["endpoints"]["resourceManager"], cloud["isActive"]) == (az_shared.emulator.url, True)
    assert cloud["suffixes"]["sqlServerHostname"] == ".database.windows.net"


# --- reading every resource the plan names -------------------------------------------------------


def test_sql_failover_group_show_from_either_server(az_shared: AzCli) -> None:
    primary = az_shared.json("sql", "failover-group", "show", "-s", "sql-eus2", *FG_PRIMARY)
    secondary = az_shared.json("sql", "failover-group", "show", "-s", "sql-cus", *FG_PARTNER)
    assert (primary["replicationRole"], secondary["replicationRole"]) == ("Primary", "Secondary")
    assert [p["id"] for p in primary["partnerServers"]] == [SQL_CUS]


def test_cosmosdb_show_names_the_write_region_and_priorities(az_shared: AzCli) -> None:
    account = az_shared.json("cosmosdb", "show", *ACCOUNT)
    assert account["writeLocations"][0]["locationName"] == "East US 2"
    priorities = {p["locationName"]: p["failoverPriority"] for p in account["failoverPolicies"]}
    assert priorities == {"East US 2": 0, "Central US": 1}


def test_vmss_show_reads_the_pre_provisioned_worker_scale_set(az_shared: AzCli) -> None:
    vmss = az_shared.json("vmss", "show", "-g", "rg-dr-cus", "-n", "worker-cus")
    assert (vmss["id"], vmss["sku"]["capacity"], vmss["sku"]["name"]) == (WORKER, 0, "Standard_D2s_v5")


def test_dns_record_sets_show_the_primary_targets(az_shared: AzCli) -> None:
    zone = ("-g", "rg-dr-cus", "-z", "contoso.com")
    cname = az_shared.json("network", "dns", "record-set", "cname", "show", *zone, "-n", "www")
    a = az_shared.json("network", "dns", "record-set", "a", "show", *zone, "-n", "api")
    assert (cname["CNAMERecord"]["cname"], cname["TTL"]) == ("web-eus2.contoso.net", 60)
    assert [r["ipv4Address"] for r in a["ARecords"]] == ["20.1.2.3"]


def test_sig_image_version_show_reports_a_replica_in_both_regions(az_shared: AzCli) -> None:
    version = az_shared.json(
        "sig", "image-version", "show", "-g", "rg-dr-cus", "-r", "gal", "-i", "web", "-e", "1.4.0",
        "--expand", "ReplicationStatus",
    )  # fmt: skip
    status = version["replicationStatus"]
    assert status["aggregatedState"] == "Completed"
    assert {s["region"]: s["state"] for s in status["summary"]} == {"East US 2": "Completed", "Central US": "Completed"}


def test_group_show_reads_a_seeded_resource_group(az_shared: AzCli) -> None:
    group = az_shared.json("group", "show", "-n", "rg-data-eus2")
    assert (group["location"], group["properties"]["provisioningState"]) == ("eastus2", "Succeeded")


# --- changing them ---------------------------------------------------------------------------------


def test_sql_set_primary_fails_over_planned_to_the_secondary(az_fresh: AzCli) -> None:
    group = az_fresh.json("sql", "failover-group", "set-primary", "-s", "sql-cus", *FG_PARTNER)
    assert (group["id"], group["replicationRole"]) == (f"{SQL_CUS}/failoverGroups/fg-orders", "Primary")
    assert (
        az_fresh.json("sql", "failover-group", "show", "-s", "sql-eus2", *FG_PRIMARY)["replicationRole"] == "Secondary"
    )
    assert (_sql(az_fresh)["primary"], _sql(az_fresh)["data_loss_seconds"]) == (SQL_CUS, 0.0)


def test_sql_set_primary_in_an_outage_needs_allow_data_loss(az_fresh: AzCli) -> None:
    az_fresh.emulator.set_scenario({**az_fresh.emulator.state.scenario.model_dump(), "outage": ["eastus2"]})
    refused = az_fresh.fails("sql", "failover-group", "set-primary", "-s", "sql-cus", *FG_PARTNER)
    assert "OperationTimedOut" in refused
    assert _sql(az_fresh)["primary"] == SQL_EUS2

    group = az_fresh.json("sql", "failover-group", "set-primary", "-s", "sql-cus", *FG_PARTNER, "--allow-data-loss")
    assert group["replicationRole"] == "Primary"
    assert _sql(az_fresh)["primary"] == SQL_CUS
    assert _sql(az_fresh)["data_loss_seconds"] > 0  # what had not replicated when the primary went down


def test_cosmosdb_failover_priority_change_moves_the_write_region(az_fresh: AzCli) -> None:
    policies = ("--failover-policies", "Central US=0", "East US 2=1")
    assert az_fresh.json("cosmosdb", "failover-priority-change", *ACCOUNT, *policies) is None  # Azure answers no body
    account = az_fresh.json("cosmosdb", "show", *ACCOUNT)
    assert account["writeLocations"][0]["locationName"] == "Central US"
    assert (_cosmos(az_fresh)["write_region"], _cosmos(az_fresh)["priority"]) == ("centralus", ["centralus", "eastus2"])


def test_cosmosdb_in_an_outage_refuses_a_priority_change_and_offline_region_fails_over(az_fresh: AzCli) -> None:
    az_fresh.emulator.set_scenario({**az_fresh.emulator.state.scenario.model_dump(), "outage": ["eastus2"]})
    policies = ("--failover-policies", "Central US=0", "East US 2=1")
    assert "ServiceUnavailable" in az_fresh.fails("cosmosdb", "failover-priority-change", *ACCOUNT, *policies)
    assert _cosmos(az_fresh)["write_region"] == "eastus2"

    az_fresh.json("cosmosdb", "offline-region", *ACCOUNT, "--region", "eastus2")
    assert (_cosmos(az_fresh)["write_region"], _cosmos(az_fresh)["offline"]) == ("centralus", ["eastus2"])
    account = az_fresh.json("cosmosdb", "show", *ACCOUNT)
    assert account["writeLocations"][0]["locationName"] == "Central US"


def test_vmss_scale_sets_the_capacity_and_starts_instances(az_fresh: AzCli) -> None:
    vmss = az_fresh.json("vmss", "scale", "-g", "rg-dr-cus", "-n", "worker-cus", "--new-capacity", "2")
    assert (vmss["sku"]["capacity"], vmss["provisioningState"]) == (2, "Succeeded")
    stored = az_fresh.emulator.state.store.require(WORKER)
    assert stored.extra["sku"]["capacity"] == 2
    assert [i["state"] for i in stored.internal["instances"]] == ["Succeeded", "Succeeded"]


def test_group_create_show_delete_round_trip(az_fresh: AzCli) -> None:
    created = az_fresh.json("group", "create", "-n", "contoso-dr", "-l", "centralus")
    assert (created["id"], created["location"]) == (f"/subscriptions/{SUB}/resourceGroups/contoso-dr", "centralus")
    assert az_fresh.json("group", "show", "-n", "contoso-dr")["properties"]["provisioningState"] == "Succeeded"

    assert az_fresh.json("group", "delete", "-n", "contoso-dr", "--yes") is None
    assert az_fresh.json("group", "exists", "-n", "contoso-dr") is False
    assert az_fresh.emulator.state.store.get(created["id"]) is None


def test_dns_cname_set_record_switches_what_the_name_server_answers(az_fresh: AzCli) -> None:
    # `set-record` writes TTL 3600 unless told otherwise (az's default), so keep the plan's 60.
    record = az_fresh.json(
        "network", "dns", "record-set", "cname", "set-record", "-g", "rg-dr-cus", "-z", "contoso.com", "-n", "www",
        "-c", "web-cus.contoso.net", "--ttl", "60",
    )  # fmt: skip
    assert (record["CNAMERecord"]["cname"], record["TTL"]) == ("web-cus.contoso.net", 60)

    host, port = az_fresh.emulator.dns_server.address.rsplit(":", 1)
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers, resolver.port = [host], int(port)
    answer = resolver.resolve("www.contoso.com", "CNAME")
    assert [str(r.target) for r in answer] == ["web-cus.contoso.net."]
