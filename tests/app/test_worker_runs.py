"""The app runs, not only indexes, on Azure's Python and library (azure-functions 2.x): one
function of each kind from the laid-out package, called in the clean Python 3.13 venv the way the
worker calls it (tests/app/worker_smoke.py), under the Functions host's settings. Nothing is
written into the package."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from app_package import REPO, run_in_worker, snapshot

SMOKE_SCRIPT = Path(__file__).with_name("worker_smoke.py")


@pytest.fixture(scope="module")
def ran(worker_python: Path, package: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("smoke")
    wwwroot = work / "wwwroot"
    shutil.copytree(package, wwwroot)
    (work / "temp").mkdir()
    before = snapshot(wwwroot)
    env = {
        "AzureWebJobsScriptRoot": str(wwwroot),
        "TMPDIR": str(work / "temp"),
        "REGIONSHIFT_APPROVAL_KEY": "smoke-approval-signing-key-0123456789abcdef",
    }
    result = run_in_worker(
        worker_python, SMOKE_SCRIPT, wwwroot, work / "result.json", str(REPO / "plans" / "example.yaml"), env=env
    )
    result["package_unchanged"] = snapshot(wwwroot) == before
    result["temp"] = work / "temp"
    return result


def test_the_failover_orchestrator_runs_its_first_episode(ran: dict[str, Any]) -> None:
    episode = ran["orchestrator"]
    assert episode.get("error") is None, episode
    assert episode["isDone"] is False
    assert episode["action_types"], "the first episode schedules work"


def test_the_report_activity_publishes_to_the_temp_folder_and_says_it_is_not_kept(ran: dict[str, Any]) -> None:
    published = ran["activity"]
    assert published.get("error") is None, published
    assert [Path(link).parent for link in published["links"]] == [ran["temp"] / "regionshift-reports"] * 2
    assert all(Path(link).is_file() for link in published["links"])
    assert published["published"] is False
    assert published["publish_problems"][0].startswith("no storage account is named for reports")
    assert ran["package_unchanged"]


def test_an_http_trigger_answers_through_azure_functions_2(ran: dict[str, Any]) -> None:
    answer = ran["http_trigger"]
    assert answer.get("error") is None, answer
    assert (answer["type"], answer["status"]) == ("HttpResponse", 403)
    assert "token" in answer["body"]
