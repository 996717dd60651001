"""ARM's naming rules as the plan applies them: names ARM takes pass unchanged, names it refuses
(or that would change a request's path) are refused with the rule named, and regions come from
Azure's list with a guess for a typo."""

from __future__ import annotations

import pytest

from regionshift.errors import PlanError
from regionshift.plan import Plan, parse_plan
from regionshift.plan.arm_names import FAILOVER_GROUP_MAX, check_record_name, check_zone_name

BASE = """
name: contoso-web
subscription_id: 00000000-0000-0000-0000-000000000000
regions: {primary: eastus2, secondary: centralus}
failover_resource_group: contoso-dr
"""


def plan_with(extra: str, base: str = BASE) -> Plan:
    return parse_plan(base + extra)


def problems(extra: str, base: str = BASE) -> list[str]:
    with pytest.raises(PlanError) as caught:
        plan_with(extra, base)
    return caught.value.problems


@pytest.mark.parametrize("name", ["www", "api.eu", "@", "*", "*.static", "_dmarc", "a-b_c", "x" * 63])
def test_relative_record_names_azure_dns_takes_pass(name: str) -> None:
    assert check_record_name(name, "contoso.com") == name


@pytest.mark.parametrize(
    "name",
    ["www2/../../CNAME/victim", "www.", ".www", "a..b", "www/x", "a*", "www.*", "x" * 64, "w w", "www?x", ""],
)
def test_record_names_that_are_not_relative_dns_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="is not a record name"):
        check_record_name(name, "contoso.com")


def test_a_record_name_within_253_characters_in_all_passes_and_one_over_does_not() -> None:
    zone = "contoso.com"  # with the period before it, 241 characters are left for the name
    fitting = ".".join(["a" * 60] * 5)[:241]
    assert len(fitting) + 1 + len(zone) == 253 and not fitting.endswith(".")
    assert check_record_name(fitting, zone) == fitting
    with pytest.raises(ValueError, match="longer than 253"):
        check_record_name(fitting + "a", zone)


def test_zone_names_keep_their_labels_lower_cased_without_the_final_period() -> None:
    assert check_zone_name("Contoso.COM.") == "contoso.com"
    assert check_zone_name("eu.internal.contoso.com") == "eu.internal.contoso.com"
    for bad in ("com", "contoso..com", "contoso.com/x", "-" * 64 + ".com"):
        with pytest.raises(ValueError):
            check_zone_name(bad)


def test_apex_a_records_and_wildcards_are_accepted_in_a_plan() -> None:
    plan = plan_with(
        "dns_records:\n"
        "  - {resource_group: rg-dr-cus, zone: contoso.com, name: '@', type: A, primary: [20.1.2.3], "
        "secondary: [52.4.5.6]}\n"
        "  - {resource_group: rg-dr-cus, zone: contoso.com, name: '*', type: CNAME, primary: a.contoso.net, "
        "secondary: b.contoso.net}\n"
    )
    assert [r.fqdn for r in plan.dns_records] == ["contoso.com", "*.contoso.com"]


def test_a_and_aaaa_may_share_a_name_but_a_cname_may_not() -> None:
    both = (
        "dns_records:\n"
        "  - {resource_group: rg, zone: contoso.com, name: api, type: A, primary: [20.1.2.3], secondary: [52.4.5.6]}\n"
        "  - {resource_group: rg, zone: contoso.com, name: api, type: AAAA, primary: ['2001:db8::1'], "
        "secondary: ['2001:db8::2']}\n"
    )
    assert len(plan_with(both).dns_records) == 2


def test_the_failover_group_may_be_as_long_as_a_drill_leaves_room_for() -> None:
    assert FAILOVER_GROUP_MAX == 69
    at_limit = BASE.replace("contoso-dr", "d" * 69)
    assert plan_with("cosmos_accounts: [{resource_group: rg, name: cosmos-orders}]\n", at_limit)
    over = BASE.replace("contoso-dr", "d" * 70)
    (problem,) = problems("cosmos_accounts: [{resource_group: rg, name: cosmos-orders}]\n", over)
    assert "at most 69 characters" in problem and "-drill-<YYYYmmddHHMMSS>" in problem


def test_the_failover_group_cannot_be_a_group_the_plan_lives_in_even_in_another_spelling() -> None:
    image = (
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/Contoso-DR/providers/"
        "Microsoft.Compute/galleries/gal/images/web/versions/1.0.0"
    )
    subnet = (
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-net/providers/"
        "Microsoft.Network/virtualNetworks/vnet/subnets/web"
    )
    entry = f"name: web, mode: create, capacity: 1, sku: Standard_D2s_v5, image: {image}, subnet: {subnet}"
    scale = f"scale_sets: [{{{entry}}}]\n"
    (problem,) = problems(scale)
    assert problem.startswith("failover_resource_group: 'contoso-dr' is also scale_sets[0].image;")
    # The same group name in another subscription is another group.
    other = image.replace("00000000-0000-0000-0000-000000000000", "11111111-1111-1111-1111-111111111111", 1)
    assert plan_with(scale.replace(image, other))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("server", "sql-eus2"),
        ("server", "a"),
        ("server", "x" * 63),
        ("resource_group", "rg_data.(eus2)"),
        ("resource_group", "rg-données"),  # Learn: Unicode letters are allowed in group names
    ],
)
def test_sql_and_group_names_arm_takes_pass(field: str, value: str) -> None:
    group = {"resource_group": "rg-data", "server": "sql-eus2", "name": "fg-orders", field: value}
    entry = ", ".join(f"{k}: '{v}'" for k, v in group.items())
    assert plan_with(f"sql_failover_groups: [{{{entry}}}]\n").sql_failover_groups[0].model_dump()[field] == value


@pytest.mark.parametrize("name", ["cos", "a" * 44, "cosmos--orders"])
def test_cosmos_names_arm_takes_pass(name: str) -> None:
    assert plan_with(f"cosmos_accounts: [{{resource_group: rg, name: {name}}}]\n").cosmos_accounts[0].name == name


@pytest.mark.parametrize(
    ("spelled", "expected"), [("eastus2", "eastus2"), ("EastUS2", "eastus2"), ("East US 2", "eastus2")]
)
def test_regions_are_read_as_arm_short_names(spelled: str, expected: str) -> None:
    plan = plan_with(
        "cosmos_accounts: [{resource_group: rg, name: cosmos-orders}]\n",
        BASE.replace("primary: eastus2", f"primary: {spelled}"),
    )
    assert plan.regions.primary == expected


def test_a_region_that_is_nothing_like_one_gets_no_guess() -> None:
    (problem,) = problems(
        "cosmos_accounts: [{resource_group: rg, name: cosmos-orders}]\n", BASE.replace("centralus", "mars")
    )
    assert problem == "regions.secondary: 'mars' is not an Azure region (use ARM's short name, like eastus2)"


def test_ids_naming_a_parent_or_a_query_are_refused_whatever_their_type() -> None:
    metric = (
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Web/sites/app?x=1"
    )
    base = BASE + "cosmos_accounts: [{resource_group: rg, name: cosmos-orders}]\n"
    (problem,) = problems(
        "policy:\n  approval: automatic\n  confirmation:\n    metric: {resource_id: '"
        + metric
        + "', metric: Http5xx, operator: GreaterThan, threshold: 1}\n",
        base,
    )
    assert "cannot be part of a resource id" in problem
