"""The emulator's HTTP surface spoken raw: ARM conventions, admin endpoints, identity, cloud metadata."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import jwt

from regionshift_emulator.server import Emulator
from regionshift_emulator.testing import raw, token_for

SUB = "00000000-0000-0000-0000-000000000000"
SERVER = f"/subscriptions/{SUB}/resourceGroups/rg-data-eus2/providers/Microsoft.Sql/servers/sql-eus2"
SECONDARY = f"/subscriptions/{SUB}/resourceGroups/rg-dr-cus/providers/Microsoft.Sql/servers/sql-cus"
API = "?api-version=2025-01-01"


def test_request_without_token_is_401_with_a_challenge(emulator: Emulator) -> None:
    status, headers, body = raw(emulator, "GET", SERVER + API)
    assert (status, body["error"]["code"]) == (401, "AuthenticationFailed")
    assert headers["WWW-Authenticate"].startswith("Bearer authorization_uri=")


def test_token_not_issued_by_the_emulator_is_invalid(emulator: Emulator) -> None:
    secret = "a-secret-that-is-not-the-emulators-one"
    forged = jwt.encode({"aud": "https://management.azure.com/"}, secret, algorithm="HS256")
    status, _, body = raw(emulator, "GET", SERVER + API, token=forged)
    assert (status, body["error"]["code"]) == (401, "InvalidAuthenticationToken")


def test_token_for_another_audience_is_invalid(emulator: Emulator) -> None:
    token = token_for(emulator, resource="https://vault.azure.net")
    status, _, body = raw(emulator, "GET", SERVER + API, token=token)
    assert (status, body["error"]["code"]) == (401, "InvalidAuthenticationToken")


def test_missing_api_version_is_400(emulator: Emulator) -> None:
    status, _, body = raw(emulator, "GET", SERVER, token=token_for(emulator))
    assert (status, body["error"]["code"]) == (400, "MissingApiVersionParameter")


def test_resource_ids_are_case_insensitive(emulator: Emulator) -> None:
    status, _, body = raw(emulator, "GET", SERVER.upper().replace(SUB, SUB) + API, token=token_for(emulator))
    assert (status, body["name"]) == (200, "sql-eus2")


def test_unknown_server_is_404_resource_not_found(emulator: Emulator) -> None:
    status, _, body = raw(emulator, "GET", SERVER + "-nope" + API, token=token_for(emulator))
    assert (status, body["error"]["code"]) == (404, "ResourceNotFound")


def test_unknown_resource_group_is_404_resource_group_not_found(emulator: Emulator) -> None:
    path = SERVER.replace("rg-data-eus2", "rg-nope") + API
    status, _, body = raw(emulator, "GET", path, token=token_for(emulator))
    assert (status, body["error"]["code"]) == (404, "ResourceGroupNotFound")


def test_long_running_operation_stays_in_progress_until_its_emulated_duration(fresh_emulator: Emulator) -> None:
    fresh_emulator.set_scenario({"latencies": {"sql.failover": 60}})
    token = token_for(fresh_emulator)
    path = SECONDARY + "/failoverGroups/fg-orders/failover" + API
    status, headers, _ = raw(fresh_emulator, "POST", path, token=token)
    assert status == 202 and int(headers["Retry-After"]) >= 1
    poll = headers["Azure-AsyncOperation"].removeprefix(fresh_emulator.url)
    assert raw(fresh_emulator, "GET", poll, token=token)[2]["status"] == "InProgress"
    fresh_emulator.advance(60)
    status_body = raw(fresh_emulator, "GET", poll, token=token)[2]
    assert (status_body["status"], "endTime" in status_body) == ("Succeeded", True)


def test_admin_scenario_round_trips(fresh_emulator: Emulator) -> None:
    status, _, body = raw(fresh_emulator, "PUT", "/_emulator/scenario", body={"outage": ["East US 2"]})
    window = {"region": "eastus2", "from": 0.0, "until": None, "services": None, "mode": "timeout"}
    assert (status, body["outage"]) == (200, [window])
    assert raw(fresh_emulator, "GET", "/_emulator/scenario")[2]["outage"] == body["outage"]


def test_admin_rejects_a_bad_scenario_naming_the_key(emulator: Emulator) -> None:
    status, _, body = raw(emulator, "PUT", "/_emulator/scenario", body={"outage": ["atlantis"]})
    assert (status, body["error"]["code"]) == (400, "InvalidScenario")
    assert "outage[0].region" in body["error"]["message"] and "atlantis" in body["error"]["message"]


def test_request_log_records_arm_requests(fresh_emulator: Emulator) -> None:
    raw(fresh_emulator, "GET", SERVER + API, token=token_for(fresh_emulator))
    entries = raw(fresh_emulator, "GET", "/_emulator/requests")[2]["value"]
    assert [(e["method"], e["path"], e["query"], e["status"]) for e in entries] == [
        ("GET", SERVER, "api-version=2025-01-01", 200)
    ]
    raw(fresh_emulator, "POST", "/_emulator/requests/clear")
    assert raw(fresh_emulator, "GET", "/_emulator/requests")[2]["value"] == []


def test_admin_state_shows_resources_and_regions(emulator: Emulator) -> None:
    state = raw(emulator, "GET", "/_emulator/state")[2]
    assert SERVER in state["resources"]
    up = {"down": False, "services_down": []}
    assert state["regions"] == {"eastus2": up, "centralus": up}


def test_identity_endpoint_issues_a_jwt_for_the_resource(emulator: Emulator) -> None:
    claims = jwt.decode(token_for(emulator), options={"verify_signature": False})
    assert (claims["aud"], claims["tid"]) == ("https://management.azure.com/", emulator.state.tenant_id)


def test_identity_endpoint_refuses_a_wrong_identity_header(emulator: Emulator) -> None:
    request = urllib.request.Request(emulator.identity_endpoint + "?api-version=2019-08-01&resource=x")
    request.add_header("X-IDENTITY-HEADER", "wrong")
    try:
        urllib.request.urlopen(request)
        status = 200
    except urllib.error.HTTPError as exc:
        status = exc.code
    assert status == 401


def test_cloud_metadata_and_subscriptions_for_the_azure_cli(emulator: Emulator) -> None:
    status, _, metadata = raw(emulator, "GET", "/metadata/endpoints?api-version=2015-01-01")
    assert (status, metadata["authentication"]["audiences"]) == (200, ["https://management.azure.com/"])
    subs = raw(emulator, "GET", "/subscriptions?api-version=2022-12-01", token=token_for(emulator))[2]
    assert [s["subscriptionId"] for s in subs["value"]] == [SUB]
    tenants = raw(emulator, "GET", "/tenants?api-version=2022-12-01", token=token_for(emulator))[2]
    assert tenants["value"][0]["tenantId"] == emulator.state.tenant_id


def test_cloud_metadata_shape_follows_the_api_version_as_arm_does(emulator: Emulator) -> None:
    # Azure CLI 2.7x+ asks for 2022-09-01 and reads one object's `suffixes` by key; 2019-2020 versions
    # answer a list of clouds.
    one = raw(emulator, "GET", "/metadata/endpoints?api-version=2022-09-01")[2]
    listed = raw(emulator, "GET", "/metadata/endpoints?api-version=2019-05-01")[2]
    assert (one["resourceManager"], one["suffixes"]["sqlServerHostname"]) == (emulator.url, "database.windows.net")
    assert listed == [one]


def test_async_put_answers_azure_asyncoperation_without_location(emulator: Emulator) -> None:
    # ARM's async contract: Location (operationResults) is for 202s. The Azure CLI polls a PUT with
    # final-state-via=location, so a Location here would make it read an empty operation result.
    vmss = f"/subscriptions/{SUB}/resourceGroups/rg-dr-cus/providers/Microsoft.Compute/virtualMachineScaleSets"
    token = token_for(emulator)
    body = raw(emulator, "GET", vmss + "/worker-cus?api-version=2026-04-01", token=token)[2]
    status, headers, _ = raw(emulator, "PUT", vmss + "/worker-cus?api-version=2026-04-01", body=body, token=token)
    assert (status, "Azure-AsyncOperation" in headers, "Location" in headers) == (200, True, False)


def test_env_file_exports_every_variable(emulator: Emulator, tmp_path: Path) -> None:
    path = emulator.write_env_file(tmp_path / "emulator.env")
    lines = path.read_text().splitlines()
    assert sorted(line.split("=", 1)[0] for line in lines) == sorted(f"export {k}" for k in emulator.env)
    assert json.dumps(emulator.env)  # plain strings only
