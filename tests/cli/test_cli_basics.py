"""The rough edges a newcomer meets first: `--version`, help that names values instead of Python
types, and an emulator env file written with a relative path that still works from elsewhere."""

from __future__ import annotations

import importlib.metadata
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from regionshift.cli.main import app
from regionshift_emulator.harness import EXAMPLE_PLAN, app_on_emulator, example_plan

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = ["validate", "schema", "emulator", "serve", "check", "plan", "failover", "failback", "drill"]


def test_version_prints_the_installed_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"regionshift {importlib.metadata.version('regionshift')}"


@pytest.mark.parametrize("command", [[], *([c] for c in COMMANDS)], ids=["regionshift", *COMMANDS])
def test_help_shows_no_python_types_beside_flags_or_options(command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    assert "--help" in result.output
    noise = re.findall(r"<(?:bool|int|list\[[^\]]*\]|str)>", result.output)
    assert noise == [], result.output


def _exports(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        found[name] = shlex.split(value)[0]
    return found


def test_a_relative_env_file_gets_absolute_paths_that_work_from_another_folder(tmp_path: Path) -> None:
    work = tmp_path / "here"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REGIONSHIFT_", "IDENTITY_", "REQUESTS_CA"))}
    emulator = subprocess.Popen(
        [sys.executable, "-m", "regionshift", "emulator", "--plan", str(EXAMPLE_PLAN), "--env-file", "dr/emu.env"],
        cwd=work,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        env_file = work / "dr" / "emu.env"
        deadline = time.monotonic() + 120
        while not env_file.exists():
            assert emulator.poll() is None, emulator.communicate()[1]
            assert time.monotonic() < deadline, "the emulator wrote no env file"
            time.sleep(0.1)
        exported = _exports(env_file)
        for name in ("REGIONSHIFT_CA_BUNDLE", "REQUESTS_CA_BUNDLE"):
            assert Path(exported[name]).is_absolute() and Path(exported[name]).is_file()
        # As the README does: source it, then run the CLI, here from another folder.
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        check = subprocess.run(
            [sys.executable, "-m", "regionshift", "check", str(EXAMPLE_PLAN), "--report-dir", str(elsewhere)],
            cwd=elsewhere,
            env={**env, **exported, "REGIONSHIFT_STATE_DIR": str(elsewhere / "state")},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert check.returncode == 0, check.stdout + check.stderr
        assert "contoso-web: ready" in check.stdout
    finally:
        emulator.terminate()
        emulator.communicate(timeout=60)


def test_a_relative_ca_bundle_is_read_from_the_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with app_on_emulator(example_plan(), None, tmp_path, monkeypatch):
        bundle = Path(os.environ["REGIONSHIFT_CA_BUNDLE"])
        monkeypatch.chdir(bundle.parent)
        monkeypatch.setenv("REGIONSHIFT_CA_BUNDLE", bundle.name)
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", bundle.name)
        result = CliRunner().invoke(app, ["check", str(EXAMPLE_PLAN), "--report-dir", str(tmp_path / "r")])
        assert result.exit_code == 0, result.output
        assert os.environ["REGIONSHIFT_CA_BUNDLE"] == str(bundle)


def test_a_ca_bundle_that_is_not_there_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("REGIONSHIFT_CA_BUNDLE", "nope/ca.pem")
    result = CliRunner().invoke(app, ["check", str(EXAMPLE_PLAN)])
    assert result.exit_code == 2
    assert result.output.strip() == f"error: REGIONSHIFT_CA_BUNDLE: no CA bundle at {tmp_path / 'nope' / 'ca.pem'}"


def test_a_bug_is_one_line_and_its_traceback_goes_to_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import typer

    from regionshift.cli.main import run_command

    def buggy() -> Any:
        return {}["missing"]

    monkeypatch.setenv("REGIONSHIFT_STATE_DIR", str(tmp_path / "state"))
    with pytest.raises(typer.Exit) as caught:
        run_command(buggy)
    assert caught.value.exit_code == 1
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("internal error (a bug in regionshift): KeyError: 'missing'; the traceback is in ")
    (saved,) = (tmp_path / "state").glob("crash-*.txt")
    assert line.endswith(str(saved)) and "in buggy" in saved.read_text()
