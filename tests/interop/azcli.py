"""The Azure CLI as a test tool: installed into a virtual environment of its own, run against the emulator.

azure-cli is large (about 700 MB) and pins its own Azure SDKs, so it never joins the app's
requirements: `ensure_azure_cli()` builds `.cache/azcli-venv` with the pinned version on first use
and reuses it after (a marker file names the version that finished installing; anything else is
rebuilt). A lock keeps two test runs from installing at once. `AzCli` runs `az` as a user would
after pointing it at the emulator: a custom cloud, `az login --identity`, `-o json` answers.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from regionshift_emulator.server import Emulator
from regionshift_emulator.tool_venv import ensure_tool

AZURE_CLI_VERSION = "2.91.0"
REPO = Path(__file__).resolve().parents[2]
VENV = Path(os.environ.get("REGIONSHIFT_AZCLI_VENV", REPO / ".cache" / "azcli-venv"))
CLOUD = "regionshift-emulator"
INSTALL_TIMEOUT = 1800  # seconds; a cold install takes a few minutes
COMMAND_TIMEOUT = 120


def ensure_azure_cli(venv: Path = VENV, version: str = AZURE_CLI_VERSION) -> Path:
    """The `az` executable of azure-cli `version`, installing it into `venv` first if needed."""
    return ensure_tool(venv, [f"azure-cli=={version}"], "az", timeout=INSTALL_TIMEOUT)


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
