"""Test tools that cannot share the project's virtual environment (the Azure CLI pins its own
Azure SDKs; checkov pins an old `packaging`), each installed into a virtual environment of its
own under `.cache/` on first use and reused after.

A marker file records what finished installing; anything else is rebuilt. A lock keeps two test
runs from installing at once. `ToolUnavailable` is raised only when pip cannot reach the package
index, so a test may skip for that reason and no other: any other install failure is an error.
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

# What pip prints when the package index cannot be reached at all: only then is a skip honest.
_NO_NETWORK = (
    "NewConnectionError",
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "Name or service not known",
    "Network is unreachable",
    "ProxyError",
    "ConnectTimeoutError",
)


class ToolUnavailable(Exception):
    """The tool cannot be installed because the package index is unreachable."""


def ensure_tool(venv: Path, pip_args: list[str], executable: str, *, timeout: float, python: str | None = None) -> Path:
    """`venv/bin/<executable>`, after `pip install <pip_args>` into `venv` unless already done.

    `python` is the interpreter the venv is made with (default: the one running this), so a tool
    can run on another Python version than the tests (the Functions worker for Python 3.13).
    """
    key = " ".join(pip_args) if python is None else " ".join([python, *pip_args])  # another Python, another venv
    python = python or sys.executable
    tool = venv / "bin" / executable
    marker = venv / f".installed-{hashlib.sha256(key.encode()).hexdigest()[:16]}"
    venv.parent.mkdir(parents=True, exist_ok=True)
    with (venv.parent / f"{venv.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.exists() and tool.exists():
            return tool
        if venv.exists():  # half-made by an interrupted run, or other pins
            shutil.rmtree(venv)
        subprocess.run([python, "-m", "venv", str(venv)], check=True, capture_output=True)
        # Not --quiet: pip's connection warnings are how a missing network is told from a real failure.
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check"]
        done = subprocess.run([*pip, *pip_args], capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            output = (done.stdout + done.stderr).strip()
            telling = [line for line in output.splitlines() if line.startswith("ERROR") or _offline(line)]
            tail = "\n".join((telling or output.splitlines())[-15:])
            if _offline(output):
                raise ToolUnavailable(f"pip cannot reach the package index to install {' '.join(pip_args)}: {tail}")
            raise RuntimeError(f"installing {' '.join(pip_args)} into {venv} failed:\n{tail}")
        marker.write_text(" ".join(pip_args) + "\n", encoding="utf-8")
    return tool


def _offline(text: str) -> bool:
    return any(sign in text for sign in _NO_NETWORK)
