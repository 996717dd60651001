"""Choices discovery cannot make are questions: commented entries the written plan keeps valid."""

from __future__ import annotations

from collections.abc import Callable

from estate_tools import discovered

from regionshift.discovery.naming import base_name, swap_region, without_index
from regionshift_emulator.harness import example_plan
from regionshift_emulator.server import Emulator
from regionshift_emulator.services.compute.gallery import set_replica
from regionshift_emulator.services.compute.models import VMSS_TYPE

Start = Callable[..., Emulator]
SUB = "00000000-0000-0000-0000-000000000000"
IMAGE = example_plan().scale_sets[0].image or ""


def test_an_image_without_a_secondary_replica_is_a_question(estate: Start) -> None:
    emulator = estate(example_plan())
    set_replica(emulator.state.store, IMAGE, "centralus", None)
    found, written, text = discovered(example_plan())
    assert [s.name for s in written.scale_sets] == ["worker"]
    (question,) = found.questions
    assert question.label == "web"
    assert "has no replica in centralus; replicate it there first" in question.comments[-1]
    assert "  #   mode: create" in text  # the draft is there, commented out


def test_a_scale_set_from_a_marketplace_image_is_a_question(estate: Start) -> None:
    emulator = estate(example_plan())
    vmss = emulator.state.store.require(
        f"/subscriptions/{SUB}/resourceGroups/rg-dr-eus2/providers/{VMSS_TYPE}/web-eus2"
    )
    vmss.properties["virtualMachineProfile"]["storageProfile"]["imageReference"] = {
        "publisher": "Canonical",
        "offer": "ubuntu-24_04-lts",
        "sku": "server",
    }
    found, _, _ = discovered(example_plan())
    (question,) = found.questions
    assert "runs Canonical/ubuntu-24_04-lts/server, not a Compute Gallery image version" in question.comments[-1]


def test_a_record_without_a_secondary_counterpart_is_a_question(estate: Start) -> None:
    emulator = estate(example_plan())
    emulator.state.store.delete(
        f"/subscriptions/{SUB}/resourceGroups/rg-dr-cus/providers/Microsoft.Network/publicIPAddresses/pip-www-contoso-com-cus"
    )
    found, written, text = discovered(example_plan())
    assert [r.name for r in written.dns_records] == ["api"]
    assert [q.label for q in found.questions] == ["www.contoso.com CNAME"]
    assert "secondary: <secondary target>" in text


def test_a_subnet_missing_in_the_secondary_is_a_question(estate: Start) -> None:
    emulator = estate(example_plan())
    emulator.state.store.delete_tree(
        f"/subscriptions/{SUB}/resourceGroups/rg-dr-cus/providers/Microsoft.Network/virtualNetworks/vnet-cus"
    )
    found, _, _ = discovered(example_plan())
    (question,) = found.questions
    assert question.comments[-1].startswith("QUESTION: no subnet in centralus matches")


def test_a_backend_pool_missing_in_the_secondary_leaves_it_out_and_asks(estate: Start) -> None:
    emulator = estate(example_plan())
    emulator.state.store.delete_tree(
        f"/subscriptions/{SUB}/resourceGroups/rg-dr-cus/providers/Microsoft.Network/loadBalancers/lb-cus"
    )
    found, written, _ = discovered(example_plan())
    web = next(s for s in written.scale_sets if s.name == "web")
    assert (web.backend_pool, found.questions) == (None, [])
    assert any(c.startswith("QUESTION: no backend pool in centralus") for e in found.found for c in e.comments)


def test_a_group_homed_in_the_primary_is_noted_for_check(estate: Start) -> None:
    plan = example_plan()
    data = plan.model_dump(mode="json")
    data["cosmos_accounts"] = [{"resource_group": "rg-data-eus2", "name": "cosmos-orders"}]
    from regionshift.plan import Plan

    estate(Plan.model_validate(data))
    found, _, _ = discovered(plan)
    cosmos = next(e for e in found.found if e.section == "cosmos_accounts")
    assert "resource group rg-data-eus2 is homed in eastus2, the primary" in cosmos.comments[-1]


def test_names_pair_by_their_base() -> None:
    regions = ("eastus2", "centralus")
    assert base_name("sql-EUS2-3", regions) == base_name("sql-cus-3", regions) == "sql-3"
    assert base_name("vnet_eastus2.core", regions) == "vnet-core"
    assert base_name("eus2", regions) == "eus2"  # a name that is only a token stays itself
    assert base_name("webeus2", regions) == "webeus2"  # a glued token is not recognised
    assert without_index("pip-api-2") == "pip-api" and without_index("pip-api") == "pip-api"
    assert swap_region("rg-dr-cus", "centralus", "eastus2") == "rg-dr-eus2"
    assert swap_region("vnet-CentralUS", "centralus", "eastus2") == "vnet-eastus2"
    assert swap_region("vnet", "centralus", "eastus2") is None
