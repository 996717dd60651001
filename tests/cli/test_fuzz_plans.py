"""Property: for any plan `validate` accepts, the read-only commands (`validate`, `check --simulate`,
`plan --simulate`) end with an exit code and lines of text, never a traceback or an escaped
exception; and any YAML at all is either a plan or a `PlanError`.

Plans are drawn from the rules the validator applies (names from `arm_names`' own patterns, regions
from the region table, sections present or not, partners named or not), so most draws are valid
and reach the emulator. The runs are derandomized (the same examples every time, no flakiness);
set REGIONSHIFT_FUZZ_EXAMPLES to try more.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from regionshift.azure.regions import DISPLAY_NAMES
from regionshift.cli.main import app
from regionshift.errors import PlanError
from regionshift.plan import parse_plan
from regionshift.plan.arm_names import (
    COSMOS_ACCOUNT,
    FAILOVER_RESOURCE_GROUP,
    GALLERY,
    GALLERY_IMAGE,
    LOAD_BALANCER,
    RESOURCE_GROUP,
    SCALE_SET,
    SQL_FAILOVER_GROUP,
    SQL_SERVER,
    SUBNET,
    VIRTUAL_NETWORK,
    NameRule,
)

EXAMPLES = int(os.environ.get("REGIONSHIFT_FUZZ_EXAMPLES", "30"))
SUBS = ["00000000-0000-0000-0000-000000000000", "11111111-2222-3333-4444-555555555555"]


def names(rule: NameRule) -> st.SearchStrategy[str]:
    return st.from_regex(rule.pattern, fullmatch=True).filter(lambda n: rule.min_length <= len(n) <= rule.max_length)


label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
zones = st.lists(label, min_size=2, max_size=4).map(".".join)
record_names = st.one_of(st.just("@"), st.just("*"), st.lists(label, min_size=1, max_size=3).map(".".join))
ipv4 = st.ip_addresses(v=4).map(str)
ipv6 = st.ip_addresses(v=6).map(str)
hosts = st.lists(label, min_size=2, max_size=3).map(".".join)


def rid(sub: str, group: str, provider: str, *pairs: str) -> str:
    return f"/subscriptions/{sub}/resourceGroups/{group}/providers/{provider}/" + "/".join(pairs)


@st.composite
def sql_groups(draw: st.DrawFn) -> dict[str, Any]:
    group: dict[str, Any] = {
        "resource_group": draw(names(RESOURCE_GROUP)),
        "server": draw(names(SQL_SERVER)),
        "name": draw(names(SQL_FAILOVER_GROUP)),
    }
    if draw(st.booleans()):
        group["partner_server"] = draw(names(SQL_SERVER))
        if draw(st.booleans()):
            group["partner_resource_group"] = draw(names(RESOURCE_GROUP))
    if draw(st.booleans()):
        group["subscription_id"] = draw(st.sampled_from(SUBS))
    return group


@st.composite
def scale_sets(draw: st.DrawFn) -> dict[str, Any]:
    sub, group = draw(st.sampled_from(SUBS)), draw(names(RESOURCE_GROUP))
    entry: dict[str, Any] = {"name": draw(names(SCALE_SET)), "capacity": draw(st.integers(1, 20))}
    if draw(st.booleans()):
        gallery = [draw(names(GALLERY)), draw(names(GALLERY_IMAGE))]
        version = ".".join(str(draw(st.integers(0, 99))) for _ in range(3))
        net = "Microsoft.Network/virtualNetworks"
        entry |= {
            "mode": "create",
            "sku": draw(st.sampled_from(["Standard_D2s_v5", "Standard_D4s_v5", "Standard_B2s", "Standard_Q9_v9"])),
            "image": rid(
                sub, group, "Microsoft.Compute/galleries", gallery[0], "images", gallery[1], "versions", version
            ),
            "subnet": rid(sub, group, net, draw(names(VIRTUAL_NETWORK)), "subnets", draw(names(SUBNET))),
        }
        if draw(st.booleans()):
            lb = draw(names(LOAD_BALANCER))
            entry["backend_pool"] = rid(sub, group, "Microsoft.Network/loadBalancers", lb, "backendAddressPools", "web")
    else:
        name = draw(names(SCALE_SET))
        entry |= {"mode": "scale", "scale_set": rid(sub, group, "Microsoft.Compute/virtualMachineScaleSets", name)}
    return entry


@st.composite
def dns_records(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["A", "AAAA", "CNAME"]))
    if kind == "CNAME":
        primary, secondary = draw(hosts), draw(hosts)
    else:
        ips = ipv4 if kind == "A" else ipv6
        primary, secondary = draw(st.lists(ips, min_size=1, max_size=3)), draw(st.lists(ips, min_size=1, max_size=3))
    return {
        "resource_group": draw(names(RESOURCE_GROUP)),
        "zone": draw(zones),
        "name": draw(record_names),
        "type": kind,
        "ttl": draw(st.integers(1, 3600)),
        "primary": primary,
        "secondary": secondary,
    }


@st.composite
def plans(draw: st.DrawFn) -> dict[str, Any]:
    primary, secondary = draw(st.lists(st.sampled_from(sorted(DISPLAY_NAMES)), min_size=2, max_size=2, unique=True))
    plan: dict[str, Any] = {
        "name": draw(st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True)),
        "subscription_id": draw(st.sampled_from(SUBS)),
        "regions": {"primary": primary, "secondary": secondary},
        "failover_resource_group": draw(names(FAILOVER_RESOURCE_GROUP)),
        "sql_failover_groups": draw(st.lists(sql_groups(), max_size=2)),
        "cosmos_accounts": [
            {"resource_group": g, "name": n}
            for g, n in draw(st.lists(st.tuples(names(RESOURCE_GROUP), names(COSMOS_ACCOUNT)), max_size=2))
        ],
        "scale_sets": draw(st.lists(scale_sets(), max_size=2)),
        "dns_records": draw(st.lists(dns_records(), max_size=2)),
        "policy": {
            "data_loss": draw(st.sampled_from(["forbid", "allow"])),
            "advisory_checks": draw(st.lists(st.sampled_from(["permissions", "compute_quota", "dns_record"]))),
        },
    }
    text = yaml.safe_dump(plan)
    try:
        parse_plan(text)
    except PlanError:
        assume(False)  # only plans validate accepts
    return plan


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _run(args: list[str], state: Path) -> None:
    result = CliRunner().invoke(app, args, env={"REGIONSHIFT_STATE_DIR": str(state), "COLUMNS": "200"})
    shown = result.stdout + (result.stderr if result.stderr_bytes is not None else "")
    assert result.exception is None or isinstance(result.exception, SystemExit), (args, repr(result.exception))
    assert result.exit_code in (0, 1), (args, result.exit_code, shown)
    assert "Traceback" not in shown and "internal error" not in shown, shown


@FUZZ
@given(plan=plans(), command=st.sampled_from(["validate", "check", "plan"]))
def test_read_only_commands_never_crash_on_a_plan_validate_accepts(plan: dict[str, Any], command: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "plan.yaml"
        path.write_text(yaml.safe_dump(plan), encoding="utf-8")
        args = [command, str(path)] + ([] if command == "validate" else ["--simulate"])
        if command == "check":
            args += ["--report-dir", str(Path(tmp) / "reports")]
        _run(args, Path(tmp) / "state")


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(
    base=st.sampled_from(["", "name: p\nsubscription_id: 00000000-0000-0000-0000-000000000000\n"]),
    value=st.dictionaries(
        st.sampled_from(
            [
                "name",
                "regions",
                "failover_resource_group",
                "sql_failover_groups",
                "cosmos_accounts",
                "scale_sets",
                "dns_records",
                "policy",
                "triggers",
                "reports",
                "extra",
            ]
        ),
        yaml_values,
        max_size=6,
    ),
)
def test_any_yaml_is_a_plan_or_a_plan_error(base: str, value: dict[str, Any]) -> None:
    text = base + yaml.safe_dump(value) if value else base
    try:
        parse_plan(text)
    except PlanError as exc:
        assert exc.problems and all(isinstance(p, str) and "\n" not in p for p in exc.problems)
