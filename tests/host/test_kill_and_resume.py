"""A host killed mid-run (SIGKILL) resumes its instance from SQLite on the next start."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from azure.durable_functions.models.history.HistoryEventType import HistoryEventType as E

from regionshift.host import DurableHost, RuntimeStatus

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
STEPS = 6

_CHILD = """
import sys, time
sys.path.insert(0, {here!r})
import host_sample_app
from regionshift.host import DurableHost
host = DurableHost(host_sample_app.make_app(), {db!r})
host.start()
host.start_new("slow_steps", {{"steps": {steps}, "path": {path!r}}}, instance_id="resume-me")
time.sleep(600)
"""


def _lines(path: Path) -> list[int]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_killed_host_resumes_without_redoing_finished_activities(sample_app, tmp_path: Path) -> None:
    db, record = tmp_path / "host.db", tmp_path / "steps.txt"
    code = _CHILD.format(here=str(HERE), db=str(db), steps=STEPS, path=str(record))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 60
        while len(_lines(record)) < 2 and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.05)
        assert len(_lines(record)) >= 2, "the child host never finished two activities"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()

    host = DurableHost(sample_app, db)
    finished_before = sum(1 for e in host.get_history("resume-me") if e["EventType"] == E.TASK_COMPLETED)
    assert 1 <= finished_before < STEPS
    with host:
        # a host drives only what it owns: this one takes over the killed host's run
        host.adopt("resume-me")
        status = host.wait_for_completion("resume-me", 60)
    assert status.runtime_status is RuntimeStatus.COMPLETED
    assert status.output == list(range(STEPS))
    runs = _lines(record)
    assert sorted(set(runs)) == list(range(STEPS))
    for step in range(finished_before):
        assert runs.count(step) == 1, f"step {step} had finished before the kill but ran again"
