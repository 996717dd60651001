"""Azurite (the Azure Storage emulator) for the upload tests: installed from npm, started, stopped.

CI starts from a clean clone, so the first session installs Azurite into `.cache/azurite`
(git-ignored), then runs it on a free loopback port with a temporary data folder.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AZURITE_VERSION = "3.37.0"
AZURITE_DIR = ROOT / ".cache" / "azurite"
AZURITE_BIN = AZURITE_DIR / "node_modules" / ".bin" / "azurite-blob"
# Azurite's well-known development account: public, documented, and accepted only by Azurite.
DEV_ACCOUNT = "devstoreaccount1"
DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
_LISTENING = re.compile(r"listens on (https?://127\.0\.0\.1:\d+)")


@dataclass(frozen=True)
class Azurite:
    endpoint: str  # http(s)://127.0.0.1:PORT

    @property
    def account_url(self) -> str:
        return f"{self.endpoint}/{DEV_ACCOUNT}"

    def connection_string(self, key: str = DEV_KEY) -> str:
        scheme = self.endpoint.split(":")[0]  # http, or https when started with a certificate
        return (
            f"DefaultEndpointsProtocol={scheme};AccountName={DEV_ACCOUNT};AccountKey={key};"
            f"BlobEndpoint={self.account_url};"
        )


def install_azurite() -> Path:
    if AZURITE_BIN.exists():
        return AZURITE_BIN
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed: the upload tests install Azurite (the Storage emulator) with npm")
    AZURITE_DIR.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [npm, "install", "--prefix", str(AZURITE_DIR), f"azurite@{AZURITE_VERSION}", "--no-audit", "--no-fund"],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if result.returncode != 0 or not AZURITE_BIN.exists():
        pytest.fail(f"npm install azurite@{AZURITE_VERSION} failed:\n{result.stderr[-2000:]}")
    return AZURITE_BIN


def run_azurite(data: Path, extra_args: Sequence[str] = ()) -> Iterator[Azurite]:
    binary = install_azurite()
    if shutil.which("node") is None:
        pytest.skip("node is not installed: Azurite runs on Node.js")
    process = subprocess.Popen(
        [
            str(binary),
            "--blobHost",
            "127.0.0.1",
            "--blobPort",
            "0",
            "--location",
            str(data),
            "--skipApiVersionCheck",
            "--disableTelemetry",
            "--silent",
            *extra_args,
        ],
        cwd=data,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        endpoint = _wait_until_listening(process)
        yield Azurite(endpoint)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_listening(process: subprocess.Popen[str]) -> str:
    # Azurite prints the port it bound (we ask for port 0: any free one). A start-up deadline is a
    # guard against a hung process, not an assertion on speed.
    assert process.stdout is not None
    deadline = time.monotonic() + 60
    seen = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        seen.append(line)
        match = _LISTENING.search(line)
        if match:
            return match.group(1)
    raise RuntimeError("Azurite did not start:\n" + "".join(seen))
