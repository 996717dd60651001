"""Publishing a run's report: every place it did not reach is a problem the run carries, and under
the Functions host nothing is written inside the app's package (read-only in Azure)."""

from __future__ import annotations

import socket
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from azure.storage.blob import ContainerClient
from report_azurite import DEV_ACCOUNT, DEV_KEY, Azurite
from rich.console import Console

from regionshift.contracts import RunReport
from regionshift.plan import load_plan, parse_plan
from regionshift.reports import BlobTarget, publish, render_text_summary
from regionshift.reports.upload import ACCOUNT_URL_ENV, CONNECTION_STRING_ENV, CONTAINER_ENV
from regionshift.settings import Settings

EXAMPLE_PLAN = Path(__file__).resolve().parents[2] / "plans" / "example.yaml"  # contoso-web, no reports section


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port bound but not listening (held for the test): connecting is refused at once."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield held.getsockname()[1]


def unreachable_target(port: int) -> BlobTarget:
    account_url = f"http://127.0.0.1:{port}/{DEV_ACCOUNT}"
    connection = (
        f"DefaultEndpointsProtocol=http;AccountName={DEV_ACCOUNT};AccountKey={DEV_KEY};BlobEndpoint={account_url};"
    )
    return BlobTarget(account_url, "regionshift-reports", connection_string=connection, retry_total=0)


def files_under(folder: Path) -> dict[str, bytes | None]:
    """Every file (with its bytes) and folder under `folder`."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else None for p in folder.rglob("*")}


def test_a_writable_folder_and_no_storage_publishes_both_files(report: RunReport, tmp_path: Path) -> None:
    publication = publish(report, Settings(report_dir=tmp_path / "reports"), None)
    assert publication.problems == []
    assert publication.report_fields()["published"] is True
    assert sorted(Path(link).suffix for link in publication.links) == [".html", ".json"]
    assert all(Path(link).parent == tmp_path / "reports" for link in publication.links)


def test_an_unreachable_blob_endpoint_is_a_problem_and_the_files_are_still_written(
    report: RunReport, tmp_path: Path, closed_port: int
) -> None:
    publication = publish(report, Settings(report_dir=tmp_path), unreachable_target(closed_port))
    (problem,) = publication.problems
    assert problem.startswith(
        f"could not upload the report to container 'regionshift-reports' at http://127.0.0.1:{closed_port}"
    )
    assert publication.report_fields()["published"] is False
    assert len(publication.links) == 2 and all(Path(link).exists() for link in publication.links)


def test_a_folder_that_cannot_be_written_does_not_stop_the_upload(
    report: RunReport, azurite: Azurite, tmp_path: Path
) -> None:
    (tmp_path / "not-a-folder").write_text("a file where the report folder should be")
    container = f"reports-{uuid.uuid4().hex[:12]}"
    target = BlobTarget(
        azurite.account_url, container, prefix="contoso-web/", connection_string=azurite.connection_string()
    )
    publication = publish(report, Settings(report_dir=tmp_path / "not-a-folder" / "reports"), target)
    (problem,) = publication.problems
    assert problem.startswith(f"could not write the report to {tmp_path / 'not-a-folder' / 'reports'}: ")
    blobs = sorted(
        b.name for b in ContainerClient.from_connection_string(azurite.connection_string(), container).list_blobs()
    )
    assert len(blobs) == 2 and all(name.startswith("contoso-web/failover-contoso-web-") for name in blobs)
    assert sorted(publication.links) == sorted(f"{azurite.account_url}/{container}/{name}" for name in blobs)


def test_under_the_functions_host_a_report_folder_inside_the_package_is_refused(
    report: RunReport, tmp_path: Path
) -> None:
    package = tmp_path / "wwwroot"
    (package / "regionshift").mkdir(parents=True)
    (package / "function_app.py").write_text("# the app\n")
    before = files_under(package)
    settings = Settings.from_env(
        {"AzureWebJobsScriptRoot": str(package), "REGIONSHIFT_REPORT_DIR": str(package / "reports")}
    )
    publication = publish(report, settings, None)
    assert files_under(package) == before
    assert publication.links == []
    assert publication.problems[0].startswith(
        f"the report folder {package / 'reports'} is inside the app's package {package}"
    )


def test_under_the_functions_host_reports_default_to_the_temp_folder_and_need_storage_to_be_kept(
    report: RunReport, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "temp"))
    (tmp_path / "temp").mkdir()
    settings = Settings.from_env(
        {"FUNCTIONS_WORKER_RUNTIME": "python", "AzureWebJobsScriptRoot": str(tmp_path / "wwwroot")}
    )
    assert settings.report_dir == tmp_path / "temp" / "regionshift-reports"
    assert settings.app_folder == (tmp_path / "wwwroot").resolve()
    publication = publish(report, settings, None)
    assert len(publication.links) == 2 and all(Path(link).exists() for link in publication.links)
    (problem,) = publication.problems
    assert problem.startswith("no storage account is named for reports")
    assert ACCOUNT_URL_ENV in problem


def test_outside_the_functions_host_reports_default_to_the_working_folder() -> None:
    settings = Settings.from_env({})
    assert settings.report_dir == Path("reports") and settings.app_folder is None


def test_the_environment_names_the_storage_when_the_plan_does_not() -> None:
    plan = load_plan(EXAMPLE_PLAN)
    assert plan.reports is None
    env = {ACCOUNT_URL_ENV: "https://stdr.blob.core.windows.net", CONNECTION_STRING_ENV: ""}
    target = BlobTarget.for_plan(plan, env=env)
    assert target is not None
    assert (target.account_url, target.container, target.prefix) == (
        "https://stdr.blob.core.windows.net",
        "regionshift-reports",
        "contoso-web/",
    )
    other = BlobTarget.for_plan(plan, env={**env, CONTAINER_ENV: "dr-reports"})
    assert other is not None and other.container == "dr-reports"
    own = parse_plan(
        EXAMPLE_PLAN.read_text()
        + "reports: {storage_account_url: 'https://stplan.blob.core.windows.net', container: mine}\n"
    )
    mine = BlobTarget.for_plan(own, env=env)
    assert mine is not None and (mine.account_url, mine.container) == ("https://stplan.blob.core.windows.net", "mine")


def test_the_cli_summary_says_when_the_report_was_not_published(report: RunReport) -> None:
    console = Console(record=True, width=200)
    problem = "could not write the report to /x: Permission denied"
    console.print(render_text_summary(report.model_copy(update={"published": False, "publish_problems": [problem]})))
    text = console.export_text()
    assert "report NOT published:" in text and problem in text
    console = Console(record=True, width=200)
    console.print(render_text_summary(report.model_copy(update={"published": True})))
    assert "NOT published" not in console.export_text()
