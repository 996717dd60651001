"""Running the app's orchestrations on the embedded host in tests (on `pythonpath`: see pyproject).

The host's clock runs `SPEED` times faster than real time, as `--simulate` runs it, so evidence
windows, polls and approval timeouts take fractions of a second; the emulator's operations take no
time unless a test's scenario says so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from regionshift.contracts import RunReport, RunRequest
from regionshift.host import DurableHost, HostOptions
from regionshift.host.clock import ScaledClock
from regionshift.names import Orchestrators
from regionshift.plan import Plan

SPEED = 60.0


def app_host(state_dir: Path) -> DurableHost:
    """The app on the embedded host, bounded by the app's own host.json as Azure's host is."""
    import function_app

    options = HostOptions.from_host_json(Path(function_app.__file__).with_name("host.json"))
    return DurableHost(function_app.app, state_dir / "durable.sqlite", clock=ScaledClock(SPEED), options=options)


def run_app(
    plan: Plan,
    state_dir: Path,
    orchestrator: str = Orchestrators.FAILOVER,
    instance_id: str | None = None,
    timeout: float = 120,
    **request: Any,
) -> RunReport:
    """Run one orchestration to its end and return its report (the run must end with one)."""
    instance_id = instance_id or f"{orchestrator}-test"
    fields = {"started_by": "test", "approved": True, **request}
    with app_host(state_dir) as host:
        payload = RunRequest.new(plan, **fields).model_dump(mode="json")
        host.start_new(orchestrator, payload, instance_id=instance_id)
        status = host.wait_for_completion(instance_id, timeout=timeout)
    assert status.is_terminal, status
    assert status.output is not None, status.failure
    return RunReport.model_validate(status.output)
