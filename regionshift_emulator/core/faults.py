"""Injected faults: which of the scenario's `faults` a request meets, and the answer it stands for.

The first fault whose path and method match is taken, if it fires: a fault with `probability` below
1 fires with that chance, drawn from the state's one `random.Random(seed)`, so a run repeats for a
seed. `times` counts the requests a fault affected; a fault that acts on a long-running operation
(`fail_operation`, `never_complete`) counts only requests that started one (`Operations.inject`).
What each effect does is `Fault`'s docstring; the app applies them (`core.app`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from regionshift_emulator.core.errors import ArmError
from regionshift_emulator.core.scenario import Fault

if TYPE_CHECKING:
    from regionshift_emulator.core.state import EmulatorState

_CODES = {429: "TooManyRequests", 503: "ServiceUnavailable", 504: "GatewayTimeout"}


def take(state: EmulatorState, method: str, path: str) -> Fault | None:
    """The fault this request meets, its `times` spent (call under the state lock)."""
    for fault in state.scenario.faults:
        if fault.times == 0 or not fault.matches(method, path):
            continue
        if fault.probability < 1 and state.random.random() >= fault.probability:
            continue
        if fault.times is not None and not fault.holds_operation:
            fault.times -= 1
        return fault
    return None


def status_answer(fault: Fault, method: str, path: str) -> ArmError:
    """The ARM error a `status` fault answers; 429 and 503 carry Retry-After (emulated seconds)."""
    status = fault.status or 500
    code = fault.code or _CODES.get(status, "InternalServerError" if status >= 500 else "BadRequest")
    headers = {}
    if status in (429, 503):
        headers["Retry-After"] = str(math.ceil(fault.retry_after if fault.retry_after is not None else 1))
    return ArmError(f"Injected fault for {method} {path}.", code=code, status=status, headers=headers)
