"""A host drives only what it owns, one process owns a state store at a time, and a store that
cannot be used says so in one line."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import host_sample_app
import pytest
from azure.durable_functions.models.history.HistoryEventType import HistoryEventType as E
from conftest import SPEED
from waiting import until

from regionshift.host import (
    DurableHost,
    RuntimeStatus,
    ScaledClock,
    StateInUse,
    StateStoreError,
    SystemClock,
    everything,
)

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
WAIT = 60


def kinds(host: DurableHost, instance_id: str) -> list[E]:
    return [E(e["EventType"]) for e in host.get_history(instance_id)]


def leave_running(sample_app, db: Path, name: str, input: object = None, instance_id: str = "left") -> str:
    """Start an instance and close the host mid-run, as a killed command leaves it."""
    with DurableHost(sample_app, db, clock=ScaledClock(SPEED)) as first:
        first.start_new(name, input, instance_id=instance_id)
        until(lambda: first.activities_in_flight() or first.get_history(instance_id), "the run to begin")
    return instance_id


@pytest.fixture(autouse=True)
def closed_gate():
    host_sample_app.GATE.clear()
    yield
    host_sample_app.GATE.set()


def test_a_host_leaves_what_it_does_not_own_as_it_was(sample_app, tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    left = leave_running(sample_app, db, "gate_then_double")
    with DurableHost(sample_app, db, clock=ScaledClock(SPEED)) as second:
        # start() resumes what the host owns before it returns: nothing here
        assert second.activities_in_flight() == 0
        second.raise_event(left, "stray", 1)  # delivered, but no episode runs for it
        own = second.start_new("sequence", [1])
        assert second.wait_for_completion(own, WAIT).output == [2]
        assert E.EVENT_RAISED not in kinds(second, left)
        assert second.get_status(left).runtime_status is RuntimeStatus.RUNNING

        second.adopt(left)  # now it is this host's: its unfinished activity runs again
        assert second.activities_in_flight() == 1
        host_sample_app.GATE.set()
        assert second.wait_for_completion(left, WAIT).output == {"gate": "opened", "double": 42}


def test_an_adopted_instance_brings_its_sub_orchestrations(sample_app, tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    leave_running(sample_app, db, "parent_of", {"child": "left:child", "input": 7})
    with DurableHost(sample_app, db, clock=ScaledClock(SPEED)) as second:
        until(lambda: second.get_status("left:child") is not None, "the child to exist")
        second.adopt("left")
        second.raise_event("left:child", "go", "now")
        assert second.wait_for_completion("left", WAIT).output == {"input": 7, "go": "now"}


def test_a_timer_of_an_instance_not_owned_does_not_fire(sample_app, tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    with DurableHost(sample_app, db, clock=SystemClock()) as first:  # its two-hour timer is far off
        first.start_new("approval_or_timeout", instance_id="left")
        until(lambda: E.TIMER_CREATED in kinds(first, "left"), "the timer")
    later = ScaledClock(SPEED, start=datetime.now(UTC) + timedelta(hours=3))  # both timers are due
    with DurableHost(sample_app, db, clock=later) as second:
        own = second.start_new("approval_or_timeout", instance_id="own")
        # timers fire in FireAt order, so the left one (due earlier) would have fired first
        assert second.wait_for_completion(own, WAIT).output == {"approved": None}
        assert E.TIMER_FIRED not in kinds(second, "left")
        second.adopt("left")
        assert second.wait_for_completion("left", WAIT).output == {"approved": None}


def test_a_host_that_owns_everything_resumes_everything(sample_app, tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    left = leave_running(sample_app, db, "gate_then_double")
    with DurableHost(sample_app, db, clock=ScaledClock(SPEED), owns=everything) as second:
        assert second.activities_in_flight() == 1
        host_sample_app.GATE.set()
        assert second.wait_for_completion(left, WAIT).runtime_status is RuntimeStatus.COMPLETED


# -- one owner process per store ---------------------------------------------------------------

_HOLDER = """
import sys, time
sys.path.insert(0, {here!r})
import host_sample_app
from regionshift.host import DurableHost
host = DurableHost(host_sample_app.make_app(), {db!r})
print("holding", flush=True)
time.sleep(120)
"""


def test_a_second_process_is_refused_with_the_owners_pid_and_command(sample_app, tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    script = tmp_path / "hold_store.py"
    script.write_text(_HOLDER.format(here=str(HERE), db=str(db)))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    holder = subprocess.Popen([sys.executable, str(script), "--plan", "contoso"], env=env, stdout=subprocess.PIPE)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"holding"
        with pytest.raises(StateInUse) as refused:
            DurableHost(sample_app, db)
        message = str(refused.value)
        assert f"is in use by pid {holder.pid} (hold_store.py --plan contoso, since " in message
        assert "\n" not in message
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    with DurableHost(sample_app, db):  # the kernel let go of the dead holder's lock
        pass


def test_a_second_host_in_the_same_process_is_refused_too(sample_app, tmp_path: Path) -> None:
    with DurableHost(sample_app, tmp_path / "state.db"), pytest.raises(StateInUse, match=f"by pid {os.getpid()} "):
        DurableHost(sample_app, tmp_path / "state.db")
    with DurableHost(sample_app, tmp_path / "state.db"):  # closed: free again
        pass


# -- a store that cannot be used -------------------------------------------------------------


def test_a_corrupt_store_is_named_in_one_line(sample_app, tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    db.write_bytes(b"this is not a SQLite database, it is a shopping list " * 100)
    with pytest.raises(StateStoreError) as refused:
        DurableHost(sample_app, db)
    message = str(refused.value)
    assert message.startswith(f"state store {db}: file is not a database; it is corrupt: move it aside")
    assert "\n" not in message


def test_a_store_in_a_folder_that_cannot_exist_is_named_in_one_line(sample_app, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(StateStoreError, match=r"cannot create its lock file .*REGIONSHIFT_STATE_DIR"):
        DurableHost(sample_app, blocker / "state" / "durable.sqlite")


_FILLER = """
import resource, signal, sys
sys.path.insert(0, {here!r})
import host_sample_app
from regionshift.host import DurableHost, StateStoreError
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead of killing us
host = DurableHost(host_sample_app.make_app(), {db!r})
host.start()
resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))  # the disk is now full
try:
    instance_id = host.start_new("fan_out", 1000)
    host.wait_for_completion(instance_id, 60)
except StateStoreError as exc:
    print(f"error: {{exc}}")
    sys.exit(1)
print("finished without noticing")
"""


def test_a_full_disk_under_a_run_stops_it_with_one_line_instead_of_hanging(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    script = _FILLER.format(here=str(HERE), db=str(db), limit=256 * 1024)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    (line,) = done.stdout.splitlines()
    assert line.startswith(f"error: state store {db}: ")
    assert "free some space, then run the same command again to resume" in line
    assert "Traceback" not in done.stderr
