"""The readiness gate and the target region: a failover an alert started, into a secondary that
does not answer, stops before any write (its checks there are unknown, not passed); one into a
healthy secondary during an outage of the primary goes on."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_readiness_gate import run  # start, approve as a person would, wait for the report

from regionshift.contracts import RunRequest
from regionshift.host import DurableHost
from regionshift_emulator.harness import app_on_emulator, example_plan, writes


def test_an_alert_failover_into_a_secondary_that_does_not_answer_stops_before_any_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import function_app

    plan = example_plan()
    with (
        app_on_emulator(plan, {"outage": ["centralus"]}, tmp_path, monkeypatch) as emu,
        DurableHost(function_app.app, tmp_path / "durable.sqlite") as host,
    ):
        request = RunRequest(plan=plan.model_dump(mode="json"), started_by="alert:rule", approved=False)
        report = run(host, request, "failover-dead-target")
        assert report.status == "failed"
        assert report.reason.startswith("stopped before any write: ")
        unknown = [c for c in report.readiness if c.status == "skipped"]
        assert unknown and all(c.data["region"] == "centralus" for c in unknown)
        assert all(c.action in report.reason for c in unknown)
        assert [s.kind for s in report.steps] == ["approval"]
        assert writes(emu) == []


def test_an_alert_failover_during_an_outage_of_the_primary_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import function_app

    plan = example_plan()  # data_loss: allow
    with (
        app_on_emulator(plan, {"outage": ["eastus2"]}, tmp_path, monkeypatch) as emu,
        DurableHost(function_app.app, tmp_path / "durable.sqlite") as host,
    ):
        request = RunRequest(plan=plan.model_dump(mode="json"), started_by="alert:rule", approved=False)
        report = run(host, request, "failover-dead-primary")
        assert report.status == "succeeded", report.reason
        # Unknown about the primary (the image is served from its gallery's home there): not blocking.
        assert [c.action for c in report.readiness if c.status == "skipped"] == ["image_replicated"]
        assert writes(emu, "/dnszones/")
