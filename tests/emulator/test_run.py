"""`run()`, what `regionshift emulator` calls: serves until SIGTERM, writing the CA and env file once ready."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = (
    "import sys; from pathlib import Path; from regionshift_emulator.server import run; "
    "sys.exit(run(Path(sys.argv[1]), 0, Path(sys.argv[2]), Path(sys.argv[3]) if len(sys.argv) > 3 else None))"
)


def _start(tmp_path: Path, *extra: str) -> subprocess.Popen[str]:
    args = [sys.executable, "-c", SCRIPT, str(REPO / "plans" / "example.yaml"), str(tmp_path / "emu.env"), *extra]
    return subprocess.Popen(args, cwd=REPO, stderr=subprocess.PIPE, text=True)


def test_run_writes_env_file_and_ca_then_stops_on_sigterm(tmp_path: Path) -> None:
    process = _start(tmp_path)
    env_file = tmp_path / "emu.env"
    for _ in range(200):  # wait for readiness, not for a duration
        if env_file.exists() or process.poll() is not None:
            break
        time.sleep(0.05)
    text = env_file.read_text()
    assert "export REGIONSHIFT_ARM_ENDPOINT=https://127.0.0.1:" in text
    assert (tmp_path / "emulator-ca.pem").exists()
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0


def test_run_with_a_bad_scenario_exits_2_naming_the_key(tmp_path: Path) -> None:
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("outage: [atlantis]\n")
    process = _start(tmp_path, str(scenario))
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 2
    assert "outage[0].region" in stderr
