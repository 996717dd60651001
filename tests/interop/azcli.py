"""The Azure CLI as a test tool: installed into a virtual environment of its own, run against the emulator.

azure-cli is large (about 700 MB) and pins its own Azure SDKs, so it never joins the app's
requirements: `ensure_azure_cli()` builds `.cache/azcli-venv` with the pinned version on first use
and reuses it after (a marker file names the version that finished installing; anything else is
rebuilt). A lock keeps two test runs from installing at once. `AzCli` runs `az` as a user would
after pointing it at the emulator: a custom cloud, `az login --identity`, `-o json` answers.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from regionshift_emulator.server import Emulator

AZURE_CLI_VERSION = "2.91.0"
REPO = Path(__file__).resolve().parents[2]
VENV = Path(os.environ.get("REGIONSHIFT_AZCLI_VENV", REPO / ".cache" / "azcli-venv"))
CLOUD = "regionshift-emulator"
INSTALL_TIMEOUT = 1800  # seconds; a cold install takes a few minutes
COMMAND_TIMEOUT = 120
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


class AzureCliUnavailable(Exception):
    """azure-cli cannot be installed because the package index is unreachable."""


def ensure_azure_cli(venv: Path = VENV, version: str = AZURE_CLI_VERSION) -> Path:
    """The `az` executable of azure-cli `version`, installing it into `venv` first if needed."""
    az = venv / "bin" / "az"
    marker = venv / f".installed-azure-cli-{version}"
    venv.parent.mkdir(parents=True, exist_ok=True)
    with _locked(venv.parent / f"{venv.name}.lock"):
        if marker.exists() and az.exists():
            return az
        if venv.exists():  # half-made by an interrupted run, or another version
            shutil.rmtree(venv)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
        # Not --quiet: pip's connection warnings are how a missing network is told from a real failure.
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check"]
        done = subprocess.run([*pip, f"azure-cli=={version}"], capture_output=True, text=True, timeout=INSTALL_TIMEOUT)
        if done.returncode != 0:
            output = (done.stdout + done.stderr).strip()
            telling = [line for line in output.splitlines() if line.startswith("ERROR") or _offline(line)]
            tail = "\n".join((telling or output.splitlines())[-15:])
            if _offline(output):
                raise AzureCliUnavailable(f"pip cannot reach the package index to install azure-cli: {tail}")
            raise RuntimeError(f"installing azure-cli=={version} into {venv} failed:\n{tail}")
        marker.write_text(f"azure-cli=={version}\n", encoding="utf-8")
    return az


def _offline(text: str) -> bool:
    return any(sign in text for sign in _NO_NETWORK)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class AzError(AssertionError):
    """An `az` command that should have worked did not."""


@dataclass
class AzCli:
    """`az` with its own config directory, talking only to `emulator`."""

    az: Path
    config_dir: Path
    emulator: Emulator
    login: Any = None  # what `az login --identity` printed, once connected

    def env(self) -> dict[str, str]:
        # Nothing from the caller's Azure set-up leaks in: the emulator's env, an isolated profile.
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("AZURE_", "IDENTITY_", "MSI_", "REGIONSHIFT_")) and k != "REQUESTS_CA_BUNDLE"
        }
        env.update(self.emulator.env)
        env["AZURE_CONFIG_DIR"] = str(self.config_dir)
        env["AZURE_CORE_COLLECT_TELEMETRY"] = "false"
        env["NO_PROXY"] = env["no_proxy"] = ",".join(filter(None, ["127.0.0.1", "localhost", env.get("NO_PROXY")]))
        return env

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.az), *args], env=self.env(), capture_output=True, text=True, timeout=COMMAND_TIMEOUT
        )

    def json(self, *args: str) -> Any:
        """The JSON `az ... -o json` prints (None when it prints nothing); AzError if it fails."""
        done = self.run(*args, "-o", "json")
        if done.returncode != 0:
            raise AzError(f"az {' '.join(args)} exited {done.returncode}:\n{done.stderr.strip()}")
        return json.loads(done.stdout) if done.stdout.strip() else None

    def fails(self, *args: str) -> str:
        """stderr of a command that must fail; AzError if it succeeds."""
        done = self.run(*args, "-o", "json")
        if done.returncode == 0:
            raise AzError(f"az {' '.join(args)} succeeded but should have failed:\n{done.stdout.strip()}")
        return done.stderr

    def connect(self) -> Any:
        """Register the emulator as a custom cloud, make it active, log in; the login's JSON."""
        self.json("cloud", "register", "-n", CLOUD, "--endpoint-resource-manager", self.emulator.url)
        self.json("cloud", "set", "-n", CLOUD)
        self.login = self.json("login", "--identity")
        return self.login
