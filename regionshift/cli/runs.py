"""Running an orchestration from the CLI on the embedded Durable host, with live progress.

One run per plan at a time: the instance id derives from the plan and the operation, so running
the command again while that instance is unfinished resumes it instead of starting another, and
a failover and a failback of the same plan never run at once.

The command's host owns only the run it starts or resumes (and that run's sub-orchestrations):
anything else unfinished in the state folder, a killed failover when a drill is asked for, stays
exactly as it was. The state folder itself has one owner process at a time (the host's lock), so
a second command on it is refused naming the first. A resumed run must run the plan it started
with: when the plan file changed since, the command refuses with both digests, and `--restart`
terminates the old run (and its sub-orchestrations) and starts again from the current state
(every activity reads what already moved before it acts).
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import signal
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from rich.live import Live

from regionshift.cli.console import err, out
from regionshift.cli.exit_codes import ExitCode
from regionshift.cli.inbox import InboxHost
from regionshift.cli.progress import ProgressReader, phase_words, progress_table
from regionshift.contracts import Resume, RunReport, RunRequest
from regionshift.control import answer_on_host
from regionshift.errors import RunRefused
from regionshift.host import DurableHost, HostOptions, InstanceStatus, RuntimeStatus
from regionshift.host.clock import ScaledClock
from regionshift.lease import LeaseRequest, release_lease
from regionshift.names import Events
from regionshift.plan import Plan
from regionshift.reports import render_text_summary
from regionshift.settings import Settings

# Operations that change production and so exclude each other for one plan.
EXCLUSIVE = ("failover", "failback")
SUSPENDED_EVENT = 19  # ExecutionSuspended (HistoryEventType; pinned in tests/host/test_sdk_contract.py)


@dataclass(frozen=True)
class RunOptions:
    json_output: bool = False
    report_dir: Path = Path("reports")
    break_lease: bool = False  # --break-lease: take the plan's run lease from its holder (regionshift.lease)
    restart: bool = False  # terminate an unfinished run of this operation and start again
    force: bool = False  # --force: go on past failing (or unanswered) readiness checks
    simulate: bool = False  # the run's emulator lives in this process: it ends with the command
    plan_path: str = "PLAN"  # the plan file as typed, for the commands the output suggests
    yes: bool = False  # --yes: a failover or failback against Azure starts without asking (cli/confirm.py)


def instance_id_for(operation: str, plan: Plan) -> str:
    return f"{operation}-{plan.name}"


def open_host(settings: Settings, *, owns: Callable[[str], bool] | None = None) -> InboxHost:
    """The embedded host on the settings' state folder, bounded by the app's own host.json (as
    Azure's Functions host is); it owns only what it is told to (`adopt`, `owns`). While it runs it
    answers `regionshift runs pause|resume|cancel` from other terminals (regionshift.cli.inbox)."""
    import function_app  # the composition root: the very orchestrators and activities Azure runs

    options = HostOptions.from_host_json(Path(function_app.__file__).with_name("host.json"))
    # `--simulate`: durable timers run on the emulator's compressed clock, in Azure seconds.
    clock = ScaledClock(settings.host_clock_speed) if settings.host_clock_speed != 1 else None
    return InboxHost(
        function_app.app,
        settings.state_dir / "durable.sqlite",
        options=options,
        owns=owns,
        clock=clock,
        state_dir=settings.state_dir,
        handle=answer_on_host,
    )


def new_run(request: RunRequest, plan: Plan) -> dict[str, Any]:
    """The orchestration input of a new start: the request with a fresh run id and the plan's digest."""
    return request.model_copy(update={"run_id": uuid.uuid4().hex, "plan_sha256": plan.digest()}).model_dump(mode="json")


def run_orchestration(
    operation: str,
    orchestrator: str,
    plan: Plan,
    settings: Settings,
    options: RunOptions,
    request: RunRequest | None = None,
) -> ExitCode:
    request = request or RunRequest.new(plan, started_by=who(), approved=True)
    request = request.model_copy(update={"break_lease": options.break_lease, "force": options.force})
    instance_id = instance_id_for(operation, plan)
    # The run publishes its own report (the publish_report activity reads the report folder from
    # the settings), exactly as a run in Azure does.
    os.environ["REGIONSHIFT_REPORT_DIR"] = str(options.report_dir)
    with open_host(settings) as host:
        _refuse_if_other_run(host, operation, plan)
        status = host.get_status(instance_id)
        if status is not None and not status.is_terminal and options.restart:
            host.terminate(instance_id, f"restarted by {who()} (--restart)", recursive=True)
            _release_lease_of(status, operation)
            err.print(f"terminated the unfinished {instance_id} and its sub-orchestrations (--restart)")
            status = None
        if status is not None and not status.is_terminal:
            _refuse_if_plan_changed(status, plan)
            host.adopt(instance_id)
            record_resume(host, status)
            err.print(f"resuming {instance_id} (unfinished, started {status.created_at:%Y-%m-%d %H:%M:%S} UTC)")
        else:
            host.start_new(orchestrator, new_run(request, plan), instance_id=instance_id)
            err.print(f"started {instance_id} on the embedded Durable host")
        try:
            with _second_interrupt_leaves():
                final = _follow_through_pauses(host, instance_id, operation, options)
        except KeyboardInterrupt:
            _interrupted(host, instance_id, operation, options)
    if final.runtime_status is RuntimeStatus.SUSPENDED:
        return ExitCode.FAILED  # paused: said so, with how to go on
    if final.output is None:
        err.print(f"[bold red]{instance_id} ended {final.runtime_status.value}[/]: {final.failure or 'no report'}")
        return ExitCode.FAILED
    report = RunReport.model_validate(final.output)
    if options.json_output:
        out.print_json(json.dumps(report.model_dump(mode="json")))
    else:
        err.print(render_text_summary(report, options.plan_path))
    err.print(f"report: {', '.join(report.links) or 'not published'}", highlight=False, markup=False)
    return ExitCode.OK if report.status == "succeeded" else ExitCode.FAILED


EVENT_RAISED = 15  # EventRaised, in the history's numbering (the SDK's HistoryEventType)


def record_resume(host: DurableHost, status: InstanceStatus) -> None:
    """Tell the run it was picked up again (`resumed-<n>`); it records each one in its report, so the
    report says it was interrupted, with both start times (orchestrators/steps.py, `resumes`)."""
    prefix = Events.resumed(0)[:-1]
    earlier = sum(
        1
        for e in host.get_history(status.instance_id)
        if e.get("EventType") == EVENT_RAISED and str(e.get("Name", "")).startswith(prefix)
    )
    resume = Resume(at=host.clock.now().isoformat(), by=who(), previous_start=status.created_at.isoformat())
    host.raise_event(status.instance_id, Events.resumed(earlier + 1), resume.model_dump(mode="json"))


def _release_lease_of(status: InstanceStatus, operation: str) -> None:
    """The terminated run held its plan's lease; let go of exactly that run's lease (never another's)."""
    started = RunRequest.model_validate(status.input)
    if not started.run_id:
        return
    released = release_lease(
        LeaseRequest(
            plan=Plan.model_validate(started.plan).context().model_dump(mode="json"),
            operation=operation,  # type: ignore[arg-type]
            instance_id=status.instance_id,
            run_id=started.run_id,
        )
    )
    if not released.released and released.error:
        err.print(f"the terminated run's lease was not let go: {released.detail}", highlight=False, markup=False)


def _refuse_if_plan_changed(status: InstanceStatus, plan: Plan) -> None:
    """A resumed run must carry out the plan it was started with, or be restarted on purpose."""
    started_with = status.input.get("plan_sha256", "") if isinstance(status.input, dict) else ""
    now = plan.digest()
    if started_with == now:
        return
    then = f"sha256 {started_with}" if started_with else "a plan whose digest it did not record"
    raise RunRefused(
        f"{status.instance_id} is unfinished and was started with {then}; the plan file is now sha256 {now}. "
        "Restore the plan it started with to resume it, or run again with --restart to terminate it and "
        "start again from the current state"
    )


def run_quietly(orchestrator: str, instance_id: str, plan: Plan, settings: Settings) -> RunReport:
    """Run an orchestration to its end without showing progress (e.g. to set a simulation up)."""
    request = RunRequest.new(plan, started_by="simulation set-up", approved=True)
    with open_host(settings) as host:
        host.start_new(orchestrator, new_run(request, plan), instance_id=instance_id)
        status = host.wait_for_completion(instance_id)
    if status.output is None:
        raise RunRefused(f"the simulation set-up ({instance_id}) ended {status.runtime_status.value}: {status.failure}")
    return RunReport.model_validate(status.output)


def _follow_through_pauses(host: InboxHost, instance_id: str, operation: str, options: RunOptions) -> Any:
    """Follow the run to its end. A paused run is said so, with how to go on; the command then
    ends (the run waits in the state folder), except in a simulation, whose emulator lives in
    this process: it waits here for the resume."""
    while True:
        status = _follow(host, instance_id)
        if status.runtime_status is not RuntimeStatus.SUSPENDED:
            return status
        why = _suspension_reason(host, instance_id)
        resume = f"regionshift runs resume {options.plan_path}{' --simulate' if options.simulate else ''}"
        if not options.simulate:
            err.print(
                f"{instance_id} is paused ({why}). It holds in {host.state_dir} until `{resume}`; then run "
                f"`regionshift {operation} {options.plan_path}` to follow it here. Operations it had already "
                "started go on in Azure meanwhile.",
                highlight=False,
                markup=False,
            )
            return status
        err.print(
            f"{instance_id} is paused ({why}); waiting here for `{resume}` from another terminal "
            "(Ctrl-C ends the simulation)",
            highlight=False,
            markup=False,
        )
        while host.wait_for_completion(instance_id, timeout=0.5).runtime_status is RuntimeStatus.SUSPENDED:
            pass
        err.print(f"{instance_id} resumed", highlight=False, markup=False)


def _suspension_reason(host: DurableHost, instance_id: str) -> str:
    """The reason of the latest suspension (the pause command writes who paused it, and why)."""
    reasons = [e.get("Reason") for e in host.get_history(instance_id) if e.get("EventType") == SUSPENDED_EVENT]
    return str(reasons[-1]) if reasons and reasons[-1] else "paused"


@contextlib.contextmanager
def _second_interrupt_leaves() -> Iterator[None]:
    """While following: the first Ctrl-C is a KeyboardInterrupt (`_interrupted` says where the run
    goes on); any later one leaves at once, without a traceback, however soon it comes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    interrupts = 0

    def on_interrupt(signum: int, frame: Any) -> None:
        nonlocal interrupts
        interrupts += 1
        if interrupts > 1:
            _leave(130)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield
    finally:
        if interrupts == 0:
            signal.signal(signal.SIGINT, previous)


def _interrupted(host: InboxHost, instance_id: str, operation: str, options: RunOptions) -> NoReturn:
    """Ctrl-C while following: one line that says where the run goes on and how to resume it, then
    out at once (a second Ctrl-C meanwhile leaves without waiting: `_second_interrupt_leaves`)."""
    if options.simulate:
        line = (
            f"interrupted: the simulation ends here (its emulator ran in this process); "
            f"`regionshift {operation} {options.plan_path} --simulate` starts it again from the outage"
        )
    else:
        line = (
            f"interrupted: {instance_id} is kept in {host.state_dir} and goes on in this host from where it "
            f"stopped when you run `regionshift {operation} {options.plan_path}` again; operations it already "
            "started go on in Azure meanwhile"
        )
    err.print(line, highlight=False, markup=False)
    host.close()  # the store is closed cleanly and its lock let go before leaving
    _leave(130)


def _leave(code: int) -> NoReturn:
    """Exit now: activities still blocked in a request would otherwise hold the interpreter's exit
    (it joins their threads), and what they do is done again on resume (they read before acting)."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def _follow(host: DurableHost, instance_id: str) -> Any:
    """Show the run's branches live on stderr until it ends or is paused: a live table on a
    terminal, one line per change otherwise (CI logs, pipes)."""
    if not err.is_terminal:
        return _follow_lines(host, instance_id)
    reader = ProgressReader(host)
    with Live(console=err, refresh_per_second=8, transient=True, vertical_overflow="crop") as live:
        while True:
            status = host.wait_for_completion(instance_id, timeout=0.25)
            live.update(progress_table(_phase(status), reader.rows(instance_id), err.width, err.height))
            if status.is_terminal or status.runtime_status is RuntimeStatus.SUSPENDED:
                return status


def _follow_lines(host: DurableHost, instance_id: str) -> Any:
    seen: dict[tuple[str, str], str] = {}
    reader = ProgressReader(host)
    phase = ""
    while True:
        status = host.wait_for_completion(instance_id, timeout=0.25)
        if _phase(status) != phase:
            phase = _phase(status)
            err.print(f"phase: {phase}", highlight=False)
        for row in reader.rows(instance_id):
            key = (row.activity, row.resource)
            if seen.get(key) != row.status:
                seen[key] = row.status
                detail = f" — {row.detail}" if row.detail and row.status != "running" else ""
                err.print(f"  {row.status:<12} {row.activity} {row.resource}{detail}", highlight=False, markup=False)
        if status.is_terminal or status.runtime_status is RuntimeStatus.SUSPENDED:
            return status


def _phase(status: Any) -> str:
    if status.runtime_status is RuntimeStatus.SUSPENDED:
        return "paused"
    custom = status.custom_status if isinstance(status.custom_status, dict) else {}
    return phase_words(str(custom.get("phase", status.runtime_status.value)))


def _refuse_if_other_run(host: DurableHost, operation: str, plan: Plan) -> None:
    if operation not in EXCLUSIVE:
        return
    for other in EXCLUSIVE:
        status = host.get_status(instance_id_for(other, plan)) if other != operation else None
        if status is not None and not status.is_terminal:
            raise RunRefused(f"a {other} of plan {plan.name!r} is unfinished ({status.instance_id}); resume it first")


def who() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"
