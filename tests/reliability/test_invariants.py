"""Each invariant of reliability.invariants catches what it is for, and lets the right thing pass.

The states are made the way a bad run would make them: through the real Azure SDK clients against
the emulator (a DNS record switched too early, a forced failover with the primary healthy, a group
nobody planned), so a check that could not fail would fail here.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.dns import DnsManagementClient
from azure.mgmt.dns.models import CnameRecord, RecordSet
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.sql import SqlManagementClient

from regionshift.plan import Plan
from regionshift_emulator.core.scenario import parse_scenario
from regionshift_emulator.harness import app_on_emulator, example_plan
from regionshift_emulator.server import Emulator
from regionshift_emulator.testing import sdk_client
from reliability.invariants import (
    LOST_WRITE,
    OUTSIDE_PLAN,
    UNJUSTIFIED_DATA_LOSS,
    WRONG_STATE,
    Expectation,
    Trial,
    check,
    down_throughout,
)

SUB = "00000000-0000-0000-0000-000000000000"


@pytest.fixture
def emu(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    with app_on_emulator(example_plan(), None, tmp_path, monkeypatch) as emulator:
        yield emulator


def trial(emu: Emulator, operation: str = "failover", status: str = "any", end: str = "any", **extra: Any) -> Trial:
    emu.state.tick()
    return Trial(
        plan=extra.pop("plan", emu.plan),
        operation=operation,  # type: ignore[arg-type]
        expected=Expectation(status, end),  # type: ignore[arg-type]
        scenario=emu.state.scenario.model_dump(mode="json", by_alias=True),
        state=emu.state.snapshot(),
        requests=list(emu.state.request_log),
        **extra,
    )


def categories(found: Trial) -> list[str]:
    return sorted({v.category for v in check(found)})


def switch_www(emu: Emulator, target: str) -> None:
    dns = sdk_client(emu, DnsManagementClient, SUB)
    dns.record_sets.create_or_update(
        "rg-dr-cus", "contoso.com", "www", "CNAME", RecordSet(ttl=60, cname_record=CnameRecord(cname=target))
    )


def force_sql(emu: Emulator) -> str:
    """Ask for a forced failover to the partner; Azure's refusal, if it refuses ('' if not)."""
    sql = sdk_client(emu, SqlManagementClient, SUB)
    try:
        sql.failover_groups.begin_force_failover_allow_data_loss("rg-dr-cus", "sql-cus", "fg-orders").result()
    except HttpResponseError as exc:
        return str(exc.error.code if exc.error else exc.status_code)
    return ""


def test_the_seeded_estate_breaks_no_invariant(emu: Emulator) -> None:
    assert check(trial(emu, "drill", end="clean", before=emu.state.snapshot())) == []
    assert check(trial(emu, "failover", end="untouched")) == []


def test_dns_on_the_secondary_while_data_is_in_the_primary_is_a_wrong_state(emu: Emulator) -> None:
    switch_www(emu, "web-cus.contoso.net")
    found = check(trial(emu))
    assert {v.category for v in found} == {WRONG_STATE}
    assert any("DNS points both ways" in v.detail for v in found), found


def test_a_claimed_success_is_held_to_the_end_state_it_claims(emu: Emulator) -> None:
    claim = {"operation": "failover", "status": "succeeded", "steps": []}
    found = check(trial(emu, reports=[claim]))
    assert [v.category for v in found] and {v.category for v in found} == {WRONG_STATE}
    assert any("claims succeeded, but sql fg-orders is on the primary" in v.detail for v in found), found


def test_an_expectation_the_run_does_not_meet_is_a_wrong_state(emu: Emulator) -> None:
    claim = {"operation": "failover", "status": "failed", "steps": []}
    found = check(trial(emu, status="succeeded", end="secondary", reports=[claim]))
    assert any("the run claims failed, the case expects succeeded" in v.detail for v in found)


def test_a_write_to_a_group_the_plan_does_not_name_is_outside_the_plan(emu: Emulator) -> None:
    groups = sdk_client(emu, ResourceManagementClient, SUB).resource_groups
    groups.create_or_update("rg-payroll", {"location": "centralus"})
    groups.create_or_update("contoso-dr", {"location": "centralus"})  # the failover group: in the plan
    found = [v for v in check(trial(emu)) if v.category == OUTSIDE_PLAN]
    assert len(found) == 1 and "resourcegroups/rg-payroll" in found[0].detail.lower()


def test_a_drill_may_write_its_own_group_and_nothing_else(emu: Emulator) -> None:
    groups = sdk_client(emu, ResourceManagementClient, SUB).resource_groups
    groups.create_or_update("contoso-dr-drill-20261201120000", {"location": "centralus"})
    groups.begin_delete("contoso-dr-drill-20261201120000").result()
    assert categories(trial(emu, "drill")) == []
    switch_www(emu, "web-eus2.contoso.net")  # the value it has: still a write a drill never makes
    found = [v for v in check(trial(emu, "drill")) if v.category == OUTSIDE_PLAN]
    assert len(found) == 1 and "outside the drill's own group" in found[0].detail


def test_a_drill_group_left_behind_is_not_clean(emu: Emulator) -> None:
    groups = sdk_client(emu, ResourceManagementClient, SUB).resource_groups
    groups.create_or_update("contoso-dr-drill-20261201120000", {"location": "centralus"})
    found = check(trial(emu, "drill", end="clean"))
    assert any("contoso-dr-drill-20261201120000 is left behind" in v.detail for v in found), found


def test_a_forced_failover_while_the_primary_answers_is_unjustified(emu: Emulator) -> None:
    force_sql(emu)
    found = [v for v in check(trial(emu)) if v.category == UNJUSTIFIED_DATA_LOSS]
    assert len(found) == 1 and "sql in eastus2 was not down for the 60s before it" in found[0].detail


def test_a_forced_failover_after_the_whole_window_of_outage_is_justified(emu: Emulator) -> None:
    emu.set_scenario({"latencies": {"default": 0}, "outage": ["eastus2"]})
    emu.advance(59)
    force_sql(emu)  # 59 emulated seconds into the outage: one second short of the window
    short = [v for v in check(trial(emu)) if v.category == UNJUSTIFIED_DATA_LOSS]
    assert len(short) == 1, short
    emu.state.request_log.clear()
    emu.advance(2)
    assert force_sql(emu) == "FailoverGroupFailoverRequestOnPrimary"  # done already; the attempt counts
    assert [v for v in check(trial(emu)) if v.category == UNJUSTIFIED_DATA_LOSS] == []


def test_a_data_loss_action_is_never_justified_in_a_failback_or_with_data_loss_forbidden(emu: Emulator) -> None:
    emu.set_scenario({"latencies": {"default": 0}, "outage": ["eastus2"]})
    emu.advance(600)
    force_sql(emu)
    assert UNJUSTIFIED_DATA_LOSS in categories(trial(emu, "failback"))
    forbid = Plan.model_validate({**emu.plan.model_dump(mode="json"), "policy": {"data_loss": "forbid"}})
    found = [v for v in check(trial(emu, plan=forbid)) if v.category == UNJUSTIFIED_DATA_LOSS]
    assert len(found) == 1 and "policy.data_loss is 'forbid'" in found[0].detail


def test_a_data_loss_action_into_a_target_that_is_down_is_unjustified(emu: Emulator) -> None:
    emu.set_scenario({"latencies": {"default": 0}, "outage": ["eastus2", {"region": "centralus", "services": ["sql"]}]})
    emu.advance(600)
    assert force_sql(emu) == "GatewayTimeout"  # Azure refuses it; the attempt still counts
    found = [v for v in check(trial(emu)) if v.category == UNJUSTIFIED_DATA_LOSS]
    assert len(found) == 1 and "the target (sql in centralus) was down" in found[0].detail


def test_a_claimed_step_whose_effect_is_missing_is_a_lost_write(emu: Emulator) -> None:
    claim = {
        "operation": "failover",
        "status": "failed",
        "steps": [
            {
                "kind": "dns",
                "resource": "www.contoso.com CNAME",
                "action": "switch_to_secondary",
                "status": "succeeded",
            },
            {"kind": "dns", "resource": "api.contoso.com A", "action": "switch_to_secondary", "status": "failed"},
        ],
    }
    found = [v for v in check(trial(emu, reports=[claim])) if v.category == LOST_WRITE]
    assert len(found) == 1 and "www.contoso.com CNAME" in found[0].detail and "points at the primary" in found[0].detail
    switch_www(emu, "web-cus.contoso.net")
    assert [v for v in check(trial(emu, reports=[claim])) if v.category == LOST_WRITE] == []


def test_a_later_claim_and_a_group_deletion_supersede_earlier_ones(emu: Emulator) -> None:
    vmss = f"/subscriptions/{SUB}/resourceGroups/contoso-dr/providers/Microsoft.Compute/virtualMachineScaleSets/web"
    worker = (
        f"/subscriptions/{SUB}/resourceGroups/rg-dr-cus/providers/Microsoft.Compute/virtualMachineScaleSets/worker-cus"
    )
    steps = [
        {"kind": "scale_set", "resource": vmss, "action": "create", "status": "succeeded", "data": {"capacity": 4}},
        {"kind": "scale_set", "resource": worker, "action": "scale", "status": "succeeded", "data": {"capacity": 2}},
        {"kind": "scale_set", "resource": worker, "action": "scale", "status": "succeeded", "data": {"capacity": 0}},
        {
            "kind": "resource_group",
            "resource": f"/subscriptions/{SUB}/resourceGroups/contoso-dr",
            "action": "delete",
            "status": "succeeded",
        },
    ]
    claim = {"operation": "failback", "status": "succeeded", "steps": steps}
    assert [v for v in check(trial(emu, "failback", reports=[claim])) if v.category == LOST_WRITE] == []
    wrong = {**claim, "steps": steps[:2]}
    found = [v for v in check(trial(emu, "failback", reports=[wrong])) if v.category == LOST_WRITE]
    assert sorted(v.detail.split(": ")[-1] for v in found) == [
        "its capacity is 0, not 2",
        "its capacity is None, not 4",
    ]


@pytest.mark.parametrize(
    ("outage", "span", "down"),
    [
        ([{"region": "eastus2"}], (0, 60), True),
        ([{"region": "eastus2", "from": 10}], (0, 60), False),
        ([{"region": "eastus2", "until": 50}], (0, 60), False),
        ([{"region": "eastus2", "until": 30}, {"region": "eastus2", "from": 30}], (0, 60), True),
        ([{"region": "eastus2", "until": 30}, {"region": "eastus2", "from": 31}], (0, 60), False),
        ([{"region": "eastus2", "services": ["cosmos"]}], (0, 60), False),
        ([{"region": "centralus"}], (0, 60), False),
        ([{"region": "eastus2"}], (-1, 59), False),  # before the emulator's start nothing is known
    ],
)
def test_down_throughout_needs_the_whole_span_covered(
    outage: list[dict[str, Any]], span: tuple[float, float], down: bool
) -> None:
    assert down_throughout(parse_scenario({"outage": outage}), "eastus2", "sql", *span) is down
