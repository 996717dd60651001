"""The local run lease: one file per plan in a folder every regionshift process of this user shares.

Used when the plan names no lease storage (`lock`) and neither does the environment. It excludes
runs on *this machine* only: two CLIs with different state folders, or `serve` and a CLI. It cannot
exclude a laptop from the Functions app in Azure; `regionshift check` warns about that
(`regionshift.lease.lease_readiness`).

The folder is `REGIONSHIFT_LEASE_DIR`, by default `$XDG_CACHE_HOME/regionshift/leases` (else
`~/.cache/...`), and deliberately not the state folder: a state folder is per run, the lease is per
plan. `<plan>.lease` holds the lease id and the holder's facts as JSON.

How it is atomic: the file is first written whole to a temporary file created with
`O_CREAT | O_EXCL`, then published with `link(2)`, which fails with EEXIST when the lease file
exists, exactly as `O_EXCL` does, and never shows a half-written lease (a crash mid-write leaves
only a temporary file). Every read-decide-write (acquire, break, release) also runs under an
exclusive `flock` on `<plan>.lease.lock`: a break-glass replace and a release must not interleave
with another process's acquire. The kernel drops a flock when its process dies, so the guard itself
never goes stale; the lease file does, on purpose.

Stale files are never taken silently. A lease whose process (same host, pid gone) has exited is
refused like any other, with the refusal saying it looks stale; an unreadable lease file is
refused too. `break_lease` is the only way past either, and the run records whose lease it broke.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path

from pydantic import ValidationError

from regionshift.lease.model import LeaseHolder, LeaseOutcome, LeaseRequest, lease_id_for

LEASE_DIR_ENV = "REGIONSHIFT_LEASE_DIR"


def lease_dir(env: Mapping[str, str]) -> Path:
    """Where local leases live: REGIONSHIFT_LEASE_DIR, else the user's cache folder."""
    if env.get(LEASE_DIR_ENV):
        return Path(env[LEASE_DIR_ENV])
    cache = env.get("XDG_CACHE_HOME") or str(Path(env.get("HOME") or Path.home()) / ".cache")
    return Path(cache) / "regionshift" / "leases"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


class LocalLease:
    backend = "local"

    def __init__(self, folder: Path, plan: str, host: str) -> None:
        self.folder = folder
        self.path = folder / f"{plan}.lease"
        self._guard = folder / f"{plan}.lease.lock"
        self._host = host

    def _outcome(self, **fields: object) -> LeaseOutcome:
        return LeaseOutcome(backend="local", location=str(self.path), **fields)  # type: ignore[arg-type]

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._guard, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing the descriptor releases the flock

    def _read(self) -> tuple[str, LeaseHolder] | str | None:
        """(lease id, holder), or a sentence saying why the file cannot be read, or None if absent."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            data = json.loads(raw)
            return str(data["lease_id"]), LeaseHolder.model_validate(data["holder"])
        except (ValueError, KeyError, TypeError, ValidationError):
            return f"the lease file {self.path} is unreadable ({len(raw)} bytes)"

    def _publish(self, lease_id: str, holder: LeaseHolder, *, replace: bool) -> None:
        temporary = self.folder / f".{self.path.name}.{uuid.uuid4().hex}.tmp"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"lease_id": lease_id, "holder": holder.model_dump(mode="json")}, handle)
                handle.flush()
                os.fsync(handle.fileno())
            if replace:
                os.replace(temporary, self.path)
            else:
                os.link(temporary, self.path)  # FileExistsError if another run holds it
        finally:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()

    def _stale(self, holder: LeaseHolder) -> str:
        if holder.host == self._host and holder.pid is not None and not _pid_alive(holder.pid):
            return f"; it looks stale: process {holder.pid} on this host, which took it, has exited"
        return ""

    def acquire(self, request: LeaseRequest, holder: LeaseHolder) -> LeaseOutcome:
        lease_id = lease_id_for(request.run_id)
        with self._exclusive():
            found = self._read()
            if isinstance(found, tuple) and found[0] == lease_id:
                return self._outcome(granted=True, holder=found[1], detail="already held by this run")
            if found is None:
                self._publish(lease_id, holder, replace=False)
                return self._outcome(granted=True, holder=holder, detail="acquired")
            if not request.break_lease:
                if isinstance(found, str):
                    return self._outcome(
                        granted=False, error=True, detail=f"{found}; if no run holds it, run again with --break-lease"
                    )
                current = found[1]
                return self._outcome(
                    granted=False,
                    holder=current,
                    detail=f"the plan's run lease is held by {current.describe()}{self._stale(current)}; "
                    "if that run is gone, run again with --break-lease",
                )
            broken = found[1] if isinstance(found, tuple) else None
            taken = holder.model_copy(update={"broke": broken.run_id if broken else "(unreadable lease)"})
            self._publish(lease_id, taken, replace=True)
            what = broken.describe() if broken else str(found)
            return self._outcome(granted=True, holder=taken, broken_holder=broken, detail=f"broke the lease of {what}")

    def release(self, request: LeaseRequest) -> LeaseOutcome:
        lease_id = lease_id_for(request.run_id)
        with self._exclusive():
            found = self._read()
            if found is None:
                return self._outcome(granted=False, detail="was not held (already released)")
            if isinstance(found, str):
                return self._outcome(granted=False, error=True, detail=f"{found}; left as it is")
            held_by, current = found
            if held_by != lease_id:
                return self._outcome(
                    granted=False, holder=current, detail=f"held by {current.describe()}, not this run; left as it is"
                )
            self.path.unlink()
            return self._outcome(granted=False, released=True, holder=current, detail="released")
