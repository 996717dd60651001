"""The forecast's history read back from the report container (Azurite), as the app in Azure reads
it: the plan's own reports, newest first, each once even when the folder has it too."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from report_azurite import Azurite

from regionshift.contracts import RunReport
from regionshift.forecast_history import recent_reports
from regionshift.plan import parse_plan
from regionshift.reports import BlobTarget, write_report
from regionshift.reports.upload import CONNECTION_STRING_ENV

PLAN = """
name: contoso-web
subscription_id: 00000000-0000-0000-0000-000000000000
regions: {primary: eastus2, secondary: centralus}
failover_resource_group: contoso-dr
dns_records:
  - {resource_group: rg-dns, zone: contoso.com, name: www, type: CNAME,
     primary: web-eus2.contoso.net, secondary: web-cus.contoso.net}
"""


def test_recent_reports_come_from_the_container_newest_first(
    report: RunReport, azurite: Azurite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CONNECTION_STRING_ENV, azurite.connection_string())
    container = f"history-{uuid.uuid4().hex[:12]}"
    plan = parse_plan(PLAN + f"reports: {{storage_account_url: '{azurite.account_url}', container: {container}}}\n")
    target = BlobTarget.for_plan(plan)
    assert target is not None
    older = report.model_copy(update={"plan": "contoso-web", "status": "succeeded"})
    newer = older.model_copy(update={"started_at": older.started_at + timedelta(days=1), "operation": "drill"})
    other = older.model_copy(update={"plan": "contoso-web-2"})
    write_report(older, tmp_path / "a", upload=target)
    write_report(newer, tmp_path / "a", upload=target)
    other_target = BlobTarget.from_settings(
        azurite.account_url, container, prefix="contoso-web/", env={CONNECTION_STRING_ENV: azurite.connection_string()}
    )
    write_report(other, tmp_path / "b", upload=other_target)  # another plan's report under this plan's prefix
    found = recent_reports(plan.context(), tmp_path / "a")  # the folder holds the same two: counted once
    assert [(r.operation, r.started_at) for r in found] == [("drill", newer.started_at), ("failover", older.started_at)]


def test_a_container_that_cannot_be_read_costs_only_the_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        CONNECTION_STRING_ENV,
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=eA==;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1",
    )
    monkeypatch.setenv("REGIONSHIFT_RETRY_TOTAL", "0")
    plan = parse_plan(PLAN + "reports: {storage_account_url: 'http://127.0.0.1:9/devstoreaccount1', container: nope}\n")
    assert recent_reports(plan.context(), tmp_path) == []
