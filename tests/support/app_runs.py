"""Running the app's orchestrations on the embedded host in tests (on `pythonpath`: see pyproject).

The host's clock runs `SPEED` times faster than real time, as `--simulate` runs it, so evidence
windows, polls and approval timeouts take fractions of a second; the emulator's operations take no
time unless a test's scenario says so.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
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


def wait_until(predicate: Any, what: str, timeout: float = 60) -> Any:
    """The predicate's first truthy value; fail naming `what` after `timeout` s (a bound on
    waiting for a state, never a speed check)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


# Three probes over an hour: a failover's data branches probe the primary (on durable timers,
# writing nothing) long after a test has stepped in, so nothing depends on timing.
SLOW_EVIDENCE = {"data_loss": "allow", "outage_evidence": {"failed_probes": 3, "window_seconds": 3600}}


def probing(host: DurableHost, run: str) -> bool:
    """Whether the run's SQL branch is probing the primary."""
    branches = [s for s in host.list_instances(prefix=f"{run}:") if s.name == Orchestrators.SQL_BRANCH]
    return any((s.custom_status or {}).get("state") == "probing" for s in branches)


@contextmanager
def probing_failover(
    tmp_path: Path, monkeypatch: Any, run: str, *, approved: bool = True
) -> Iterator[tuple[Any, DurableHost]]:
    """A failover of the example plan (SLOW_EVIDENCE) on the emulator with the primary down, once
    its SQL branch probes (or, not approved, once it was started): yields (emulator, host)."""
    from regionshift_emulator.harness import app_on_emulator, example_plan

    plan = example_plan(**SLOW_EVIDENCE)
    with app_on_emulator(plan, {"outage": ["eastus2"]}, tmp_path, monkeypatch) as emu, app_host(tmp_path) as host:
        request = RunRequest.new(plan, started_by="test", approved=approved)
        host.start_new(Orchestrators.FAILOVER, request.model_dump(mode="json"), instance_id=run)
        if approved:
            wait_until(lambda: probing(host, run), "the SQL branch to probe the primary")
        yield emu, host
