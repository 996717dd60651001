"""Readiness checks through the real SDK clients against the emulator: all pass on the seeded
state, and each fails for its own reason when the emulated world lacks what a failover needs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from regionshift.azure.clients import default_clients
from regionshift.azure.readiness import blocking, run_checks
from regionshift.contracts import StepOutcome
from regionshift.plan import Plan
from regionshift_emulator.harness import app_on_emulator, example_plan, writes
from regionshift_emulator.server import Emulator
from regionshift_emulator.services.compute.gallery import set_replica
from regionshift_emulator.services.dns.models import DnsBackend

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
            "permissions",
        }
        assert [(c.action, c.detail) for c in results if c.status != "succeeded"] == []
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
        assert failed.data == {"needed": 12, "used": 0, "limit": 8, "free": 8}


def test_missing_subnet_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with world(tmp_path, monkeypatch) as (plan, emu):
        emu.state.store.delete(str(plan.scale_sets[0].subnet))
        failed = only(checks(plan), "subnet")
        assert failed.detail == "subnet web does not exist"


def test_partner_outside_the_secondary_region_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with world(tmp_path, monkeypatch) as (plan, emu):
        emu.state.store.require(
            f"/subscriptions/{SUB}/resourceGroups/rg-data/providers/Microsoft.Sql/servers/sql-cus"
        ).location = "westus2"
        failed = only(checks(plan), "sql_failover_group")
        assert "is in westus2, not in the secondary" in failed.detail


def test_missing_permission_is_found_and_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    action = "Microsoft.Sql/servers/failoverGroups/forceFailoverAllowDataLoss/action"
    with world(tmp_path, monkeypatch, {"missing_permissions": [action]}) as (plan, _emu):
        failed = only(checks(plan), "permissions")
        assert failed.resource.endswith("/resourceGroups/rg-data")
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
        backend.delete_record_set(backend.get_zone(SUB, "rg-dns", "contoso.com"), "api", "A")
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
        # The gallery lives in the primary region: unknown now, which does not count as a failure.
        assert only(results, "image_replicated", "skipped").detail.startswith(
            "image version 1.4.0 could not be checked"
        )
        assert blocking(plan, results) == []


def test_advisory_checks_do_not_block(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with world(tmp_path, monkeypatch, {"quotas": {"standardDSv5Family": 8}}) as (plan, _emu):
        results = checks(plan)
        assert [c.action for c in blocking(plan, results)] == ["compute_quota"]
        advisory = Plan.model_validate(
            {**plan.model_dump(mode="json"), "policy": {"data_loss": "allow", "advisory_checks": ["compute_quota"]}}
        )
        assert blocking(advisory, results) == []
