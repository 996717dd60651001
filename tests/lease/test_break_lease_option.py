"""`--break-lease` on the run commands reaches the run's options (the lead puts it into the run request)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from regionshift.cli.exit_codes import ExitCode
from regionshift.cli.main import app
from regionshift.cli.runs import RunOptions

EXAMPLE = Path(__file__).resolve().parents[2] / "plans" / "example.yaml"


@pytest.mark.parametrize("operation", ["failover", "failback", "drill"])
@pytest.mark.parametrize(("flags", "expected"), [([], False), (["--break-lease"], True)])
def test_every_run_command_takes_break_lease(
    operation: str, flags: list[str], expected: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[RunOptions] = []

    def run(plan: Path, *, options: RunOptions, **_: Any) -> ExitCode:
        seen.append(options)
        return ExitCode.OK

    monkeypatch.setattr(f"regionshift.cli.{operation}.{operation}", run)
    result = CliRunner().invoke(app, [operation, str(EXAMPLE), *flags])
    assert result.exit_code == 0, result.output
    assert [o.break_lease for o in seen] == [expected]
