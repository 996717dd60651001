"""The confirmation signal: real azure-mgmt-monitor and azure-monitor-query clients against the
emulator's monitor service, answering from the scenario (primary down, or not)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

import regionshift_emulator.server as emulator_server
from regionshift.azure.clients import default_clients, reset_default_clients
from regionshift.azure.monitor import confirm_outage
from regionshift.plan.models import Confirmation, LogsConfirmation, MetricConfirmation
from regionshift_emulator.core.tls import make_tls
from regionshift_emulator.harness import app_on_emulator, example_plan
from regionshift_emulator.server import Emulator
from regionshift_emulator.services import monitor

SUB = "00000000-0000-0000-0000-000000000000"
LB = f"/subscriptions/{SUB}/resourceGroups/rg-net-eus2/providers/Microsoft.Network/loadBalancers/lb-eus2"
WORKSPACE = "a0a0a0a0-bbbb-cccc-dddd-e1e1e1e1e1e1"
METRIC = MetricConfirmation(resource_id=LB, metric="VipAvailability", operator="LessThan", threshold=50)
LOGS = LogsConfirmation(workspace_id=WORKSPACE, query="AppAvailabilityResults | where Success == false")


@contextmanager
def monitored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, outage: list[str]) -> Iterator[Emulator]:
    """The emulator with the monitor service, plus its Log Analytics API on its own TLS port."""
    monkeypatch.setattr(emulator_server, "SERVICES", [*emulator_server.SERVICES, monitor.SERVICE])
    with app_on_emulator(example_plan(), {"outage": outage}, tmp_path, monkeypatch) as emu:
        logs = make_server("127.0.0.1", 0, monitor.logs_app(emu.state), ssl_context=make_tls(tmp_path / "logs-ca.pem"))
        threading.Thread(target=logs.serve_forever, daemon=True).start()
        bundle = tmp_path / "bundle.pem"
        bundle.write_text(emu.ca_path.read_text() + (tmp_path / "logs-ca.pem").read_text())
        monkeypatch.setenv("REGIONSHIFT_CA_BUNDLE", str(bundle))
        monkeypatch.setenv("REGIONSHIFT_LOGS_ENDPOINT", f"https://127.0.0.1:{logs.server_port}")
        reset_default_clients()
        try:
            yield emu
        finally:
            logs.shutdown()


def test_both_signals_confirm_while_the_primary_region_is_down(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with monitored(tmp_path, monkeypatch, ["eastus2"]):
        result = confirm_outage(default_clients(), SUB, Confirmation(logs=LOGS, metric=METRIC))
    assert result["confirmed"] is True, result
    logs, metric = result["signals"]
    assert (logs["rows"], metric["value"]) == (3, 0.0)


def test_nothing_confirms_while_the_primary_answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with monitored(tmp_path, monkeypatch, []):
        result = confirm_outage(default_clients(), SUB, Confirmation(logs=LOGS, metric=METRIC, require="any"))
    assert result["confirmed"] is False
    assert result["summary"] == "logs: does not confirm; metric: does not confirm"


def test_an_unreadable_signal_does_not_confirm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with monitored(tmp_path, monkeypatch, ["eastus2"]):
        monkeypatch.setenv("REGIONSHIFT_LOGS_ENDPOINT", "https://127.0.0.1:9")
        result = confirm_outage(default_clients(), SUB, Confirmation(logs=LOGS))
    assert result["confirmed"] is False
    assert result["signals"][0]["error"].startswith("ServiceRequestError")
