"""`regionshift discover` as a user runs it: the plan file, what it says on stderr, bad input."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from regionshift.cli.main import app
from regionshift.plan import load_plan
from regionshift_emulator.harness import example_plan, writes
from regionshift_emulator.server import Emulator

Start = Callable[..., Emulator]
SUB = "00000000-0000-0000-0000-000000000000"


def run(*args: str) -> Any:
    return CliRunner().invoke(app, ["discover", *args])


def regions(*extra: str) -> list[str]:
    return ["--subscription", SUB, "--primary", "eastus2", "--secondary", "centralus", *extra]


def test_discover_writes_a_plan_that_validates_and_reads_nothing_but_lists(estate: Start, tmp_path: Path) -> None:
    emulator = estate(example_plan())
    target = tmp_path / "plan.yaml"
    result = run(*regions("--name", "contoso-web", "-o", str(target)))
    assert result.exit_code == 0, result.output
    assert f"wrote {target}: 6 pair(s)" in result.output
    plan = load_plan(target)
    assert (plan.name, plan.failover_resource_group, plan.policy.data_loss) == (
        "contoso-web",
        "contoso-web-failover",
        "forbid",
    )
    assert writes(emulator) == []
    validated = CliRunner().invoke(app, ["validate", str(target)])
    assert validated.exit_code == 0, validated.output


def test_discover_prints_the_plan_on_stdout_without_o(estate: Start) -> None:
    estate(example_plan())
    result = run(*regions())
    assert result.exit_code == 0, result.output
    assert "name: dr-eus2-cus" in result.output
    assert "failover_resource_group: dr-eus2-cus-failover" in result.output


def test_an_existing_file_is_replaced_only_with_force(estate: Start, tmp_path: Path) -> None:
    estate(example_plan())
    target = tmp_path / "plan.yaml"
    target.write_text("# my own plan\n")
    refused = run(*regions("-o", str(target)))
    assert (refused.exit_code, target.read_text()) == (2, "# my own plan\n")
    assert f"error: {target} exists; pass --force to replace it" in refused.output
    forced = run(*regions("-o", str(target), "--force"))
    assert forced.exit_code == 0, forced.output
    assert load_plan(target).name == "dr-eus2-cus"


def test_bad_input_is_one_line_and_exit_2(estate: Start) -> None:
    estate(example_plan())
    cases = {
        (
            "--subscription",
            "not-a-guid",
            "--primary",
            "eastus2",
            "--secondary",
            "centralus",
        ): "is not a subscription id",
        ("--subscription", SUB, "--primary", "eastus2", "--secondary", "eastus2"): "must differ",
        ("--subscription", SUB, "--primary", "eastus2", "--secondary", "centralsu"): "did you mean centralus?",
        (*regions(), "--name", "Not_A_Name"): "--name 'Not_A_Name'",
    }
    for args, expected in cases.items():
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert expected in result.output
        assert len(result.output.strip().splitlines()) == 1, result.output


def test_regions_with_no_pair_write_nothing_and_exit_1(estate: Start, tmp_path: Path) -> None:
    estate(example_plan())
    target = tmp_path / "plan.yaml"
    result = run("--subscription", SUB, "--primary", "westus", "--secondary", "eastus", "-o", str(target))
    assert result.exit_code == 1
    assert "pairs westus with eastus" in result.output
    assert not target.exists()


def test_an_estate_read_in_part_is_written_as_incomplete_and_exits_1(estate: Start, tmp_path: Path) -> None:
    estate(example_plan(), {"outage": [{"region": "global", "services": ["dns"]}]})
    target = tmp_path / "plan.yaml"
    result = run(*regions("-o", str(target)))
    assert result.exit_code == 1, result.output
    assert "incomplete: the A records of contoso.com could not be read: GatewayTimeout" in result.output
    text = target.read_text()
    assert "# INCOMPLETE: some of the estate could not be read" in text
    assert load_plan(target).dns_records == []
