"""The `regionshift` entry point: registers the subcommands and maps errors to exit codes.

Each subcommand lives in its own module; this file only parses arguments and turns the library's
exceptions into one clear line and an exit code (never a traceback).
"""

from __future__ import annotations

import importlib
import importlib.metadata
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from regionshift.cli.console import err, out
from regionshift.cli.exit_codes import ExitCode
from regionshift.cli.serve import serve_command
from regionshift.errors import InputError, PlanError, RegionshiftError, RunRefused
from regionshift.settings import Settings


class _PlainFlags:
    """Help without Python types beside flags (`--simulate <bool>`, `--help <bool>`): a flag
    takes no value, so it shows none. Options that take one name it with their metavar."""

    def get_params(self, ctx: Any) -> list[Any]:
        params: list[Any] = super().get_params(ctx)  # type: ignore[misc]
        for param in params:
            if getattr(param, "is_flag", False) and param.metavar is None:
                param.metavar = ""
        return params


class _Group(_PlainFlags, TyperGroup):
    pass


class _Command(_PlainFlags, TyperCommand):
    pass


app = typer.Typer(
    name="regionshift",
    help="Fail a two-region Azure workload over, back, and drill that it can.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=_Group,
)

PlanArg = Annotated[Path, typer.Argument(help="The plan file (YAML).", show_default=False, metavar="PLAN")]
Simulate = Annotated[bool, typer.Option("--simulate", help="Run against an in-process emulator seeded from the plan.")]
ScenarioOpt = Annotated[Path | None, typer.Option("--scenario", help="Emulator scenario (YAML).", metavar="FILE")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the run report as JSON on stdout.")]
ReportDir = Annotated[Path, typer.Option("--report-dir", help="Where run reports are written.", metavar="DIR")]
BreakLease = Annotated[
    bool,
    typer.Option(
        "--break-lease",
        help="Break glass: take the plan's run lease from the run that holds it (on any host). "
        "Only when that run is gone; the report names who held it and who broke it.",
    ),
]


def _print_version(value: bool) -> None:
    if value:
        out.print(f"regionshift {importlib.metadata.version('regionshift')}", highlight=False)
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", help="Print the version and exit.", callback=_print_version, is_eager=True)
    ] = False,
) -> None:
    """Fail a two-region Azure workload over, back, and drill that it can."""


Force = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Go on although a readiness check failed or could not be answered about the secondary "
        "(the report lists them). Without it such a failover stops before any write.",
    ),
]
Restart = Annotated[
    bool,
    typer.Option(
        "--restart",
        help="Terminate an unfinished run of this operation (and its sub-orchestrations) and start "
        "again from the current state, e.g. after the plan file changed.",
    ),
]


def run_command(action: Callable[[], ExitCode]) -> None:
    """Run a subcommand, mapping the one exception hierarchy to exit codes in one place."""
    try:
        code = action()
    except PlanError as exc:
        for problem in exc.problems:
            err.print(f"{exc.source}: {problem}", highlight=False, markup=False)
        code = ExitCode.BAD_INPUT
    except InputError as exc:
        err.print(f"error: {exc}", highlight=False, markup=False)
        code = ExitCode.BAD_INPUT
    except RunRefused as exc:
        err.print(f"refused: {exc}", highlight=False, markup=False)
        code = ExitCode.FAILED
    except RegionshiftError as exc:
        err.print(f"error: {exc}", highlight=False, markup=False)
        code = ExitCode.FAILED
    except typer.Exit:
        raise
    except Exception as exc:  # a bug: one line here, the traceback in a file for the bug report
        first = (str(exc).strip().splitlines() or [""])[0][:300]
        err.print(
            f"internal error (a bug in regionshift): {type(exc).__name__}: {first}; "
            f"the traceback is in {_save_traceback()}",
            highlight=False,
            markup=False,
        )
        code = ExitCode.FAILED
    raise typer.Exit(int(code))


def _save_traceback() -> str:
    import tempfile
    import traceback
    from datetime import UTC, datetime

    text = traceback.format_exc()
    try:
        folder = Settings.from_env().state_dir
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"crash-{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}.txt"
        path.write_text(text, encoding="utf-8")
    except OSError:
        handle, name = tempfile.mkstemp(prefix="regionshift-crash-", suffix=".txt")
        with os.fdopen(handle, "w", encoding="utf-8") as f:
            f.write(text)
        return name
    return str(path.resolve())


@app.command(cls=_Command)
def validate(plan: PlanArg) -> None:
    """Check a plan file: exit 0 if valid, 2 with one line per problem."""
    from regionshift.cli.validate import validate as run

    run_command(lambda: run(plan))


@app.command(cls=_Command)
def schema() -> None:
    """Print the plan file's JSON Schema (committed as plan.schema.json)."""
    from regionshift.cli.validate import plan_schema

    out.file.write(plan_schema())


@app.command(cls=_Command)
def emulator(
    plan: Annotated[Path, typer.Option("--plan", help="Seed the emulator from this plan.", metavar="PLAN")],
    env_file: Annotated[Path, typer.Option("--env-file", help="Where to write the `export` lines.", metavar="FILE")],
    port: Annotated[int, typer.Option("--port", help="HTTPS port (0: any free port).", metavar="PORT")] = 0,
    scenario: ScenarioOpt = None,
) -> None:
    """Serve the Azure emulator until stopped."""
    from regionshift_emulator.server import run

    # Absolute, so that the env file's paths (the CA bundle beside it) work from any folder.
    env_file = env_file.resolve()
    env_file.parent.mkdir(parents=True, exist_ok=True)
    raise typer.Exit(run(plan, port, env_file, scenario))


app.command(name="serve", cls=_Command)(serve_command)


@app.command(cls=_Command)
def check(
    plan: PlanArg,
    simulate: Simulate = False,
    scenario: ScenarioOpt = None,
    json_output: JsonOpt = False,
    report_dir: ReportDir = Path("reports"),
    drift: Annotated[
        bool,
        typer.Option(
            "--drift",
            help="Also compare the plan with the estate: pairs it lacks, and resources of it that are gone.",
        ),
    ] = False,
) -> None:
    """Would a failover work right now? Exit 1 if a required readiness check fails."""
    from regionshift.cli.check import check as run

    run_command(
        lambda: run(
            plan, simulate=simulate, scenario=scenario, json_output=json_output, report_dir=report_dir, drift=drift
        )
    )


@app.command(cls=_Command)
def discover(
    subscription: Annotated[
        list[str],
        typer.Option(
            "--subscription", help="A subscription to read (repeatable; the first is the plan's).", metavar="ID"
        ),
    ],
    primary: Annotated[str, typer.Option("--primary", help="The primary region (e.g. eastus2).", metavar="REGION")],
    secondary: Annotated[
        str, typer.Option("--secondary", help="The secondary region (e.g. centralus).", metavar="REGION")
    ],
    resource_group: Annotated[
        list[str] | None,
        typer.Option(
            "--resource-group", help="Read only these groups (repeatable; name both sides' groups).", metavar="RG"
        ),
    ] = None,
    zone: Annotated[
        list[str] | None,
        typer.Option(
            "--zone", help="DNS zones to read records from (repeatable; default: every zone).", metavar="ZONE"
        ),
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="The plan's name (default dr-<primary>-<secondary>).", metavar="NAME")
    ] = None,
    failover_resource_group: Annotated[
        str | None,
        typer.Option(
            "--failover-resource-group", help="The group failovers create (default <name>-failover).", metavar="RG"
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the plan here (default: stdout).", metavar="FILE")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the output file if it exists.")] = False,
) -> None:
    """Read the live estate and write a plan: every pair of the two regions, with a comment on every choice."""
    from regionshift.cli.discover import discover as run

    run_command(
        lambda: run(
            subscriptions=subscription,
            primary=primary,
            secondary=secondary,
            groups=resource_group or [],
            zones=zone or None,
            name=name,
            failover_group=failover_resource_group,
            output=output,
            force=force,
        )
    )


@app.command(name="plan", cls=_Command)
def plan_command(
    plan: PlanArg,
    simulate: Simulate = False,
    scenario: ScenarioOpt = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the steps as JSON on stdout.")] = False,
    report_dir: Annotated[
        Path,
        typer.Option("--report-dir", help="Where earlier runs' reports are (the forecast's history).", metavar="DIR"),
    ] = Path("reports"),
) -> None:
    """Dry run: the steps a failover would take now and its RTO forecast, changing nothing. Exit 1 if one would fail."""
    from regionshift.cli.dryrun import dry_run

    run_command(
        lambda: dry_run(plan, simulate=simulate, scenario=scenario, json_output=json_output, report_dir=report_dir)
    )


# The runs: each `regionshift <operation> PLAN` runs that orchestration on the embedded host.
RUNS = {
    "failover": "Fail the workload over to the secondary region.",
    "failback": "Fail the workload back to the primary region (planned, no data loss).",
    "drill": "Drill the failover's compute in a resource group of its own; never touches production.",
}


# Operations that change production: a person starting one against Azure confirms it (cli/confirm.py).
CONFIRMED = ("failover", "failback")


def _run_command(operation: str, help_text: str) -> Callable[..., None]:
    def command(
        plan: PlanArg,
        simulate: Simulate = False,
        scenario: ScenarioOpt = None,
        json_output: JsonOpt = False,
        report_dir: ReportDir = Path("reports"),
        break_lease: BreakLease = False,
        restart: Restart = False,
        force: Force = False,
        yes: bool = False,
    ) -> None:
        from regionshift.cli.runs import RunOptions

        run = getattr(importlib.import_module(f"regionshift.cli.{operation}"), operation)
        options = RunOptions(
            json_output,
            report_dir,
            restart=restart,
            break_lease=break_lease,
            force=force,
            simulate=simulate,
            plan_path=str(plan),
            yes=yes,
        )
        run_command(lambda: run(plan, simulate=simulate, scenario=scenario, options=options))

    command.__doc__ = help_text
    # `--yes` where the run asks first; a drill never asks (it cannot touch production).
    command.__annotations__["yes"] = Annotated[
        bool,
        typer.Option(
            "--yes",
            help="Confirm without asking (for automation). Against Azure, without it, the command names the "
            "plan, the regions and whether data loss is allowed, and asks for the plan's name.",
            hidden=operation not in CONFIRMED,
        ),
    ]
    return command


for _operation, _help in RUNS.items():
    app.command(name=_operation, cls=_Command)(_run_command(_operation, _help))


runs_app = typer.Typer(
    help="See and steer runs: list them, pause, resume or cancel one (also from another terminal).",
    no_args_is_help=True,
    cls=_Group,
)
app.add_typer(runs_app, name="runs")
RunPlanArg = Annotated[Path, typer.Argument(help="The plan file of the run.", show_default=False, metavar="PLAN")]
OperationOpt = Annotated[
    str | None,
    typer.Option(
        "--operation",
        help="failover, failback or drill: which run of the plan (needed only when several are unfinished).",
        metavar="OPERATION",
    ),
]
SimulatedOpt = Annotated[
    bool, typer.Option("--simulate", help="The run is a simulation (`regionshift failover PLAN --simulate`).")
]
ReasonOpt = Annotated[str, typer.Option("--reason", help="Why (recorded with who did it).", metavar="TEXT")]


def _control(action: str, plan: Path | None, **options: Any) -> None:
    from regionshift.cli.runs_control import runs_control

    run_command(lambda: runs_control(action, plan, **options))


@runs_app.command(name="list", cls=_Command)
def runs_list(
    plan: Annotated[
        Path | None, typer.Argument(help="Only this plan's runs.", show_default=False, metavar="[PLAN]")
    ] = None,
    simulate: SimulatedOpt = False,
    json_output: JsonOpt = False,
) -> None:
    """The runs in the state folder, newest first: status, phase, who cancelled."""
    _control("list", plan, simulate=simulate, json_output=json_output)


@runs_app.command(name="pause", cls=_Command)
def runs_pause(
    plan: RunPlanArg, operation: OperationOpt = None, simulate: SimulatedOpt = False, reason: ReasonOpt = ""
) -> None:
    """Pause the plan's run: it and its branches hold (Durable suspend); what runs finishes."""
    _control("pause", plan, operation=operation, simulate=simulate, reason=reason)


@runs_app.command(name="resume", cls=_Command)
def runs_resume(
    plan: RunPlanArg, operation: OperationOpt = None, simulate: SimulatedOpt = False, reason: ReasonOpt = ""
) -> None:
    """Resume the plan's paused run."""
    _control("resume", plan, operation=operation, simulate=simulate, reason=reason)


@runs_app.command(name="cancel", cls=_Command)
def runs_cancel(
    plan: RunPlanArg, operation: OperationOpt = None, simulate: SimulatedOpt = False, reason: ReasonOpt = ""
) -> None:
    """Cancel the plan's run: nothing new starts, DNS is not switched; what runs finishes or times out."""
    _control("cancel", plan, operation=operation, simulate=simulate, reason=reason)


def main() -> None:
    # Azure SDK warnings (each credential it tried, each retry) would bury the run's own output;
    # every failure that matters reaches the user as a step's reason or one error line.
    logging.getLogger("azure").setLevel(logging.ERROR)
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted: the run's progress is kept; run the same command again to resume it")
        sys.exit(130)
