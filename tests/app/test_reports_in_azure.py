"""A run whose report cannot be published says so in its output, end to end, and the app never
writes into its package folder (read-only on Flex Consumption).

Two real runs on the emulator: the CLI with a report folder the OS refuses to write (chmod; as
root the run drops CAP_DAC_OVERRIDE through `setpriv`, else root would write anyway), and
`regionshift serve` started from the laid-out package as the Functions host starts the app there
(working folder and `AzureWebJobsScriptRoot` the package, no report folder set), with a plan whose
storage account does not answer: `GET /api/runs/{id}` shows the problem.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from app_package import REPO, snapshot

KEY = "reports-e2e-function-key-0123456789"
AZURITE_ACCOUNT = "devstoreaccount1"
ANY_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REGIONSHIFT_", "IDENTITY_"))}
    env.update(REGIONSHIFT_STATE_DIR=str(tmp_path / "state"), COLUMNS="250", PYTHONDONTWRITEBYTECODE="1", **extra)
    return env


def without_root_override() -> list[str]:
    """A command prefix under which chmod binds this process too (root bypasses it otherwise)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv (util-linux): a read-only folder cannot be made to bind")
    return [setpriv, "--bounding-set=-dac_override"]


@pytest.fixture
def closed_port() -> Iterator[int]:
    with socket.socket() as held:  # bound, not listening: connections are refused
        held.bind(("127.0.0.1", 0))
        yield held.getsockname()[1]


def test_a_report_folder_that_cannot_be_written_shows_in_the_cli_summary(tmp_path: Path) -> None:
    folder = tmp_path / "read-only-reports"
    folder.mkdir()
    folder.chmod(0o555)
    command = [sys.executable, "-m", "regionshift", "failover", "plans/example.yaml", "--simulate"]
    result = subprocess.run(
        [*without_root_override(), *command, "--report-dir", str(folder)],
        cwd=REPO,
        env=clean_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]  # the failover itself succeeded
    assert "report NOT published:" in result.stderr
    assert f"could not write the report to {folder}: Permission denied" in result.stderr
    assert list(folder.iterdir()) == []


def test_an_unreachable_storage_account_shows_in_the_run_status_and_nothing_is_written_to_the_package(
    package: Path, tmp_path: Path, closed_port: int
) -> None:
    wwwroot = tmp_path / "wwwroot"
    shutil.copytree(package, wwwroot)
    before = snapshot(wwwroot)
    account_url = f"http://127.0.0.1:{closed_port}/{AZURITE_ACCOUNT}"
    plan = yaml.safe_load((REPO / "plans" / "example.yaml").read_text())
    plan["reports"] = {"storage_account_url": account_url, "container": "regionshift-reports"}
    (tmp_path / "plan.yaml").write_text(yaml.safe_dump(plan))
    (tmp_path / "temp").mkdir()
    env = clean_env(
        tmp_path,
        AzureWebJobsScriptRoot=str(wwwroot),
        TMPDIR=str(tmp_path / "temp"),
        REGIONSHIFT_FUNCTION_KEY=KEY,
        REGIONSHIFT_APPROVAL_KEY="reports-e2e-approval-signing-key-0123456789abcdef",
        # No retries of the refused upload (Storage's default policy backs off 15 s, 18 s, 24 s).
        REGIONSHIFT_RETRY_TOTAL="0",
        REGIONSHIFT_REPORTS_CONNECTION_STRING=(
            f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};AccountKey={ANY_KEY};BlobEndpoint={account_url};"
        ),
    )
    env.pop("PYTHONPATH", None)
    port = free_port()
    command = ["serve", "--plan", str(tmp_path / "plan.yaml"), "--simulate", "--port", str(port)]
    serve = subprocess.Popen(
        [sys.executable, "-m", "regionshift", *command],
        cwd=wwwroot,  # as the Functions host runs the app: from the package folder
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: answering(base, serve), "serve to answer")
        status, started = call(f"{base}/api/plans/contoso-web/failover", b"{}")
        assert status == 202, started

        def completed() -> Any:
            code, body = call(f"{base}/api/runs/failover-contoso-web")
            return body if code == 200 and body["runtime_status"] == "Completed" else None

        run = wait_for(completed, "the failover to complete")
    finally:
        serve.terminate()
        serve.wait(timeout=30)
    assert run["report"]["status"] == "succeeded", run["report"]["reason"]
    assert run["published"] is False
    (problem,) = run["publish_problems"]
    assert problem.startswith(f"could not upload the report to container 'regionshift-reports' at {account_url}")
    assert run["report"]["publish_problems"] == [problem]
    written = sorted(p.name for p in (tmp_path / "temp" / "regionshift-reports").iterdir())
    assert [Path(name).suffix for name in written] == [".html", ".json"]
    assert sorted(Path(link).name for link in run["report"]["links"]) == written
    assert snapshot(wwwroot) == before


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def call(url: str, body: bytes | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET")
    request.add_header("x-functions-key", KEY)
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def answering(base: str, serve: subprocess.Popen[str]) -> bool:
    if serve.poll() is not None:
        raise AssertionError(f"serve exited: {serve.stderr.read() if serve.stderr else ''}")
    try:
        return call(f"{base}/api/runs")[0] == 200
    except (urllib.error.URLError, ConnectionError):
        return False


def wait_for(predicate: Callable[[], Any], what: str, timeout: float = 180) -> Any:
    """Wait until the system reaches a state (a bound on waiting, not a speed assertion)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")
