"""Readiness checks through the real SDK clients against the emulator: all pass on the seeded
state, and each fails for its own reason when the emulated world lacks what a failover needs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from azure.mgmt.resource.resources import ResourceManagementClient

from regionshift.azure.clients import default_clients
from regionshift.azure.readiness import blocking, run_checks
from regionshift.contracts import StepOutcome
from regionshift.plan import Plan
from regionshift_emulator.core.store import Resource
from regionshift_emulator.estates import generated_plan
from regionshift_emulator.harness import app_on_emulator, example_plan, writes
from regionshift_emulator.server import Emulator
from regionshift_emulator.services.compute.gallery import set_replica
from regionshift_emulator.services.dns.models import DnsBackend
from regionshift_emulator.testing import sdk_client

SUB = "00000000-0000-0000-0000-000000000000"


@contextmanager
def world(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scenario: dict[str, Any] | None = None, **policy: Any
) -> Iterator[tuple[Plan, Emulator]]:
    plan = example_plan(**policy)
    with app_on_emulator(plan, scenario, tmp_path, monkeypatch) as emu:
        yield plan, emu


def checks(plan: Plan) -> list[StepOutcome]:
    return run_checks(default_clients(), plan)


def only(results: list[StepOutcome], action: str, status: str = "failed") -> StepOutcome:
    found = [c for c in results if c.action == action and c.status == status]
    assert len(found) == 1, [(c.action, c.status, c.detail) for c in results]
    return found[0]


def test_every_check_passes_on_the_seeded_emulator_without_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with world(tmp_path, monkeypatch) as (plan, emu):
        results = checks(plan)
        assert {c.action for c in results} == {
            "image_replicated",
            "subnet",
            "backend_pool",
            "scale_set",
            "compute_quota",
            "sql_failover_group",
            "cosmos_regions",
            "dns_record",
            "resource_group_region",
            "failover_resource_group",
            "permissions",
            "run_lease",
        }
        # Only the run lease warns: the plan names no storage, so only runs on this machine exclude each other.
        assert [c.action for c in results if c.status != "succeeded"] == ["run_lease"]
        assert only(results, "run_lease").data["advisory"] is True
        assert all(c.data["answered"] is True and "region" in c.data for c in results if c.action != "run_lease")
        assert writes(emu) == []


def test_sql_check_reports_the_replication_lag_as_the_rpo_now(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with world(tmp_path, monkeypatch) as (plan, _emu):
        sql = only(checks(plan), "sql_failover_group", "succeeded")
        assert sql.data["replication_lag_seconds"] == 5.0
        assert sql.data["partner_region"] == "centralus"
        assert sql.data["failover"] == "planned_failover"


def test_image_without_a_replica_in_the_secondary_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with world(tmp_path, monkeypatch) as (plan, emu):
        set_replica(emu.state.store, str(plan.scale_sets[0].image), "centralus", None)
        failed = only(checks(plan), "image_replicated")
        assert "has no replica there" in failed.detail


def test_quota_too_low_for_the_scale_sets_fails_naming_the_family(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # web: 4 x Standard_D2s_v5 to create, worker: 0 -> 2 x Standard_D2s_v5 (the seed's size): 12 vCPUs.
    with world(tmp_path, monkeypatch, {"quotas": {"standardDSv5Family": 8}}) as (plan, _emu):
        failed = only(checks(plan), "compute_quota")
        assert failed.detail.startswith("standardDSv5Family: needs 12 vCPUs, 8 of 8 free")
        assert failed.data == {"needed": 12, "used": 0, "limit": 8, "free": 8, "region": "centralus", "answered": True}


def test_missing_subnet_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with world(tmp_path, monkeypatch) as (plan, emu):
        emu.state.store.delete(str(plan.scale_sets[0].subnet))
        failed = only(checks(plan), "subnet")
        assert failed.detail == "subnet web does not exist"


def test_partner_outside_the_secondary_region_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with world(tmp_path, monkeypatch) as (plan, emu):
        emu.state.store.require(
            f"/subscriptions/{SUB}/resourceGroups/rg-dr-cus/providers/Microsoft.Sql/servers/sql-cus"
        ).location = "westus2"
        failed = only(checks(plan), "sql_failover_group")
        assert "is in westus2, not in the secondary" in failed.detail


def test_missing_permission_is_found_and_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    action = "Microsoft.Sql/servers/failoverGroups/forceFailoverAllowDataLoss/action"
    with world(tmp_path, monkeypatch, {"missing_permissions": [action]}) as (plan, _emu):
        failed = only(checks(plan), "permissions")
        assert failed.resource.endswith("/resourceGroups/rg-dr-cus")
        assert failed.data["missing"] == [action]


def test_a_wildcard_not_action_takes_away_every_dns_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with world(tmp_path, monkeypatch, {"missing_permissions": ["Microsoft.Network/dnsZones/*/write"]}) as (plan, _):
        failed = only(checks(plan), "permissions")
        assert failed.data["missing"] == [
            "Microsoft.Network/dnsZones/A/write",
            "Microsoft.Network/dnsZones/CNAME/write",
        ]


def test_missing_dns_record_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with world(tmp_path, monkeypatch) as (plan, emu):
        backend = emu.state.backend(DnsBackend)
        backend.delete_record_set(backend.get_zone(SUB, "rg-dr-cus", "contoso.com"), "api", "A")
        failed = only(checks(plan), "dns_record")
        assert failed.detail == "A record api.contoso.com does not exist"


def test_dns_check_says_where_the_record_points_now(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with world(tmp_path, monkeypatch) as (plan, _emu):
        www = next(c for c in checks(plan) if c.resource == "www.contoso.com CNAME")
        assert www.data["points_at"] == "primary"
        assert www.data["targets"] == ["web-eus2.contoso.net"]


def test_primary_outage_with_data_loss_forbidden_fails_the_sql_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with world(tmp_path, monkeypatch, {"outage": ["eastus2"]}, data_loss="forbid") as (plan, _emu):
        failed = only(checks(plan), "sql_failover_group")
        assert "policy.data_loss is 'forbid'" in failed.detail


def test_primary_outage_with_data_loss_allowed_passes_saying_forced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with world(tmp_path, monkeypatch, {"outage": ["eastus2"]}) as (plan, _emu):
        results = checks(plan)
        sql = only(results, "sql_failover_group", "succeeded")
        assert sql.data["forced"] is True
        # The image version answers from its gallery's home, the primary: unknown now, and not about
        # the target, so it does not block (the replica itself was checked while the primary answered).
        image = only(results, "image_replicated", "skipped")
        assert image.detail.startswith("image version 1.4.0 could not be checked")
        assert (image.data["region"], image.data["answered"]) == (None, False)
        assert blocking(plan, results) == []


def test_secondary_outage_leaves_the_target_unknown_and_that_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Failing over into a region that does not answer is not known to work: "ready" here would be
    # the first step towards moving the healthy primary's data into a dead region.
    with world(tmp_path, monkeypatch, {"outage": ["centralus"]}) as (plan, _emu):
        results = checks(plan)
        unknown = [c for c in results if c.status == "skipped"]
        assert {c.action for c in unknown} >= {"subnet", "backend_pool", "scale_set", "sql_failover_group"}
        assert all(c.data["region"] == "centralus" and c.data["answered"] is False for c in unknown)
        stopping = blocking(plan, results)
        blocked = [c for c in results if c in unknown or (c.status == "failed" and not c.data.get("advisory"))]
        assert [c.action for c in stopping] == [c.action for c in blocked]
        assert stopping


def test_a_global_service_that_does_not_answer_blocks_but_a_structural_unknown_does_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    faults = [{"path": "*/dnsZones/contoso.com", "method": "GET", "status": 503}]
    with world(tmp_path, monkeypatch, {"faults": faults}) as (plan, _emu):
        results = checks(plan)
        dns_checks = [c for c in results if c.action == "dns_record"]
        assert [(c.status, c.data["region"], c.data["answered"]) for c in dns_checks] == [
            ("skipped", "global", False)
        ] * 2
        assert [c.action for c in blocking(plan, results)] == ["dns_record", "dns_record"]


def test_a_size_the_quota_table_does_not_know_is_unknown_about_the_target_and_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with world(tmp_path, monkeypatch) as (plan, _emu):
        data = plan.model_dump(mode="json")
        data["scale_sets"][0]["sku"] = "Standard_Q9_v9"
        odd = Plan.model_validate(data)
        quota = only(checks(odd), "compute_quota", "skipped")
        assert quota.detail.startswith("vCPUs of size Standard_Q9_v9 unknown")
        assert (quota.data["region"], quota.data["answered"]) == ("centralus", True)
        assert quota in blocking(odd, [quota])


def test_advisory_checks_do_not_block(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with world(tmp_path, monkeypatch, {"quotas": {"standardDSv5Family": 8}}) as (plan, _emu):
        results = checks(plan)
        assert [c.action for c in blocking(plan, results)] == ["compute_quota"]
        advisory = Plan.model_validate(
            {**plan.model_dump(mode="json"), "policy": {"data_loss": "allow", "advisory_checks": ["compute_quota"]}}
        )
        assert blocking(advisory, results) == []


def _moved(plan: Plan, **changes: Any) -> Plan:
    data = plan.model_dump(mode="json")
    for key, value in changes.items():
        section, field = key.split("__")
        data[section][0][field] = value
    return Plan.model_validate(data)


def test_what_a_failover_changes_in_a_group_homed_in_the_primary_fails_with_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with world(tmp_path, monkeypatch) as (plan, emu):
        # The Cosmos DB account moved into the primary server's group, which is homed in eastus2.
        moved = _moved(plan, cosmos_accounts__resource_group="rg-data-eus2")
        account = emu.state.store.require(
            f"/subscriptions/{SUB}/resourceGroups/rg-dr-cus/providers/Microsoft.DocumentDB/databaseAccounts/cosmos-orders"
        )
        emu.state.store.delete(account.id)
        account.id = account.id.replace("/rg-dr-cus/", "/rg-data-eus2/")
        emu.state.store.put(account)
        results = checks(moved)
        failed = only(results, "resource_group_region")
        assert failed.resource.endswith("/resourceGroups/rg-data-eus2")
        assert failed.detail.startswith("rg-data-eus2 is homed in eastus2, the primary:")
        assert "Cosmos DB account cosmos-orders" in failed.detail
        assert "az resource move --destination-group" in failed.detail
        assert failed.data["holds"] == ["Cosmos DB account cosmos-orders"]
        assert failed in blocking(moved, results)
        # The primary server's own group is not checked: a failover never writes to the primary.
        assert [c.resource.rsplit("/", 1)[-1] for c in results if c.action == "resource_group_region"] == [
            "rg-data-eus2",
            "rg-dr-cus",
        ]


def test_a_group_homed_in_a_third_region_passes_saying_where(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with world(tmp_path, monkeypatch) as (plan, emu):
        emu.state.store.require(f"/subscriptions/{SUB}/resourceGroups/rg-dr-cus").location = "westus3"
        passed = only(checks(plan), "resource_group_region", "succeeded")
        assert passed.detail.startswith("rg-dr-cus is homed in westus3:")
        assert "SQL server sql-cus" in passed.detail and "scale set worker-cus" in passed.detail


def _failover_group(emu: Emulator, plan: Plan, tags: dict[str, str] | None, location: str = "centralus") -> None:
    client = sdk_client(emu, ResourceManagementClient, SUB)
    client.resource_groups.create_or_update(plan.failover_resource_group, {"location": location, "tags": tags})


def test_an_existing_failover_group_regionshift_did_not_create_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with world(tmp_path, monkeypatch) as (plan, emu):
        _failover_group(emu, plan, {"owner": "data-team"})
        failed = only(checks(plan), "failover_resource_group")
        assert failed.detail.startswith("contoso-dr exists and was not created by regionshift for contoso-web")
        assert "failback deletes" in failed.detail


def test_a_failover_group_holding_resources_regionshift_did_not_create_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with world(tmp_path, monkeypatch) as (plan, emu):
        _failover_group(emu, plan, {"regionshift-plan": plan.name})
        group = f"/subscriptions/{SUB}/resourceGroups/{plan.failover_resource_group}"
        for name, tags in (("web", {"regionshift-plan": plan.name}), ("orders-archive", {})):
            emu.state.store.put(
                Resource(
                    id=f"{group}/providers/Microsoft.Storage/storageAccounts/{name}",
                    type="Microsoft.Storage/storageAccounts",
                    location="centralus",
                    tags=tags,
                )
            )
        failed = only(checks(plan), "failover_resource_group")
        assert failed.detail.startswith("contoso-dr holds 1 resource(s) regionshift did not create (orders-archive)")
        assert failed.data["foreign"] == ["orders-archive"]


def test_a_failover_group_regionshift_made_passes_and_one_in_the_primary_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with world(tmp_path, monkeypatch) as (plan, emu):
        _failover_group(emu, plan, {"regionshift-plan": plan.name, "regionshift-run": "failover-contoso-web"})
        ours = only(checks(plan), "failover_resource_group", "succeeded")
        assert ours.data == {"region": "centralus", "answered": True, "exists": True, "location": "centralus"}
    with world(tmp_path / "primary", monkeypatch) as (plan, emu):
        _failover_group(emu, plan, {"regionshift-plan": plan.name}, location="eastus2")
        assert only(checks(plan), "failover_resource_group").detail.startswith(
            "contoso-dr exists in eastus2, not in centralus"
        )


def test_a_plan_without_partner_server_gets_an_advisory_warning_that_does_not_block(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = example_plan().model_dump(mode="json")
    data["sql_failover_groups"][0].update(partner_server=None, partner_resource_group=None)
    plan = Plan.model_validate(data)
    with app_on_emulator(plan, None, tmp_path, monkeypatch):
        results = checks(plan)
        warning = only(results, "sql_partner_named")
        assert warning.data["advisory"] is True
        # Found through the primary this time (it answers); named in the fix.
        assert "Fix: add partner_server: sql-eus2-partner" in warning.detail
        assert warning not in blocking(plan, results)


def test_what_many_resources_share_is_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A generated estate's new scale sets share one image and one subnet, its records a few zones,
    and its pre-provisioned scale sets are both checked and counted for quota: each of these is
    read once (ARM's read budget is per subscription, and readiness runs before the first write)."""
    plan = generated_plan(60, name="shared")
    with app_on_emulator(plan, None, tmp_path, monkeypatch) as emu:
        results = checks(plan)
        gets = Counter(r["path"].lower() for r in emu.state.request_log if r["method"] == "GET")
    creates = [s for s in plan.scale_sets if s.mode == "create"]
    shared = {str(s.image).lower() for s in creates} | {str(s.subnet).lower() for s in creates}
    assert len(creates) > 1 and len(shared) == 2
    assert all(gets[path] == 1 for path in shared), {p: gets[p] for p in shared}
    zones = {
        f"/subscriptions/{plan.subscription_of(r)}/resourcegroups/{r.resource_group}/providers/microsoft.network/dnszones/{r.zone}".lower()
        for r in plan.dns_records
    }
    assert len(zones) < len(plan.dns_records) and all(gets[z] == 1 for z in zones), {z: gets[z] for z in zones}
    # Their records are listed (a page per type and zone), not read one by one.
    listed = [p for p in gets if any(p.startswith(z + "/") for z in zones)]
    assert sorted(listed) == sorted(f"{z}/cname" for z in zones), listed
    scaled = [str(s.scale_set).lower() for s in plan.scale_sets if s.mode == "scale"]
    assert scaled and all(gets[path] == 1 for path in scaled), {p: gets[p] for p in scaled}
    assert len([c for c in results if c.action == "scale_set"]) == len(scaled)
    assert len([c for c in results if c.action == "dns_record"]) == len(plan.dns_records)
