"""Running the app against the emulator in tests: an emulator whose env the app's settings read,
and views of its request log (shipped as a module, like durabletask's `testing`).

The app under test finds the emulator exactly as it would find Azure: through the environment
(ARM endpoint, CA bundle, managed identity endpoint). Nothing here reaches into the app.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from regionshift.azure.clients import reset_default_clients
from regionshift.plan import Plan, load_plan, parse_plan
from regionshift_emulator.server import Emulator

REPO = Path(__file__).resolve().parents[1]  # the checkout: plans/ sits beside this package
EXAMPLE_PLAN = REPO / "plans" / "example.yaml"
WRITE_METHODS = {"PUT", "POST", "PATCH", "DELETE"}


def example_plan(**policy: Any) -> Plan:
    plan = load_plan(EXAMPLE_PLAN)
    if policy:
        data = plan.model_dump(mode="json")
        data["policy"].update(policy)
        plan = Plan.model_validate(data)
    return plan


def plan_from(text: str) -> Plan:
    return parse_plan(text)


@contextmanager
def app_on_emulator(
    plan: Plan, scenario: dict[str, Any] | None, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Emulator]:
    """Start an emulator seeded from `plan` and point the app's settings at it."""
    with Emulator(plan, {"latencies": {"default": 0}, **(scenario or {})}, workdir=workdir) as emu:
        for key, value in emu.env.items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("REGIONSHIFT_POLLING_INTERVAL", "0.01")
        monkeypatch.setenv("REGIONSHIFT_RETRY_TOTAL", "1")
        monkeypatch.setenv("REGIONSHIFT_STATE_DIR", str(workdir / "state"))
        monkeypatch.setenv("REGIONSHIFT_LEASE_DIR", str(workdir / "leases"))  # this test's own run leases
        # Tests run the host 60 times faster (tests/support/app_runs.py): so does ARM's budget.
        monkeypatch.setenv("REGIONSHIFT_ARM_BUDGET_SCALE", "60")
        monkeypatch.setenv("REGIONSHIFT_REPORT_DIR", str(workdir / "reports"))
        reset_default_clients()
        try:
            yield emu
        finally:
            reset_default_clients()


def writes(emu: Emulator, path_part: str = "") -> list[dict[str, Any]]:
    """The write requests (PUT/POST/PATCH/DELETE) the emulator received, optionally on a path."""
    return [
        r
        for r in list(emu.state.request_log)
        if r["method"] in WRITE_METHODS and path_part.lower() in r["path"].lower()
    ]


def clear_log(emu: Emulator) -> None:
    emu.state.request_log.clear()
