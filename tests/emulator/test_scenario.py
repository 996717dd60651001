"""Scenario files: validation errors name the key; timed outages, faults and throttling take effect."""

from __future__ import annotations

from pathlib import Path

import pytest

from regionshift.errors import InputError
from regionshift.plan import Plan
from regionshift_emulator.core.scenario import load_scenario, parse_scenario
from regionshift_emulator.server import Emulator
from regionshift_emulator.testing import raw, token_for

SERVER = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-data-eus2"
    "/providers/Microsoft.Sql/servers/sql-eus2?api-version=2025-01-01"
)


@pytest.mark.parametrize(
    ("data", "names"),
    [
        ({"outage": ["atlantis"]}, "outage[0].region"),
        ({"outages": ["eastus2"]}, "outages: unknown key"),
        ({"outage": [{"region": "eastus2", "from": 60, "until": 30}]}, "outage[0]"),
        ({"speed": 0}, "speed"),
        ({"faults": [{"path": "*", "reset": True, "status": 503}]}, "faults[0]"),
        ({"faults": [{"path": "*"}]}, "faults[0]"),
        ({"faults": [{"path": "*", "status": 500, "retry_after": 5}]}, "faults[0]"),
        ({"faults": [{"path": "*", "status": 500, "probability": 2}]}, "faults[0].probability"),
        ({"faults": [{"path": "*", "hang_seconds": 301}]}, "faults[0].hang_seconds"),
        ({"faults": [{"path": "*", "reset": True, "flaky": True}]}, "faults[0].flaky: unknown key"),
        ({"outage": [{"region": "eastus2", "mode": "sulk"}]}, "outage[0].mode"),
        ({"resource_groups": {"rg-a": "atlantis"}}, "resource_groups"),
        ({"latencies": {"default": -1}}, "latencies.default"),
    ],
)
def test_bad_scenario_names_the_key(data: dict[str, object], names: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_scenario(data)
    assert names in str(caught.value)


def test_unknown_latency_operation_names_the_key(emulator: Emulator) -> None:
    with pytest.raises(InputError, match=r"latencies\.sql\.failovr: unknown operation"):
        emulator.set_scenario({"latencies": {"sql.failovr": 1}})


def test_scenario_file_that_is_not_yaml_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("outage: [eastus2\n")
    with pytest.raises(InputError, match="not valid YAML"):
        load_scenario(path)


def test_timed_outage_is_active_only_inside_its_window() -> None:
    scenario = parse_scenario({"outage": [{"region": "East US 2", "from": 60, "until": 120}]})
    assert [scenario.region_down("eastus2", t) for t in (0, 60, 119, 120)] == [False, True, True, False]


def test_injected_fault_answers_its_status_the_given_number_of_times(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario({"faults": [{"path": "*/servers/sql-eus2", "status": 503, "times": 1}]})
    token = token_for(fresh_emulator)
    first, second = raw(fresh_emulator, "GET", SERVER, token=token), raw(fresh_emulator, "GET", SERVER, token=token)
    assert (first[0], first[2]["error"]["code"], second[0]) == (503, "ServiceUnavailable", 200)


def test_throttling_answers_429_once_the_bucket_is_empty(fresh_emulator: Emulator) -> None:
    # A bucket refilled once an emulated hour: the third read in a row is throttled.
    fresh_emulator.set_scenario({"throttling": {"enabled": True, "reads": {"burst": 2, "per_second": 0.0003}}})
    token = token_for(fresh_emulator)
    answers = [raw(fresh_emulator, "GET", SERVER, token=token) for _ in range(3)]
    assert [a[0] for a in answers] == [200, 200, 429]
    assert answers[0][1]["x-ms-ratelimit-remaining-subscription-reads"] == "1"
    assert int(answers[2][1]["Retry-After"]) > 0


def test_scenario_given_at_start_is_in_force(example_plan: Plan, tmp_path: Path) -> None:
    with Emulator(example_plan, {"outage": ["centralus"]}, workdir=tmp_path) as emu:
        assert (emu.state.region_down("Central US"), emu.state.region_down("eastus2")) == (True, False)


def test_throttling_retry_after_counts_emulated_seconds(example_plan: Plan, tmp_path: Path) -> None:
    # One token back every 10 emulated seconds; a slow clock (0.001) would make that 10000 real seconds.
    throttling = {"enabled": True, "reads": {"burst": 1, "per_second": 0.1}}
    with Emulator(example_plan, {"speed": 0.001, "throttling": throttling}, workdir=tmp_path) as emu:
        token = token_for(emu)
        answers = [raw(emu, "GET", SERVER, token=token) for _ in range(2)]
    assert ([a[0] for a in answers], answers[1][1]["Retry-After"]) == ([200, 429], "10")
