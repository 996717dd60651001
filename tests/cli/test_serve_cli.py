"""`regionshift serve` as a user starts it: the function key is never printed in full (a generated
one is in a file only this user can read, gone when serve stops), and a busy port is one line."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _serve(tmp_path: Path, port: int, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "regionshift",
            "serve",
            "--simulate",
            "--plan",
            "plans/example.yaml",
            "--port",
            str(port),
        ],
        cwd=ROOT,
        env={**os.environ, "REGIONSHIFT_STATE_DIR": str(tmp_path / "state"), **env},
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )


def _until_serving(process: subprocess.Popen[str]) -> list[str]:
    assert process.stderr is not None
    lines: list[str] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            raise AssertionError(f"serve stopped: {''.join(lines)}")
        lines.append(line)
        if line.startswith("serving "):
            return lines
    raise AssertionError("serve did not start")


def _stop(process: subprocess.Popen[str]) -> str:
    process.terminate()  # SIGTERM: serve stops as after Ctrl-C
    _, rest = process.communicate(timeout=60)
    return rest


def test_a_generated_key_is_in_a_private_file_and_not_on_the_screen(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "REGIONSHIFT_FUNCTION_KEY"}
    process = subprocess.Popen(
        [sys.executable, "-m", "regionshift", "serve", "--simulate", "--plan", "plans/example.yaml", "--port", "0"],
        cwd=ROOT,
        env={**env, "REGIONSHIFT_STATE_DIR": str(tmp_path / "state")},
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    try:
        lines = _until_serving(process)
        key_file = tmp_path / "state" / "serve-function-key"
        key = key_file.read_text().strip()
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert len(key) >= 24 and key not in "".join(lines)
        assert f"function key: {key[:4]}…, generated for this session, in {key_file.resolve()}" in lines[-1]
        url = lines[-1].split(" at ", 1)[1].split("/api/", 1)[0]
        request = urllib.request.Request(f"{url}/api/runs", headers={"x-functions-key": key})
        with urllib.request.urlopen(request, timeout=30) as answer:
            assert answer.status == 200 and "runs" in json.loads(answer.read())
    finally:
        rest = _stop(process)
    assert key not in rest
    assert not key_file.exists()


def test_a_key_from_the_environment_is_shown_by_its_first_characters_only(tmp_path: Path) -> None:
    key = "a-function-key-from-the-environment-0123"
    process = _serve(tmp_path, 0, REGIONSHIFT_FUNCTION_KEY=key)
    try:
        lines = _until_serving(process)
    finally:
        rest = _stop(process)
    assert key not in "".join(lines) + rest
    assert "function key: a-fu… from REGIONSHIFT_FUNCTION_KEY" in lines[-1]


def test_a_busy_port_is_one_line_and_exit_2(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = _serve(tmp_path, port, REGIONSHIFT_FUNCTION_KEY="k" * 24)
        _, stderr = process.communicate(timeout=120)
    assert process.returncode == 2
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines()[-1] == (
        f"error: port {port} on 127.0.0.1 is in use (is another regionshift serve running?); choose another with --port"
    )
