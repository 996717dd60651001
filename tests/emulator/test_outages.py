"""Outages per service and per region, and their modes: an instant 504, a 503 with Retry-After, a
request held until the client gives up, a dropped connection (core/outages.py), in timed windows too."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError, ServiceRequestError, ServiceResponseError
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.dns import DnsManagementClient
from azure.mgmt.sql import SqlManagementClient

from regionshift.errors import InputError
from regionshift.plan import Plan
from regionshift_emulator.core import outages
from regionshift_emulator.server import Emulator
from regionshift_emulator.testing import logged, raw, sdk_client, token_for, wait_until

SUB = "00000000-0000-0000-0000-000000000000"
API = "?api-version=2025-01-01"
PRIMARY = f"/subscriptions/{SUB}/resourceGroups/rg-data-eus2/providers/Microsoft.Sql/servers/sql-eus2"
SECONDARY = f"/subscriptions/{SUB}/resourceGroups/rg-dr-cus/providers/Microsoft.Sql/servers/sql-cus"
NO_ANSWER = (ServiceResponseError, ServiceRequestError)  # azure-core's "the connection gave no answer"


def sql(emulator: Emulator, **kwargs: Any) -> SqlManagementClient:
    return sdk_client(emulator, SqlManagementClient, SUB, **kwargs)


def status_of(emulator: Emulator, path: str) -> int | str:
    """The HTTP status of a GET, or "dropped" when the connection gave no answer."""
    try:
        return raw(emulator, "GET", path + API, token=token_for(emulator))[0]
    except OSError:
        return "dropped"


def test_an_outage_of_one_service_leaves_the_others_in_the_region_up(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario({"outage": [{"region": "centralus", "services": ["sql"]}]})
    with pytest.raises(HttpResponseError) as caught:
        sql(fresh_emulator).servers.get("rg-dr-cus", "sql-cus")
    worker = sdk_client(fresh_emulator, ComputeManagementClient, SUB).virtual_machine_scale_sets.get(
        "rg-dr-cus", "worker-cus"
    )
    assert (caught.value.status_code, worker.location) == (504, "centralus")
    assert fresh_emulator.state.snapshot()["regions"]["centralus"]["services_down"] == ["sql"]


def test_an_outage_naming_an_unknown_service_is_refused(emulator: Emulator) -> None:
    with pytest.raises(InputError, match=r"outage\[0\]\.services: unknown service 'sqll'"):
        emulator.set_scenario({"outage": [{"region": "eastus2", "services": ["sqll"]}]})


@pytest.mark.parametrize(("until", "retry_after"), [(45, "45"), (None, "60")])
def test_error_mode_answers_503_with_retry_after_in_emulated_seconds_until_the_window_ends(
    example_plan: Plan, tmp_path: Path, until: float | None, retry_after: str
) -> None:
    # A slow clock (0.001 emulated s per real s) holds the emulated now near 0 while the test runs.
    window = {"region": "eastus2", "mode": "error", **({"until": until} if until else {})}
    with Emulator(example_plan, {"speed": 0.001, "outage": [window]}, workdir=tmp_path) as emu:
        status, headers, body = raw(emu, "GET", PRIMARY + API, token=token_for(emu))
    assert (status, body["error"]["code"], headers["Retry-After"]) == (503, "ServiceUnavailable", retry_after)


def test_reset_mode_drops_the_connection_without_an_answer(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario({"outage": [{"region": "eastus2", "mode": "reset"}]})
    with pytest.raises(NO_ANSWER):
        sql(fresh_emulator).servers.get("rg-data-eus2", "sql-eus2")
    assert [(e["status"], e.get("dropped")) for e in logged(fresh_emulator, "/servers/sql-eus2")] == [(None, "reset")]


def test_hang_mode_holds_the_request_until_the_client_gives_up(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario({"outage": [{"region": "eastus2", "mode": "hang"}]})
    with pytest.raises(NO_ANSWER):
        sql(fresh_emulator, read_timeout=1).servers.get("rg-data-eus2", "sql-eus2")
    entry = wait_until(lambda: logged(fresh_emulator, "/servers/sql-eus2"), what="the dropped request in the log")
    assert [(e["status"], e.get("dropped")) for e in entry] == [(None, "hang")]


def test_a_held_request_does_not_hold_up_the_others(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario({"outage": [{"region": "centralus", "mode": "hang"}]})
    outcome: list[BaseException] = []

    def held() -> None:
        try:
            sql(fresh_emulator, read_timeout=120).servers.get("rg-dr-cus", "sql-cus")
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=held)
    thread.start()
    wait_until(lambda: fresh_emulator.state.held == 1, what="the request to centralus to be held")
    other = sql(fresh_emulator).servers.get("rg-data-eus2", "sql-eus2")  # the state lock is free
    still_held = fresh_emulator.state.held
    fresh_emulator.state.released.set()  # as stop() does: the held request is let go, dropped
    thread.join(timeout=30)
    assert (other.name, still_held, thread.is_alive()) == ("sql-eus2", 1, False)
    assert len(outcome) == 1 and isinstance(outcome[0], NO_ANSWER)


def test_a_hold_that_outlasts_its_bound_answers_504(fresh_emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outages, "MAX_HOLD_SECONDS", 0.2)  # the client outwaits the emulator
    fresh_emulator.set_scenario({"outage": [{"region": "eastus2", "mode": "hang"}]})
    with pytest.raises(HttpResponseError) as caught:
        sql(fresh_emulator, read_timeout=60).servers.get("rg-data-eus2", "sql-eus2")
    assert (caught.value.status_code, caught.value.error.code) == (504, "GatewayTimeout")


@pytest.mark.parametrize(("mode", "down"), [("timeout", 504), ("error", 503), ("reset", "dropped")])
def test_timed_windows_start_and_end_in_every_mode(fresh_emulator: Emulator, mode: str, down: int | str) -> None:
    fresh_emulator.set_scenario({"outage": [{"region": "eastus2", "from": 600, "until": 1200, "mode": mode}]})
    before = status_of(fresh_emulator, PRIMARY)
    fresh_emulator.advance(600)
    during = status_of(fresh_emulator, PRIMARY)
    fresh_emulator.advance(600)
    assert (before, during, status_of(fresh_emulator, PRIMARY)) == (200, down, 200)


def test_azure_dns_is_global_a_regional_outage_leaves_it_and_a_global_one_takes_it(fresh_emulator: Emulator) -> None:
    records = sdk_client(fresh_emulator, DnsManagementClient, SUB).record_sets
    fresh_emulator.set_scenario({"outage": ["eastus2", "centralus"]})
    regional = records.get("rg-dr-cus", "contoso.com", "www", "CNAME").cname_record.cname
    fresh_emulator.set_scenario({"outage": [{"region": "global", "services": ["dns"]}]})
    with pytest.raises(HttpResponseError) as caught:
        records.get("rg-dr-cus", "contoso.com", "www", "CNAME")
    assert (regional, caught.value.status_code) == ("web-eus2.contoso.net", 504)


def test_a_timed_hang_window_holds_requests_only_inside_it(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario({"outage": [{"region": "eastus2", "from": 600, "until": 1200, "mode": "hang"}]})
    servers = sql(fresh_emulator, read_timeout=1).servers
    before = servers.get("rg-data-eus2", "sql-eus2").name
    fresh_emulator.advance(600)
    with pytest.raises(NO_ANSWER):
        servers.get("rg-data-eus2", "sql-eus2")
    fresh_emulator.advance(600)
    assert (before, servers.get("rg-data-eus2", "sql-eus2").name) == ("sql-eus2", "sql-eus2")
