"""checkov's Bicep checks pass on infra/, but for the skips below, each scoped to one resource and
justified. checkov reads the local modules; the AVM modules are only referenced (not fetched), so
their settings are pinned by tests/infra/test_bicep.py instead."""

from __future__ import annotations

from typing import Any

import pytest
from bicep import INFRA
from checkov_tool import ensure_checkov, scan

from regionshift_emulator.tool_venv import ToolUnavailable

SITE = "Microsoft.Web/sites.app"
SKIPS: dict[tuple[str, str], str] = {
    # Approvers' browsers and Azure Monitor action groups reach the app from the internet; Entra ID
    # sign-in and function keys guard it. A private app needs VNet integration (not this template).
    ("CKV_AZURE_222", SITE): "public endpoint by design",
    # Client certificates: action groups cannot present one; Entra ID and function keys are used.
    ("CKV_AZURE_17", SITE): "no client certificates",
    # Flex Consumption scales out on demand and has no health-check probe or fixed instance count.
    ("CKV_AZURE_212", SITE): "Flex Consumption instances",
    ("CKV_AZURE_213", SITE): "Flex Consumption health check",
    # Flex Consumption without VNet integration has no fixed egress address for a vault firewall;
    # the vault holds one secret, readable only by the app's identity (RBAC on the secret).
    ("CKV_AZURE_109", "Microsoft.KeyVault/vaults.vault"): "vault firewall",
    ("CKV_AZURE_189", "Microsoft.KeyVault/vaults.vault"): "vault public network",
    # An expiry would silently break every approval at that date, maybe mid-outage; rotate by redeploying.
    ("CKV_AZURE_41", "Microsoft.KeyVault/vaults/secrets.secret"): "approval key expiry",
    # The same for the alert webhook's key: an expired key would stop every alert from starting a failover.
    ("CKV_AZURE_41", "Microsoft.KeyVault/vaults/secrets.webhookKeySecret"): "alert webhook key expiry",
}
# checkov reads a Microsoft.Web/sites/config child (app settings, auth settings) as if it were a
# whole site and runs every site check on it; the site-level checks run on SITE itself.
SITE_CONFIG_CHILDREN = {"Microsoft.Web/sites/config.appSettings", "Microsoft.Web/sites/config.auth"}


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    try:
        checkov = ensure_checkov()
    except ToolUnavailable as exc:
        pytest.skip(f"checkov cannot be installed (no network): {exc}")
    return scan(checkov, INFRA)


def test_checkov_reads_every_local_bicep_file(report: dict[str, Any]) -> None:
    assert report["summary"]["parsing_errors"] == 0
    scanned = {c["file_path"] for c in report["results"]["passed_checks"] + report["results"]["failed_checks"]}
    assert {"/modules/functionApp.bicep", "/modules/keyVault.bicep", "/main.bicep"} <= scanned


def test_checkov_passes_but_for_the_justified_skips(report: dict[str, Any]) -> None:
    failed = {(c["check_id"], c["resource"]): c["check_name"] for c in report["results"]["failed_checks"]}
    unexpected = {k: v for k, v in failed.items() if k not in SKIPS and k[1] not in SITE_CONFIG_CHILDREN}
    assert not unexpected, f"checkov failures without a justified skip: {unexpected}"
    stale = set(SKIPS) - set(failed)
    assert not stale, f"skips for checks that now pass (remove them): {stale}"
