"""`--simulate` empties its state folder only while holding the folder's lock: a `serve --simulate`
(or another simulation) running in the same folder is named and keeps its state."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from test_failover_cli import ROOT, cli_env

from regionshift.host.lock import StateLock


def test_a_simulation_refuses_to_clear_a_folder_another_process_holds(tmp_path: Path) -> None:
    folder = tmp_path / "state" / "simulate" / "contoso-web"
    folder.mkdir(parents=True)
    kept = folder / "durable.sqlite"
    kept.write_bytes(b"the running serve's history")
    held = StateLock.acquire(kept)  # what `serve --simulate` holds while it runs
    try:
        result = subprocess.run(
            [sys.executable, "-m", "regionshift", "failover", "plans/example.yaml", "--simulate"],
            cwd=ROOT,
            env=cli_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        held.release()
    assert result.returncode == 1, result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("refused: the state store ")
    assert f"is in use by pid {os.getpid()}" in result.stderr
    assert kept.read_bytes() == b"the running serve's history"


def test_a_simulation_clears_a_folder_nobody_holds(tmp_path: Path) -> None:
    folder = tmp_path / "state" / "simulate" / "contoso-web"
    (folder / "old").mkdir(parents=True)
    (folder / "old" / "leftover").write_text("from the last simulation")
    result = subprocess.run(
        [sys.executable, "-m", "regionshift", "drill", "plans/example.yaml", "--simulate", "--json"],
        cwd=ROOT,
        env=cli_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert not (folder / "old").exists()
    assert (folder / "durable.sqlite").exists()
