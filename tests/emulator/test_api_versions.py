"""Unknown api-versions answer 400 as ARM answers them, per resource type (core/api_versions.py); the
versions the pinned SDKs and the Azure CLI send are accepted. Raw HTTP: the SDKs only send their own."""

from __future__ import annotations

import pytest

from regionshift_emulator.server import Emulator
from regionshift_emulator.testing import raw, token_for

SUB = "00000000-0000-0000-0000-000000000000"
GROUP = f"/subscriptions/{SUB}/resourceGroups/rg-dr-cus"
SERVER = f"{GROUP}/providers/Microsoft.Sql/servers/sql-cus"
RECORD = f"{GROUP}/providers/Microsoft.Network/dnsZones/contoso.com/CNAME/www"


def get(emulator: Emulator, path: str, version: str, query: str = "") -> tuple[int, dict[str, str]]:
    status, _, body = raw(emulator, "GET", f"{path}?api-version={version}{query}", token=token_for(emulator))
    return status, body


def test_a_resource_provider_type_answers_no_registered_provider_found(emulator: Emulator) -> None:
    status, body = get(emulator, SERVER + "/failoverGroups/fg-orders", "2099-01-01")
    message = body["error"]["message"]
    assert (status, body["error"]["code"]) == (400, "NoRegisteredProviderFound")
    assert message.startswith(
        "No registered resource provider found for location 'centralus' and API version '2099-01-01' "
        "for type 'servers/failoverGroups'. The supported api-versions are '2025-08-01-preview, "
    )
    locations = message.split("The supported locations are '")[1]
    assert "2025-01-01" in message and "eastus2" in locations and "centralus" in locations


def test_resource_manager_own_types_answer_invalid_api_version_parameter(emulator: Emulator) -> None:
    status, body = get(emulator, GROUP, "2015-13-45")
    assert (status, body["error"]["code"]) == (400, "InvalidApiVersionParameter")
    assert body["error"]["message"].startswith(
        "The api-version '2015-13-45' is invalid. The supported versions are '2025-04-01,2024-11-01,"
    )


def test_a_dns_record_set_names_its_type_with_the_record_type(emulator: Emulator) -> None:
    status, body = get(emulator, RECORD, "2020-01-01")
    assert (status, body["error"]["code"]) == (400, "NoRegisteredProviderFound")
    assert "for type 'dnsZones/CNAME'" in body["error"]["message"]


def test_an_unknown_version_is_refused_before_the_write_happens(fresh_emulator: Emulator) -> None:
    path = f"{SERVER}/failoverGroups/fg-orders/failover?api-version=2016-01-01"
    status, _, body = raw(fresh_emulator, "POST", path, token=token_for(fresh_emulator))
    (group,) = fresh_emulator.state.snapshot()["services"]["sql"].values()
    assert (status, body["error"]["code"], group["primary"].endswith("sql-eus2")) == (
        400,
        "NoRegisteredProviderFound",
        True,
    )


@pytest.mark.parametrize(
    ("path", "version"),
    [
        (SERVER, "2025-01-01"),  # azure-mgmt-sql 4.0.0
        (SERVER, "2024-11-01-preview"),  # Azure CLI 2.91 (az sql)
        (f"{GROUP}/providers/Microsoft.DocumentDB/databaseAccounts/cosmos-orders", "2026-03-15"),
        (f"{GROUP}/providers/Microsoft.Compute/virtualMachineScaleSets/worker-cus", "2026-04-01"),
        (f"{GROUP}/providers/Microsoft.Compute/galleries/gal/images/web/versions/1.4.0", "2026-03-03"),
        (f"{GROUP}/providers/Microsoft.Compute/galleries/gal/images/web/versions/1.4.0", "2024-03-03"),  # az sig
        (RECORD, "2018-05-01"),  # azure-mgmt-dns 9.0.0
        (RECORD, "2023-07-01-preview"),  # az network dns
        (GROUP, "2025-04-01"),  # azure-mgmt-resource 26
        (GROUP, "2024-11-01"),  # az group
        ("/subscriptions", "2022-12-01"),  # az login
        (f"{GROUP}/providers/Microsoft.Network/virtualNetworks/vnet-cus", "2024-05-01"),
        (f"{GROUP}/providers/Microsoft.Authorization/permissions", "2022-04-01"),  # azure-mgmt-authorization
        (f"{SERVER}/databases/fg-orders-db/providers/Microsoft.Insights/metrics", "2024-02-01"),  # azure-mgmt-monitor
    ],
)
def test_the_versions_the_pinned_sdks_and_the_cli_send_are_accepted(
    emulator: Emulator, path: str, version: str
) -> None:
    status, body = get(emulator, path, version, "&metricnames=availability" if path.endswith("metrics") else "")
    assert status == 200, body
