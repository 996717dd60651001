"""`regionshift runs list|pause|resume|cancel`: see and steer the runs in a state folder.

The rules are `regionshift.control`'s, the same as the HTTP API's. Where they are carried out
depends on who holds the state folder (one process at a time, regionshift/host/lock.py): nobody,
and this command opens the store and acts on it itself; a running `regionshift failover` (or
failback, drill, serve), and the request goes through the folder's inbox to that process, which
acts on its own host and answers (regionshift.cli.inbox).

A run paused or resumed while no process drives it changes state only: it goes on when a command
drives it again (`regionshift failover PLAN` resumes an unfinished run from its history).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from rich.table import Table

from regionshift.cli import inbox
from regionshift.cli.console import err, out
from regionshift.cli.environment import simulation_state_dir
from regionshift.cli.exit_codes import ExitCode
from regionshift.cli.progress import phase_words
from regionshift.cli.runs import open_host, who
from regionshift.control import ControlRequest, answer_on_host
from regionshift.errors import InputError, RunRefused
from regionshift.host import StateInUse
from regionshift.plan import Plan, load_plan
from regionshift.settings import Settings

# How long the process that holds the state folder has to answer (it looks every 0.2 s; a pause
# or cancel lists the run's branches in passes for a second or two).
REPLY_SECONDS = 20.0


def runs_control(
    action: str,
    plan_path: Path | None,
    *,
    operation: str | None = None,
    simulate: bool = False,
    reason: str = "",
    json_output: bool = False,
) -> ExitCode:
    plan = load_plan(plan_path) if plan_path is not None else None
    if plan is None and (action != "list" or simulate):
        raise InputError(f"`regionshift runs {action}` needs the plan file (PLAN)")
    state_dir = _state_dir(plan, simulate)
    request = ControlRequest(
        action=action,  # type: ignore[arg-type]
        plan=plan.name if plan else "",
        operation=operation or "",
        by=who(),
        reason=reason,
    )
    if not (state_dir / "durable.sqlite").exists():
        where = f"{state_dir} (the state folder{' of simulations of this plan' if simulate else ''})"
        if action == "list":
            return _print_runs([], json_output)
        raise RunRefused(f"no runs in {where}")
    reply = ask(state_dir, request.model_dump(mode="json"))
    if not reply.get("ok"):
        message = str(reply.get("error") or "the request was not carried out")
        if reply.get("status") == 400:
            raise InputError(message)
        raise RunRefused(message)
    if action == "list":
        return _print_runs(reply.get("runs", []), json_output)
    if json_output:
        out.print_json(json.dumps(reply))
    else:
        err.print(reply.get("detail", ""), highlight=False, markup=False)
        if reply.get("driven") is False and action in ("resume", "cancel"):
            _say_how_to_drive(reply, plan_path, simulate)
    return ExitCode.OK


def _state_dir(plan: Plan | None, simulate: bool) -> Path:
    settings = Settings.from_env()
    if simulate and plan is not None:
        return simulation_state_dir(settings, plan)
    return settings.state_dir


def ask(state_dir: Path, request: dict[str, Any]) -> dict[str, Any]:
    """Carry the request out here if no process holds the state folder, else through its inbox."""
    try:
        host = open_host(dataclasses.replace(Settings.from_env(), state_dir=state_dir))
    except StateInUse as busy:
        return _through_inbox(state_dir, request, busy)
    try:
        return {**answer_on_host(host, request), "driven": False}
    finally:
        host.close()


def _through_inbox(state_dir: Path, request: dict[str, Any], busy: StateInUse) -> dict[str, Any]:
    request_id = inbox.post(state_dir, request)
    reply = inbox.wait_for_reply(state_dir, request_id, REPLY_SECONDS)
    if reply is not None:
        return {**reply, "driven": True}
    if inbox.withdraw(state_dir, request_id):
        try:  # it may just have ended: then nobody holds the folder any more
            host = open_host(dataclasses.replace(Settings.from_env(), state_dir=state_dir))
        except StateInUse:
            raise RunRefused(
                f"{busy}; it did not take the request within {REPLY_SECONDS:g} s (a regionshift without "
                "`runs` control, or it is stuck): nothing was changed"
            ) from None
        try:
            return {**answer_on_host(host, request), "driven": False}
        finally:
            host.close()
    raise RunRefused(
        f"the process holding {state_dir} took the request but did not answer within {REPLY_SECONDS:g} s; "
        "see `regionshift runs list` for what it did"
    )


def _say_how_to_drive(reply: dict[str, Any], plan_path: Path | None, simulate: bool) -> None:
    """No process drives the run here: it goes on when one does (a simulation's emulator is gone)."""
    run = str(reply.get("instance_id", ""))
    operation = run.split("-", 1)[0] if run else "failover"
    if simulate:
        line = (
            f"the simulation that ran {run} has ended, and its emulator with it: start a new one with "
            f"`regionshift {operation} {plan_path} --simulate`"
        )
    else:
        line = (
            f"no process drives {run} on this machine now: run `regionshift {operation} {plan_path}` to let it "
            "go on (it resumes from its history)"
        )
    err.print(line, highlight=False, markup=False)


def _print_runs(runs: list[dict[str, Any]], json_output: bool) -> ExitCode:
    if json_output:
        out.print_json(json.dumps({"runs": runs}))
        return ExitCode.OK
    if not runs:
        err.print("no runs")
        return ExitCode.OK
    table = Table(title="runs, newest first", title_justify="left")
    for column in ("run", "status", "phase", "started (UTC)"):
        table.add_column(column, no_wrap=column != "run", overflow="fold")
    for run in runs:
        status = "paused" if run["runtime_status"] == "Suspended" else str(run["runtime_status"]).lower()
        if run.get("cancelled_by"):
            status += f" ({run['cancelled_by']})"
        phase = phase_words(str(run["phase"])) if run.get("phase") else ""
        table.add_row(run["instance_id"], status, phase, str(run.get("created", ""))[:19])
    out.print(table)
    return ExitCode.OK
