"""Outages as a client meets them: the answer a request to a region (or service) that is down gets,
and the two answers that are not HTTP answers at all, a held request and a dropped connection.

A scenario `outage` window has a `mode`:
- `timeout` (default): 504 GatewayTimeout at once, the code and message ARM answers when the regional
  resource provider does not respond ("The gateway did not receive a response from 'Microsoft.Sql'
  within the specified time period.", ARM's GatewayTimeout; Learn, "Troubleshoot common Azure
  deployment errors").
- `error`: 503 ServiceUnavailable with Retry-After: the emulated seconds until the window ends (at
  least 1, at most 60; 60 when it has no end).
- `hang`: the request is held, with no answer, until the client gives up (its socket closes) or
  MAX_HOLD_SECONDS real seconds pass (azure-core's default read timeout is 300 s); a client still
  waiting then gets the 504. Azure's own behaviour in a slow outage is a client-side timeout, so this
  is the harsher reading.
- `reset`: the connection is dropped without an answer (the TCP connection is aborted, RST).

Holding never happens under the state lock: a handler raises `RegionUnavailable` (an ArmError whose
`connection` says "hang" or "reset"), the app catches it after the lock is released, and
`hold` / `DropConnection` do the rest. `DropConnection` leaves the WSGI app; the server's request
handler (`server._QuietHandler`) aborts the socket.
"""

from __future__ import annotations

import math
import select
import threading
import time
from typing import Any

from regionshift_emulator.core.errors import ArmError
from regionshift_emulator.core.scenario import MAX_HOLD_SECONDS, OutageWindow

MAX_RETRY_AFTER = 60


class DropConnection(ConnectionResetError):
    """Raised out of the WSGI app so that the server closes the connection without answering."""


def gateway_timeout_message(namespace: str) -> str:
    return f"The gateway did not receive a response from '{namespace}' within the specified time period."


def retry_after_seconds(seconds: float | None) -> str:
    """A Retry-After value in whole emulated seconds, from 1 to MAX_RETRY_AFTER (None: the maximum)."""
    if seconds is None or math.isinf(seconds):
        return str(MAX_RETRY_AFTER)
    return str(max(1, min(MAX_RETRY_AFTER, math.ceil(seconds))))


class RegionUnavailable(ArmError):
    """The answer to a request that reaches a region (or service) in outage, by the window's mode."""

    status, code = 504, "GatewayTimeout"

    def __init__(self, namespace: str, window: OutageWindow, now: float, message: str | None = None) -> None:
        if window.mode == "error":
            left = None if window.until is None else window.until - now
            super().__init__(
                message or f"The service '{namespace}' is temporarily unavailable in region '{window.region}'.",
                code="ServiceUnavailable",
                status=503,
                headers={"Retry-After": retry_after_seconds(left)},
            )
        else:
            super().__init__(message or gateway_timeout_message(namespace))
        self.namespace = namespace
        self.connection = window.mode if window.mode in ("hang", "reset") else None
        self.hold_seconds = MAX_HOLD_SECONDS


def hold(environ: dict[str, Any], seconds: float, released: threading.Event) -> bool:
    """Keep the request unanswered for up to `seconds` real seconds.

    True when the client went away meanwhile (its socket turned readable: a close, as no client sends
    more while it waits for an answer) or the emulator is stopping; False when the time ran out with
    the client still waiting.
    """
    sock = environ.get("werkzeug.socket")
    deadline = time.monotonic() + seconds
    while not released.is_set():
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        step = min(left, 0.25)
        if sock is None:
            released.wait(step)
            continue
        try:
            readable, _, _ = select.select([sock], [], [], step)
        except (OSError, ValueError):  # the socket is already closed
            return True
        if readable:
            return True
    return True
