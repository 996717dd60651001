"""Discovery round trips: an emulator seeded from a plan is discovered back into the same plan.

The seeded estate holds both regions (`regionshift_emulator.primary_estate`); discovery sees only
what ARM shows, through the real SDK clients. Noise that pairs with nothing is left out and listed.
"""

from __future__ import annotations

from collections.abc import Callable

from estate_tools import add_noise, discovered, resources

from regionshift.azure.clients import default_clients
from regionshift.azure.readiness import blocking, run_checks
from regionshift.plan import Plan
from regionshift_emulator.estates import generated_plan, subscription
from regionshift_emulator.harness import example_plan
from regionshift_emulator.server import Emulator

Start = Callable[..., Emulator]


def test_the_example_estate_is_discovered_as_the_example_plan(estate: Start) -> None:
    plan = example_plan()
    estate(plan)
    found, written, _ = discovered(plan)
    assert resources(written) == resources(plan)
    assert (found.questions, found.left_out, found.problems) == ([], [], [])


def test_the_discovered_plan_passes_check_on_the_same_estate(estate: Start) -> None:
    plan = example_plan()
    estate(plan)
    _, written, _ = discovered(plan)
    results = run_checks(default_clients(), written)
    assert blocking(written, results) == []
    assert any(c.action == "sql_failover_group" and c.status == "succeeded" for c in results)


def test_the_written_plan_forbids_data_loss_and_comments_each_pair(estate: Start) -> None:
    plan = example_plan()  # allows data loss: discovery never copies that
    estate(plan)
    _, written, text = discovered(plan)
    assert written.policy.data_loss == "forbid"
    assert "# fg-orders: sql-eus2 (eastus2) -> sql-cus (centralus)" in text
    assert "failover priorities eastus2 0, centralus 1; writes go to eastus2" in text
    assert "www.contoso.com CNAME: web-eus2.contoso.net is public IP pip-www-contoso-com-eus2 in eastus2" in text


def test_a_generated_estate_across_subscriptions_is_discovered_with_its_noise_left_out(estate: Start) -> None:
    plan = generated_plan(100, subscriptions=3)
    emulator = estate(plan)
    noise = {
        **add_noise(emulator, subscription(0)),
        **{f"{k} (2)": v for k, v in add_noise(emulator, subscription(2)).items()},
    }
    found, written, text = discovered(plan, [subscription(i) for i in range(3)])
    assert resources(written) == resources(plan)
    assert sum(len(v) for v in resources(written).values()) == 100
    listed = {x.resource for x in found.left_out}
    assert set(noise.values()) <= listed, set(noise.values()) - listed
    assert len(found.left_out) == len(noise)
    assert "# Left out (18)" in text


def test_only_the_named_resource_groups_are_read(estate: Start) -> None:
    plan = example_plan()
    emulator = estate(plan)
    add_noise(emulator, plan.subscription_id)
    found, written, _ = discovered(plan, groups=["rg-data-eus2", "rg-dr-cus", "rg-dr-eus2"])
    assert resources(written) == resources(plan)
    assert found.left_out == []


def test_only_the_named_zones_are_read(estate: Start) -> None:
    plan: Plan = example_plan()
    emulator = estate(plan)
    add_noise(emulator, plan.subscription_id)
    found, written, _ = discovered(plan, zones=["contoso.com"])
    assert resources(written)["dns"] == resources(plan)["dns"]
    assert not [x for x in found.left_out if x.kind == "dns record"]
