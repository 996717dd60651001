"""regionshift as a user runs it: the emulator, the CLI and `regionshift serve`, each a process of its own.

`EmulatorProcess` is `regionshift emulator --plan ... --env-file ...` (as tests/cli starts it): the
CLI and serve read its env file, and the suite reads the emulator's state and request log through
its admin API (`/_emulator/state`, `/_emulator/requests`), the same JSON the in-process emulator
gives. Nothing here looks inside regionshift: a run is judged by its exit code, what it printed,
and what the emulator saw.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import yaml

from regionshift_emulator.testing import read_env_file

ROOT = Path(__file__).resolve().parents[1]
SPEED = 60.0  # emulated seconds per real second: the emulator's and the CLI host's clocks


class ProcessError(RuntimeError):
    """A process of the suite did not start or answer; the trial cannot be judged."""


def clean_env(workdir: Path, **extra: str) -> dict[str, str]:
    """The caller's environment without regionshift's or the identity's settings, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REGIONSHIFT_", "IDENTITY_"))}
    env["REGIONSHIFT_STATE_DIR"] = str(workdir / "state")
    env["REGIONSHIFT_LEASE_DIR"] = str(workdir / "leases")
    env.update(extra)
    return env


def regionshift_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "regionshift", *args]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class EmulatorProcess:
    """`regionshift emulator` seeded from `plan_path`, its clock at SPEED (the scenario's `speed`)."""

    def __init__(self, plan_path: Path, workdir: Path, scenario: dict[str, Any] | None = None) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        self.plan_path = plan_path
        scenario_file = workdir / "scenario.yaml"
        scenario_file.write_text(yaml.safe_dump({**(scenario or {}), "speed": SPEED}))
        env_file = workdir / "emulator.env"
        command = regionshift_command("emulator", "--plan", str(plan_path), "--env-file", str(env_file))
        self.process = subprocess.Popen(
            [*command, "--scenario", str(scenario_file)],
            cwd=ROOT,
            env=clean_env(workdir),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.env = self._read_env(env_file)
        self._tls = ssl.create_default_context(cafile=self.env["REGIONSHIFT_CA_BUNDLE"])

    def _read_env(self, path: Path) -> dict[str, str]:
        """The env file once the emulator has written all of it (its last line names the logs endpoint)."""
        deadline = time.monotonic() + 60
        while True:
            try:
                values = read_env_file(path)
            except (OSError, ValueError):  # not there yet, or half written
                values = {}
            if "REGIONSHIFT_LOGS_ENDPOINT" in values:
                return values
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                errors = self.process.stderr.read() if self.process.stderr else ""
                raise ProcessError(f"the emulator did not start: {errors}")
            time.sleep(0.05)

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.env["REGIONSHIFT_EMULATOR_ADMIN"] + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, context=self._tls, timeout=30) as answer:
                return json.loads(answer.read())
        except (urllib.error.URLError, OSError) as exc:
            raise ProcessError(f"the emulator's admin API did not answer {method} {path}: {exc}") from None

    def state(self) -> dict[str, Any]:
        return dict(self.admin("GET", "state"))

    def requests(self) -> list[dict[str, Any]]:
        return list(self.admin("GET", "requests")["value"])

    def clear_requests(self) -> None:
        self.admin("POST", "requests/clear")

    def now(self) -> float:
        return float(self.state()["clock"]["now"])

    def set_scenario(self, scenario: dict[str, Any]) -> dict[str, Any]:
        """Replace the scenario (at SPEED); returns it as the emulator holds it."""
        return dict(self.admin("PUT", "scenario", {**scenario, "speed": SPEED}))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)

    def __enter__(self) -> EmulatorProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def cli_env(emulator: EmulatorProcess, workdir: Path, lease_dir: Path, **extra: str) -> dict[str, str]:
    """What a CLI (or serve) beside the emulator runs with: its env file, its own state folder, and
    the run leases of this machine in `lease_dir`; durable timers on the emulator's clock."""
    return clean_env(
        workdir,
        **emulator.env,
        REGIONSHIFT_LEASE_DIR=str(lease_dir),
        REGIONSHIFT_HOST_CLOCK_SPEED=str(SPEED),
        REGIONSHIFT_POLLING_INTERVAL="0.1",
        **extra,
    )


def last_json(stdout: str) -> dict[str, Any] | None:
    """The report `--json` printed (None when the run printed none: killed, or refused before it)."""
    text = stdout.strip()
    if not text:
        return None
    try:
        found = json.loads(text)
    except ValueError:
        return None
    return found if isinstance(found, dict) else None
