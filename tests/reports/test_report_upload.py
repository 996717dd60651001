"""Uploading reports to Blob Storage, against Azurite started by the test session (see conftest)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from azure.storage.blob import ContainerClient
from report_azurite import Azurite
from report_identity import identity_endpoint

from regionshift.contracts import RunReport
from regionshift.plan import parse_plan
from regionshift.reports import BlobTarget, ReportUploadError, write_report
from regionshift.reports.next_steps import with_next_steps
from regionshift.reports.upload import CA_BUNDLE_ENV, CONNECTION_STRING_ENV, UPLOAD_BOUND_SECONDS, upload_contents

PLAN = """
name: contoso-web
subscription_id: 00000000-0000-0000-0000-000000000000
regions: {primary: eastus2, secondary: centralus}
failover_resource_group: contoso-dr
dns_records:
  - {resource_group: rg-dns, zone: contoso.com, name: www, type: CNAME,
     primary: web-eus2.contoso.net, secondary: web-cus.contoso.net}
"""


def _fresh_container() -> str:
    return f"reports-{uuid.uuid4().hex[:12]}"


def test_both_files_land_in_the_plans_container(report: RunReport, azurite: Azurite, tmp_path: Path) -> None:
    container = _fresh_container()  # does not exist yet: the upload creates it
    plan = parse_plan(PLAN + f"reports: {{storage_account_url: '{azurite.account_url}', container: {container}}}\n")
    target = BlobTarget.for_plan(plan, env={CONNECTION_STRING_ENV: azurite.connection_string()})
    assert target is not None

    files = write_report(report, tmp_path, upload=target)

    client = ContainerClient.from_connection_string(azurite.connection_string(), container)
    names = sorted(b.name for b in client.list_blobs())
    assert names == [f"contoso-web/{files.html_path.name}", f"contoso-web/{files.json_path.name}"]
    assert sorted(files.blob_urls) == [f"{azurite.account_url}/{container}/{n}" for n in names]
    for path in (files.json_path, files.html_path):
        blob = client.get_blob_client(f"contoso-web/{path.name}")
        assert blob.download_blob().readall() == path.read_bytes()
    assert client.get_blob_client(names[0]).get_blob_properties().content_settings.content_type.startswith("text/html")
    uploaded = client.get_blob_client(f"contoso-web/{files.json_path.name}").download_blob().readall()
    assert RunReport.model_validate_json(uploaded) == with_next_steps(report)


def test_uploading_the_same_run_again_overwrites(report: RunReport, azurite: Azurite, tmp_path: Path) -> None:
    target = BlobTarget(azurite.account_url, _fresh_container(), connection_string=azurite.connection_string())
    write_report(report.model_copy(update={"status": "running", "ended_at": None}), tmp_path, upload=target)
    files = write_report(report, tmp_path, upload=target)
    client = ContainerClient.from_connection_string(azurite.connection_string(), target.container)
    assert RunReport.model_validate_json(client.download_blob(files.json_path.name).readall()).status == "failed"


def test_a_rejected_upload_names_the_container_and_keeps_the_local_files(
    report: RunReport, azurite: Azurite, tmp_path: Path
) -> None:
    wrong_key = "d3Jvbmcta2V5LXdyb25nLWtleS13cm9uZy1rZXk="
    target = BlobTarget(azurite.account_url, "reports", connection_string=azurite.connection_string(wrong_key))
    with pytest.raises(ReportUploadError, match="container 'reports'") as caught:
        write_report(report, tmp_path, upload=target)
    assert wrong_key not in str(caught.value)
    assert [p.exists() for p in caught.value.paths] == [True, True]


def test_a_plan_without_a_reports_section_uploads_nothing() -> None:
    assert BlobTarget.for_plan(parse_plan(PLAN), env={}) is None


def test_the_connection_string_never_shows_in_the_targets_repr(azurite: Azurite) -> None:
    target = BlobTarget(azurite.account_url, "reports", connection_string=azurite.connection_string())
    assert "AccountKey" not in repr(target)


def test_without_a_connection_string_the_managed_identity_signs_in(
    report: RunReport, azurite_oauth: tuple[Azurite, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The path Azure takes: DefaultAzureCredential → App Service managed identity → bearer token over TLS.
    server, ca_bundle = azurite_oauth
    container = _fresh_container()
    plan = parse_plan(PLAN + f"reports: {{storage_account_url: '{server.account_url}', container: {container}}}\n")
    for name in ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "AZURE_FEDERATED_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    with identity_endpoint() as identity:
        monkeypatch.setenv("IDENTITY_ENDPOINT", identity.url)
        monkeypatch.setenv("IDENTITY_HEADER", identity.header)
        target = BlobTarget.for_plan(plan, env={CA_BUNDLE_ENV: str(ca_bundle)})
        assert target is not None and target.connection_string is None
        files = write_report(report, tmp_path, upload=target)
    assert identity.resources and set(identity.resources) == {"https://storage.azure.com"}
    assert len(files.blob_urls) == 2 and all(u.startswith(server.account_url) for u in files.blob_urls)
    check = ContainerClient.from_connection_string(
        server.connection_string(), container, connection_verify=str(ca_bundle)
    )
    assert check.download_blob(f"contoso-web/{files.html_path.name}").readall() == files.html_path.read_bytes()


class _Silent:
    """A TCP server that accepts connections and never answers: an account that does not respond."""

    def __init__(self) -> None:
        import socket
        import threading

        self.connections = 0
        self._sockets: list[socket.socket] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            self._sockets.append(connection)  # held open, never read or answered

    def close(self) -> None:
        self._listener.close()
        for connection in self._sockets:
            connection.close()


def test_an_account_that_does_not_answer_is_given_up_on_after_one_retry_and_says_so(tmp_path: Path) -> None:
    silent = _Silent()
    account = f"http://127.0.0.1:{silent.port}/devstoreaccount1"
    connection_string = (
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
        "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
        f"BlobEndpoint={account};"
    )
    target = BlobTarget.from_settings(
        account, "reports", env={CONNECTION_STRING_ENV: connection_string, "REGIONSHIFT_REPORTS_TIMEOUT": "0.5"}
    )
    try:
        with pytest.raises(ReportUploadError) as raised:
            upload_contents(target, {"r.json": b"{}"})
    finally:
        silent.close()
    assert silent.connections == 2  # the first attempt and one retry, each cut at its timeout
    assert "gave up after 2 attempts of at most 0.5 s to connect and 0.5 s to answer" in str(raised.value)


def test_the_default_bound_is_short_and_said() -> None:
    target = BlobTarget("https://st.blob.core.windows.net", "reports", connection_string=None)
    assert target.bound_words() == "gave up after 2 attempts of at most 5 s to connect and 10 s to answer"
    assert UPLOAD_BOUND_SECONDS <= 35
