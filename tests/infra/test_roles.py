"""Least privilege: the custom roles grant exactly the ARM actions regionshift performs, at the
scopes the plan's resources live in, and no role assignment anywhere uses a built-in admin role.

`required_actions(plan)` (regionshift/azure/permissions.py) is what a failover does. The roles also
hold the reads and deletes of failback, drill and the readiness checks: those are listed below with
the code that needs them, so any action added to infra/roles.json must be justified here too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from bicep import BICEP_FILES, INFRA, REPO, bicepparam, built_in_roles, parse, ref, roles

from regionshift.azure.permissions import required_actions
from regionshift.plan import Plan, load_plan

# Beyond a failover's writes: what failback, drills and readiness checks also do.
BEYOND_FAILOVER = {
    "microsoft.sql/servers/read",  # readiness: partner server region
    "microsoft.insights/metrics/read",  # readiness: SQL replication lag
    "microsoft.network/dnszones/read",  # readiness: the zone exists
    "microsoft.network/virtualnetworks/read",  # readiness: subnet's network in the secondary
    "microsoft.network/virtualnetworks/subnets/read",
    "microsoft.network/loadbalancers/read",
    "microsoft.network/loadbalancers/backendaddresspools/read",
    "microsoft.resources/subscriptions/resourcegroups/read",  # check_existence before create/delete
    "microsoft.resources/subscriptions/resourcegroups/delete",  # failback and drill clean-up
    "microsoft.compute/virtualmachinescalesets/delete",  # deleting a group deletes its scale sets
    "microsoft.compute/virtualmachinescalesets/virtualmachines/read",  # wait for running instances
    "microsoft.compute/locations/usages/read",  # readiness: vCPU quota
    "microsoft.authorization/permissions/read",  # readiness: the caller's permissions
}
# Built-in admin roles: Owner, Contributor, User Access Administrator, RBAC Administrator.
FORBIDDEN_ROLE_IDS = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    "b24988ac-6180-42a0-ab88-20f7382dd24c",
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
    "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
}
GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


def _dns(name: str, kind: str, primary: object, secondary: object) -> dict[str, object]:
    return {
        "resource_group": "rg-dns",
        "zone": "contoso.com",
        "ttl": 60,
        "name": name,
        "type": kind,
        "primary": primary,
        "secondary": secondary,
    }


# Every feature that adds actions: forced failover, both scale-set modes, every DNS record type.
SUB = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups"
FULL_PLAN = {
    "name": "full",
    "subscription_id": "00000000-0000-0000-0000-000000000000",
    "regions": {"primary": "eastus2", "secondary": "centralus"},
    "failover_resource_group": "dr",
    "sql_failover_groups": [{"resource_group": "rg-data", "server": "sql-a", "name": "fg", "partner_server": "sql-b"}],
    "cosmos_accounts": [{"resource_group": "rg-data", "name": "cosmos"}],
    "scale_sets": [
        {
            "name": "web",
            "mode": "create",
            "capacity": 2,
            "sku": "Standard_D2s_v5",
            "image": f"{SUB}/rg-img/providers/Microsoft.Compute/galleries/g/images/i/versions/1.0.0",
            "subnet": f"{SUB}/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/s",
            "backend_pool": f"{SUB}/rg-net/providers/Microsoft.Network/loadBalancers/lb/backendAddressPools/p",
        },
        {
            "name": "worker",
            "mode": "scale",
            "scale_set": f"{SUB}/rg-vm/providers/Microsoft.Compute/virtualMachineScaleSets/w",
            "capacity": 1,
        },
    ],
    "dns_records": [
        _dns("www", "CNAME", "a.contoso.net", "b.contoso.net"),
        _dns("api", "A", ["20.1.2.3"], ["52.4.5.6"]),
        _dns("v6", "AAAA", ["2001:db8::1"], ["2001:db8::2"]),
    ],
    "policy": {"data_loss": "allow"},
}


def _granted(role: str) -> set[str]:
    return {a.lower() for a in roles()["roles"][role]["actions"]}


def _all_granted() -> set[str]:
    return set().union(*(_granted(r) for r in roles()["roles"]))


def _failover_actions(plan: Plan) -> set[str]:
    return {a.lower() for actions in required_actions(plan).values() for a in actions}


@pytest.fixture(scope="module")
def full_plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    path = tmp_path_factory.mktemp("plan") / "full.yaml"
    path.write_text(yaml.safe_dump(FULL_PLAN), encoding="utf-8")
    return load_plan(path)


def test_roles_grant_exactly_the_failover_actions_plus_the_justified_reads_and_deletes(full_plan: Plan) -> None:
    needed = _failover_actions(full_plan)
    granted = _all_granted()
    assert not needed - granted, f"a failover needs actions no role grants: {sorted(needed - granted)}"
    assert granted - needed == BEYOND_FAILOVER, f"unjustified: {sorted(granted - needed - BEYOND_FAILOVER)}"


def test_no_wildcards_and_every_action_is_explained() -> None:
    data = roles()
    listed = [a for role in data["roles"].values() for a in role["actions"]]
    assert not [a for a in listed if "*" in a], "wildcard actions"
    assert len(listed) == len(set(listed)), "an action is granted by two roles"
    assert set(listed) == set(data["why"]), "roles.json 'why' must explain each action, and only those"


def test_each_plan_resource_group_gets_its_actions_from_the_roles_assigned_there() -> None:
    plan = load_plan(REPO / "plans" / "example.yaml")
    params = bicepparam()
    by_role = roles()["roles"]
    for (subscription, group), actions in required_actions(plan).items():
        assert subscription == plan.subscription_id  # one subscription: the deployment's
        here = set(_granted("compute"))  # assigned at the subscription, so inherited everywhere
        for name, role in by_role.items():
            if role["scope"] != "subscription" and group in params[role["scope"]]:
                here |= _granted(name)
        missing = {a.lower() for a in actions} - here
        assert not missing, f"{group}: no role assigned there grants {sorted(missing)}"


def test_main_bicep_assigns_each_role_over_the_parameter_roles_json_names() -> None:
    main = parse(INFRA / "main.bicep")
    for name, role in roles()["roles"].items():
        definition = main["modules"][f"{name}Role"]["config"]["params"]
        assert definition["roleKey"] == name
        assert ref(definition["actions"]) == f"roles.{name}.actions"
        if role["scope"] == "subscription":
            assignment = main["resources"][f"{name}Access"]["config"]
            assert "scope" not in assignment  # deployed at the subscription: targetScope
            assert ref(assignment["properties"]["roleDefinitionId"]) == f"{name}Role.outputs.id"
            continue
        module = main["modules"][f"{name}Access"]["config"]
        assert module["loop_type"]["detail"]["array_name"] == role["scope"]
        assert role["scope"] in main["parameters"]
        ids = module["config"]["params"]["roleDefinitionIds"]
        assert [ref(i) for i in ids] == [f"{name}Role.outputs.id"]


def test_no_role_assignment_uses_an_admin_built_in_role() -> None:
    files = [*BICEP_FILES, INFRA / "builtInRoles.json", INFRA / "roles.json"]
    ids = {g.lower() for path in files for g in GUID.findall(path.read_text(encoding="utf-8"))}
    assert not ids & FORBIDDEN_ROLE_IDS
    # Every role id in infra/ is one of the justified built-in data/reader roles.
    assert ids <= set(built_in_roles().values()), f"unreviewed role ids: {ids - set(built_in_roles().values())}"
    assert set(built_in_roles()) == {
        "storageBlobDataOwner",
        "storageQueueDataContributor",
        "storageTableDataContributor",
        "monitoringMetricsPublisher",
        "keyVaultSecretsUser",
        "monitoringReader",
        "logAnalyticsReader",
    }


@pytest.mark.parametrize("path", BICEP_FILES, ids=lambda p: p.name)
def test_role_assignments_name_their_role_by_reference_not_by_literal(path: Path) -> None:
    for name, resource in parse(path).get("resources", {}).items():
        if resource["type"] == "Microsoft.Authorization/roleAssignments":
            role = resource["config"].get("properties") or resource["config"]["config"]["properties"]
            assert not isinstance(role["roleDefinitionId"], str) or not GUID.search(role["roleDefinitionId"]), name
