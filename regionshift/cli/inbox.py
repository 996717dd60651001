"""The state folder's control inbox: how `regionshift runs ...` reaches the process that runs.

One process at a time holds a state folder (regionshift/host/lock.py), so a second command cannot
open the store to pause a run that the first one drives, nor would a change made behind the
driving host's back be seen in time. Instead the command leaves a request in
`<state folder>/control/` and the holder, which watches that folder while its host runs
(`InboxHost`: every `regionshift failover|failback|drill` and `regionshift serve`), carries it out
on its own host and leaves the reply beside it. The folder is this user's only (0700, files 0600):
whoever may write the state folder may steer its runs, as whoever may open its store could.

A request is `<id>.request.json`; the holder takes it by renaming it (so a request the sender
withdrew is never half-read), answers `<id>.reply.json` and removes what it took.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from regionshift.host import DurableHost

FOLDER = "control"
POLL_SECONDS = 0.2
Handler = Callable[[dict[str, Any]], dict[str, Any]]


def inbox_of(state_dir: Path) -> Path:
    return state_dir / FOLDER


def _write_private(path: Path, data: dict[str, Any]) -> None:
    """Write JSON so that it appears whole (rename) and only this user can read it."""
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as f:
        json.dump(data, f)
    os.replace(temporary, path)


def post(state_dir: Path, request: dict[str, Any]) -> str:
    """Leave a request for the holder; returns its id."""
    folder = inbox_of(state_dir)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    request_id = uuid.uuid4().hex
    _write_private(folder / f"{request_id}.request.json", request)
    return request_id


def withdraw(state_dir: Path, request_id: str) -> bool:
    """Take a request back; False when the holder has already taken it."""
    try:
        (inbox_of(state_dir) / f"{request_id}.request.json").unlink()
    except FileNotFoundError:
        return False
    return True


def wait_for_reply(state_dir: Path, request_id: str, timeout: float) -> dict[str, Any] | None:
    """The holder's reply, or None when it did not come within `timeout` seconds."""
    path = inbox_of(state_dir) / f"{request_id}.reply.json"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            reply = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            time.sleep(POLL_SECONDS / 2)
            continue
        path.unlink(missing_ok=True)
        return reply if isinstance(reply, dict) else {"ok": False, "status": 500, "error": "a malformed reply"}
    return None


class Inbox:
    """The holder's side: answers every request that appears in the folder, one at a time."""

    def __init__(self, state_dir: Path, handle: Handler) -> None:
        self._folder = inbox_of(state_dir)
        self._handle = handle
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._stopping.clear()
            self._folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            self._thread = threading.Thread(target=self._watch, name="regionshift-control-inbox", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop watching; a request being answered is answered first."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def _watch(self) -> None:
        while not self._stopping.wait(POLL_SECONDS):
            try:
                pending = sorted(self._folder.glob("*.request.json"), key=lambda p: p.stat().st_mtime)
            except OSError:
                continue  # the folder went away (a cleaned state folder): nothing to answer
            for request in pending:
                self._answer(request)

    def _answer(self, path: Path) -> None:
        request_id = path.name.removesuffix(".request.json")
        taken = path.with_name(f"{request_id}.taken")
        try:
            path.rename(taken)
            request = json.loads(taken.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return  # withdrawn meanwhile, or not ours to read
        try:
            reply = self._handle(request) if isinstance(request, dict) else {"ok": False, "error": "not a request"}
        except Exception as exc:  # a bug here must not stop the inbox, nor leave the sender waiting
            reply = {"ok": False, "status": 500, "error": f"internal error: {type(exc).__name__}: {exc}"}
        with contextlib.suppress(OSError):
            _write_private(self._folder / f"{request_id}.reply.json", reply)
            taken.unlink()


class InboxHost(DurableHost):
    """A DurableHost that answers its state folder's control inbox while it runs."""

    def __init__(
        self,
        *args: Any,
        state_dir: Path,
        handle: Callable[[DurableHost, dict[str, Any]], dict[str, Any]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.state_dir = state_dir
        self._inbox = Inbox(state_dir, lambda request: handle(self, request))

    def __enter__(self) -> InboxHost:
        self.start()
        return self

    def start(self) -> None:
        super().start()
        self._inbox.start()

    def stop(self) -> None:
        self._inbox.stop()
        super().stop()
