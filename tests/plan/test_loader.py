"""The plan file: valid plans load, each kind of mistake gets one clear line naming its key."""

from __future__ import annotations

from pathlib import Path

import pytest

from regionshift.errors import PlanError
from regionshift.plan import load_plan, parse_plan

ROOT = Path(__file__).resolve().parents[2]
INVALID = ROOT / "tests" / "fixtures" / "plans" / "invalid"


def problems_of(path: Path) -> list[str]:
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    return caught.value.problems


def test_example_plan_loads_with_defaults_filled_in() -> None:
    plan = load_plan(ROOT / "plans" / "example.yaml")
    assert plan.regions.primary == "eastus2"
    assert [s.mode for s in plan.scale_sets] == ["create", "scale"]
    assert plan.scale_sets[1].scale_set_id is not None
    assert plan.scale_sets[1].scale_set_id.name == "worker-cus"
    assert plan.subscription_of(plan.cosmos_accounts[0]) == plan.subscription_id


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("capacity-zero.yaml", "scale_sets[0].capacity: must be at least 1"),
        ("same-regions.yaml", "regions: primary and secondary must differ (both are 'eastus2')"),
        ("unknown-key.yaml", "cosmos_accounts[0].priority: unknown key"),
        ("duplicate-names.yaml", "cosmos_accounts[1]: duplicate 'cosmos-orders'"),
        ("cname-list.yaml", "dns_records[0]: primary: a CNAME record points at one host name"),
    ],
)
def test_each_mistake_names_its_key(fixture: str, expected: str) -> None:
    assert expected in problems_of(INVALID / fixture)


def test_bad_resource_ids_say_what_was_expected() -> None:
    problems = problems_of(INVALID / "bad-resource-id.yaml")
    assert any(
        p.startswith("scale_sets[0].image: must be the id of a Microsoft.Compute/galleries/images/versions")
        for p in problems
    )
    assert any(p.startswith("scale_sets[0].subnet: must be a resource id") for p in problems)


def test_malformed_yaml_is_one_line_with_its_position() -> None:
    (problem,) = problems_of(INVALID / "malformed.yaml")
    assert problem.startswith("not valid YAML:")
    assert "line" in problem


def test_duplicate_yaml_keys_are_refused_not_silently_overwritten() -> None:
    with pytest.raises(PlanError) as caught:
        parse_plan("name: a\nname: b\n")
    assert caught.value.problems == ["not valid YAML: duplicate key 'name' (line 2)"]


def test_missing_file_is_a_plan_error() -> None:
    assert problems_of(ROOT / "plans" / "does-not-exist.yaml") == ["file not found"]


def test_a_plan_must_declare_something() -> None:
    with pytest.raises(PlanError) as caught:
        parse_plan(
            "name: empty\nsubscription_id: 00000000-0000-0000-0000-000000000000\n"
            "regions: {primary: eastus2, secondary: centralus}\nfailover_resource_group: dr\n"
        )
    assert caught.value.problems == ["declares nothing to fail over"]


def test_mode_scale_needs_the_scale_set_id() -> None:
    with pytest.raises(PlanError) as caught:
        parse_plan(
            "name: p\nsubscription_id: 00000000-0000-0000-0000-000000000000\n"
            "regions: {primary: eastus2, secondary: centralus}\nfailover_resource_group: dr\n"
            "scale_sets: [{name: w, mode: scale, capacity: 2}]\n"
        )
    assert caught.value.problems == ["scale_sets[0]: mode 'scale' needs scale_set"]


def test_plan_context_drops_resource_lists_but_keeps_policy() -> None:
    plan = load_plan(ROOT / "plans" / "example.yaml")
    context = plan.context()
    assert context.policy == plan.policy
    assert not hasattr(context, "scale_sets")
