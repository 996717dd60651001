"""One owner process per state store: an OS file lock beside the SQLite database.

Two processes driving one store would both run its instances' activities (duplicate writes to
Azure) and race on its rows. The lock is `fcntl.flock` on `<database>.lock`, taken when a host
opens the store and held until it closes; the kernel releases it when the process dies, even by
SIGKILL, so a crashed run never leaves a stale lock behind. The file records who holds it (pid,
command line, since when), so the process refused can say whom it waits for.

A state folder holds one database (`durable.sqlite`), so this is the folder's lock too.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from regionshift.errors import RunRefused
from regionshift.host.status import HostError, StateStoreError


class StateInUse(HostError, RunRefused):
    """Another process holds the state store; it is named in the message."""


def _owner_text(owner: dict[str, Any]) -> str:
    command = str(owner.get("command") or "an unknown command")
    return f"pid {owner.get('pid', '?')} ({command[:200]}, since {owner.get('since', '?')})"


class StateLock:
    """The held lock of one store; `release()` (or process exit) gives it up."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, database: Path) -> StateLock:
        path = database.with_name(database.name + ".lock")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StateStoreError(
                f"state store {database}: cannot create its lock file ({exc.strerror or exc}); check that "
                "this user may write to the folder (REGIONSHIFT_STATE_DIR)"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = _read_owner(fd)
            os.close(fd)
            raise StateInUse(
                f"the state store {database} is in use by {_owner_text(owner)}; wait for it to finish "
                "or stop it, or use another state folder (REGIONSHIFT_STATE_DIR)"
            ) from None
        _write_owner(fd)
        return cls(path, fd)

    def release(self) -> None:
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None


def _read_owner(fd: int) -> dict[str, Any]:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        data = json.loads(os.read(fd, 64 * 1024) or b"{}")
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _command() -> str:
    """This process's command line as a person typed it (`python -m regionshift` reads as regionshift)."""
    if not sys.argv or not sys.argv[0] or sys.argv[0] == "-c":
        return sys.executable
    program = Path(sys.argv[0])
    name = program.parent.name if program.name == "__main__.py" else program.name
    return " ".join([name, *sys.argv[1:]])


def _write_owner(fd: int) -> None:
    owner = {"pid": os.getpid(), "command": _command(), "since": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")}
    with contextlib.suppress(OSError):  # who holds it is a courtesy; the lock itself is what counts
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, json.dumps(owner).encode())
