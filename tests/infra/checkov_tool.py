"""checkov as a test tool, in a virtual environment of its own (like the Azure CLI in tests/interop).

checkov 3.3 pins packaging<24 while pytest 9 needs packaging>=24, so it cannot join
requirements-dev.txt: `ensure_checkov()` builds `.cache/checkov-venv` from
infra/requirements-checkov.txt on first use (about 30 s) and reuses it while that file is
unchanged. It raises `CheckovUnavailable` only when pip cannot reach the package index; any other
failure is an error, so a broken set-up never passes as a skip.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
REQUIREMENTS = REPO / "infra" / "requirements-checkov.txt"
VENV = Path(os.environ.get("REGIONSHIFT_CHECKOV_VENV", REPO / ".cache" / "checkov-venv"))
INSTALL_TIMEOUT = 900
_NO_NETWORK = (
    "NewConnectionError",
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "Name or service not known",
    "Network is unreachable",
    "ProxyError",
    "ConnectTimeoutError",
)


class CheckovUnavailable(Exception):
    """checkov cannot be installed because the package index is unreachable."""


def ensure_checkov(venv: Path = VENV) -> Path:
    """The `checkov` executable pinned by infra/requirements-checkov.txt, installed on first use."""
    checkov = venv / "bin" / "checkov"
    pins = REQUIREMENTS.read_bytes()
    marker = venv / f".installed-{hashlib.sha256(pins).hexdigest()[:16]}"
    venv.parent.mkdir(parents=True, exist_ok=True)
    with (venv.parent / f"{venv.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two test runs never install at once
        if marker.exists() and checkov.exists():
            return checkov
        if venv.exists():  # half-made by an interrupted run, or other pins
            shutil.rmtree(venv)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check"]
        done = subprocess.run([*pip, "-r", str(REQUIREMENTS)], capture_output=True, text=True, timeout=INSTALL_TIMEOUT)
        if done.returncode != 0:
            output = (done.stdout + done.stderr).strip()
            tail = "\n".join([line for line in output.splitlines() if not line.startswith("WARNING")][-15:])
            if any(sign in output for sign in _NO_NETWORK):
                raise CheckovUnavailable(f"pip cannot reach the package index: {tail}")
            raise RuntimeError(f"installing {REQUIREMENTS.name} into {venv} failed:\n{tail}")
        marker.write_text(pins.decode("utf-8"), encoding="utf-8")
    return checkov


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
