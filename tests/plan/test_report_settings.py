"""The plan's optional `reports` section: where run reports are uploaded, and nothing secret."""

from __future__ import annotations

import pytest

from regionshift.errors import PlanError
from regionshift.plan import parse_plan

BASE = """
name: contoso-web
subscription_id: 00000000-0000-0000-0000-000000000000
regions: {primary: eastus2, secondary: centralus}
failover_resource_group: contoso-dr
cosmos_accounts: [{resource_group: rg-data, name: cosmos-orders}]
"""


def test_reports_section_is_optional() -> None:
    assert parse_plan(BASE).reports is None


def test_reports_section_names_account_and_container_and_reaches_activities() -> None:
    plan = parse_plan(BASE + "reports: {storage_account_url: 'https://stdr.blob.core.windows.net/'}\n")
    assert plan.reports is not None
    assert plan.reports.storage_account_url == "https://stdr.blob.core.windows.net"
    assert plan.reports.container == "regionshift-reports"
    assert plan.context().reports == plan.reports


@pytest.mark.parametrize(
    ("section", "problem"),
    [
        ("{storage_account_url: 'http://stdr.blob.core.windows.net'}", "reports.storage_account_url: "),
        ("{storage_account_url: 'https://stdr.blob.core.windows.net?sv=1&sig=x'}", "SAS token is a secret"),
        ("{storage_account_url: 'https://stdr.blob.core.windows.net', container: Reports}", "reports.container: "),
        ("{storage_account_url: 'https://stdr.blob.core.windows.net', container: a--b}", "single hyphens"),
        ("{storage_account_url: 'https://stdr.blob.core.windows.net', account_key: abc}", "reports.account_key"),
    ],
)
def test_bad_reports_sections_are_refused_with_the_key_named(section: str, problem: str) -> None:
    with pytest.raises(PlanError) as caught:
        parse_plan(BASE + f"reports: {section}\n")
    assert problem in str(caught.value)
