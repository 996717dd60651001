"""The Bicep in infra/ parses, documents every parameter, pins its AVM modules, and configures the
Function App as the app expects: settings it reads, identity-only storage, Key Vault reference,
Entra ID sign-in, HTTPS and TLS 1.2, no FTP, no public blobs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bicep import BICEP_FILES, INFRA, REPO, bicepparam, parse, ref

from regionshift.approvals.tokens import KEY_SETTING
from triggers.schedule import SCHEDULE_SETTING

FUNCTION_APP = INFRA / "modules" / "functionApp.bicep"


@pytest.mark.parametrize("path", BICEP_FILES, ids=lambda p: p.name)
def test_every_bicep_file_parses(path: Path) -> None:
    parsed = parse(path)
    assert parsed.get("resources") or parsed.get("modules"), f"{path.name} declares nothing"


@pytest.mark.parametrize("path", BICEP_FILES, ids=lambda p: p.name)
def test_every_parameter_has_a_description(path: Path) -> None:
    undocumented = [
        name
        for name, param in parse(path).get("parameters", {}).items()
        if not any(d["type"] == "description" and str(d.get("argument", "")).strip() for d in param["decorators"])
    ]
    assert not undocumented, f"{path.name}: parameters without @description: {undocumented}"


@pytest.mark.parametrize("path", BICEP_FILES, ids=lambda p: p.name)
def test_registry_modules_are_pinned_avm_versions(path: Path) -> None:
    for name, module in parse(path).get("modules", {}).items():
        if module["type"] == "local":
            assert (path.parent / module["detail"]["path"]).exists(), f"{name}: {module['detail']['path']} is missing"
            continue
        detail = module["detail"]
        assert detail["public"] and detail["path"].startswith("avm/res/"), f"{name}: {detail['full']} is not AVM"
        assert re.fullmatch(r"\d+\.\d+\.\d+", detail["tag"]), f"{name}: {detail['full']} is not pinned to x.y.z"


def test_bicepparam_sets_only_known_parameters_and_every_required_one() -> None:
    declared = parse(INFRA / "main.bicep")["parameters"]
    values = bicepparam()
    assert (INFRA / "main.bicepparam").read_text(encoding="utf-8").count("using './main.bicep'") == 1
    assert set(values) <= set(declared), f"unknown parameters: {set(values) - set(declared)}"
    required = {name for name, p in declared.items() if p["default"] is None}
    assert required <= set(values), f"required parameters not set: {required - set(values)}"


def test_secrets_come_from_the_environment_not_the_parameter_file() -> None:
    declared = parse(INFRA / "main.bicep")["parameters"]
    secure = {name for name, p in declared.items() if any(d["type"] == "secure" for d in p["decorators"])}
    assert secure == {"approvalKey", "alertWebhookKey"}
    assert bicepparam()["approvalKey"] == "readEnvironmentVariable('REGIONSHIFT_APPROVAL_KEY')"
    assert bicepparam()["alertWebhookKey"] == "readEnvironmentVariable('REGIONSHIFT_ALERT_KEY')"


def _app_settings() -> dict[str, object]:
    return parse(FUNCTION_APP)["resources"]["appSettings"]["config"]["properties"]


def test_app_settings_carry_what_the_app_and_host_json_read() -> None:
    settings = _app_settings()
    host = json.loads((REPO / "host.json").read_text(encoding="utf-8"))
    hub = host["extensions"]["durableTask"]["hubName"]
    assert hub == "%TASKHUB_NAME%" and "TASKHUB_NAME" in settings
    for name in (KEY_SETTING, SCHEDULE_SETTING, "REGIONSHIFT_PLANS", "AZURE_CLIENT_ID"):
        assert name in settings, f"app setting {name} is not set"


def test_approval_key_is_a_key_vault_reference() -> None:
    value = _app_settings()[KEY_SETTING]
    assert isinstance(value, str) and re.fullmatch(r"@Microsoft\.KeyVault\(SecretUri=\$\{\w+\}\)", value), value
    app = parse(FUNCTION_APP)["resources"]["app"]["config"]
    assert app["properties"]["keyVaultReferenceIdentity"] == "identityId"
    vault = parse(INFRA / "modules" / "keyVault.bicep")["resources"]["vault"]["config"]["properties"]
    assert vault["enableRbacAuthorization"] is True and vault["enablePurgeProtection"] is True


def test_host_storage_uses_the_managed_identity_and_no_key() -> None:
    settings = _app_settings()
    assert settings["AzureWebJobsStorage__credential"] == "managedidentity"
    assert "AzureWebJobsStorage" not in settings  # a connection string would carry the account key
    text = "\n".join(p.read_text(encoding="utf-8") for p in BICEP_FILES)
    assert "listKeys(" not in text and "AccountKey=" not in text
    storage = parse(INFRA / "main.bicep")["modules"]["storage"]["config"]["params"]
    assert storage["allowSharedKeyAccess"] is False
    assert storage["allowBlobPublicAccess"] is False
    assert storage["minimumTlsVersion"] == "TLS1_2"


def test_function_app_is_python_313_on_linux_https_only_tls12_without_ftp() -> None:
    resources = parse(FUNCTION_APP)["resources"]
    app = resources["app"]["config"]
    assert app["kind"] == "functionapp,linux"
    assert app["identity"]["type"] == "UserAssigned"
    props = app["properties"]
    assert props["httpsOnly"] is True
    assert props["siteConfig"]["minTlsVersion"] == "1.2" and props["siteConfig"]["ftpsState"] == "Disabled"
    # docs/deployment.md says why 3.13; tests/app indexes the app with this version's worker.
    assert props["functionAppConfig"]["runtime"] == {"name": "python", "version": "3.13"}
    policies = {
        r["config"]["name"]: r["config"]["properties"]["allow"]
        for r in resources.values()
        if r["type"] == "Microsoft.Web/sites/basicPublishingCredentialsPolicies"
    }
    assert policies == {"ftp": False, "scm": False}


def test_entra_id_sign_in_is_required_except_for_the_alert_webhook() -> None:
    auth = parse(FUNCTION_APP)["resources"]["auth"]["config"]["properties"]
    assert auth["platform"]["enabled"] is True
    assert auth["globalValidation"]["requireAuthentication"] is True
    assert auth["globalValidation"]["excludedPaths"] == ["/api/alerts"]
    assert auth["identityProviders"]["azureActiveDirectory"]["enabled"] is True


def test_the_app_is_deployed_in_the_secondary_region_of_the_example_plan() -> None:
    from regionshift.plan import load_plan

    plan = load_plan(REPO / "plans" / "example.yaml")
    location = bicepparam()["location"]
    assert location == f"readEnvironmentVariable('AZURE_LOCATION', '{plan.regions.secondary}')"
    assert ref(parse(INFRA / "main.bicep")["modules"]["functionApp"]["config"]["params"]["location"]) == "location"
