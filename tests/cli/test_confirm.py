"""A failover or failback started from the CLI against Azure asks a person first (cli/confirm.py)."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from test_failover_cli import ROOT, cli_env

from regionshift.cli.confirm import confirm_run, on_this_machine
from regionshift.errors import RunRefused
from regionshift.plan import load_plan
from regionshift.settings import Settings
from regionshift_emulator.server import Emulator

AZURE = Settings(arm_endpoint="https://management.azure.com/")
PLAN = load_plan(ROOT / "plans" / "example.yaml")  # data_loss: allow


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_question_names_the_plan_the_regions_and_that_data_loss_is_allowed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    confirm_run("failover", PLAN, AZURE, simulate=False, yes=False, stdin=Terminal("contoso-web\n"))
    asked = capsys.readouterr().err
    assert "Failover plan 'contoso-web' from eastus2 to centralus in Azure" in asked
    assert "https://management.azure.com/" in asked and PLAN.subscription_id in asked
    assert "data loss is ALLOWED" in asked


def test_a_failback_says_it_loses_no_data(capsys: pytest.CaptureFixture[str]) -> None:
    confirm_run("failback", PLAN, AZURE, simulate=False, yes=False, stdin=Terminal("contoso-web\n"))
    asked = capsys.readouterr().err
    assert "from centralus to eastus2" in asked and "no data loss" in asked


def test_any_other_answer_starts_nothing() -> None:
    with pytest.raises(RunRefused, match="not confirmed"):
        confirm_run("failover", PLAN, AZURE, simulate=False, yes=False, stdin=Terminal("y\n"))


def test_yes_simulate_and_an_emulator_are_not_asked() -> None:
    silent = Terminal("")  # reading it would return "", which confirms nothing
    confirm_run("failover", PLAN, AZURE, simulate=False, yes=True, stdin=silent)
    confirm_run("failover", PLAN, AZURE, simulate=True, yes=False, stdin=silent)
    confirm_run("failover", PLAN, Settings(arm_endpoint="https://127.0.0.1:8443/"), simulate=False, yes=False)
    assert silent.tell() == 0
    assert on_this_machine("https://localhost:1/") and on_this_machine("https://[::1]:1/")
    assert not on_this_machine("https://management.usgovcloudapi.net/")


def test_a_script_without_yes_is_refused_in_one_line_before_anything_starts(tmp_path: Path) -> None:
    # Signed in (the emulator's managed identity answers for Azure's audience too), pointed at
    # Azure's ARM endpoint, stdin not a terminal: refused before a run or a request exists.
    with Emulator(PLAN) as emulator:
        env = cli_env(tmp_path, {**emulator.env, "REGIONSHIFT_ARM_ENDPOINT": "https://management.azure.com/"})
        result = subprocess.run(
            [sys.executable, "-m", "regionshift", "failover", "plans/example.yaml"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert not [r for r in emulator.state.request_log if r["method"] != "GET"]
    assert result.returncode == 1, result.stderr
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("refused: Failover plan 'contoso-web' from eastus2 to centralus in Azure")
    assert "add --yes to confirm from a script" in result.stderr
    assert not (tmp_path / "state" / "durable.sqlite").exists()
