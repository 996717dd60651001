"""checkov as a test tool, in a virtual environment of its own (like the Azure CLI in tests/interop).

checkov 3.3 pins packaging<24 while pytest 9 needs packaging>=24, so it cannot join
requirements-dev.txt: `ensure_checkov()` builds `.cache/checkov-venv` from
infra/requirements-checkov.txt on first use (about 30 s) and reuses it while that file is
unchanged. `ToolUnavailable` (regionshift_emulator.tool_venv) means only that pip
cannot reach the package index; any other failure is an error, so a broken set-up never skips.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from regionshift_emulator.tool_venv import ensure_tool

REPO = Path(__file__).resolve().parents[2]
REQUIREMENTS = REPO / "infra" / "requirements-checkov.txt"
VENV = Path(os.environ.get("REGIONSHIFT_CHECKOV_VENV", REPO / ".cache" / "checkov-venv"))
INSTALL_TIMEOUT = 900


def ensure_checkov(venv: Path = VENV) -> Path:
    """The `checkov` executable pinned by infra/requirements-checkov.txt, installed on first use.
    The pins themselves (not the file name) key the install, so changed pins rebuild it."""
    pins = [line.strip() for line in REQUIREMENTS.read_text().splitlines() if line.strip() and not line.startswith("#")]
    return ensure_tool(venv, pins, "checkov", timeout=INSTALL_TIMEOUT)


def scan(checkov: Path, directory: Path) -> dict[str, Any]:
    """checkov's JSON report for the Bicep under `directory` (no downloads: offline and fast)."""
    done = subprocess.run(
        [str(checkov), "-d", str(directory), "--framework", "bicep", "--skip-download", "-o", "json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if not done.stdout.strip():
        raise RuntimeError(f"checkov printed no report (exit {done.returncode}): {done.stderr[-2000:]}")
    report = json.loads(done.stdout)
    # One framework gives one report object; checkov answers a list when it ran several.
    return report[0] if isinstance(report, list) else report
