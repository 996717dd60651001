"""`regionshift serve`: the app's HTTP routes and timers on this machine, with the durable client
binding served by the embedded host, so a user can POST a real alert to localhost and watch the
failover run (against the emulator with `--simulate`).

Secrets: the function key comes from `REGIONSHIFT_FUNCTION_KEY` or is generated and printed once
(it is a local, per-session key); the approval signing key from `REGIONSHIFT_APPROVAL_KEY`, or one
generated for this session only (links then stop working when serve stops, which is right).
"""

from __future__ import annotations

import os
import secrets
import threading
from pathlib import Path
from typing import Annotated

import typer

from regionshift.approvals.tokens import KEY_SETTING
from regionshift.cli.console import err
from regionshift.cli.exit_codes import ExitCode
from regionshift.errors import InputError
from regionshift.plan import load_plan

PlansOpt = Annotated[
    list[Path] | None, typer.Option("--plan", help="A plan file or folder to serve (repeatable; default: plans/).")
]
SimulateOpt = Annotated[bool, typer.Option("--simulate", help="Serve against an in-process emulator.")]
PortOpt = Annotated[int, typer.Option("--port", help="HTTP port on 127.0.0.1 (0: any free port).")]


def serve(plans: list[Path], *, simulate: bool, port: int, stop: threading.Event | None = None) -> ExitCode:
    """Serve until interrupted (or until `stop` is set)."""
    import function_app
    from regionshift.cli.environment import run_environment
    from regionshift.cli.runs import open_host
    from regionshift.serve import FunctionsHost, serve_http
    from triggers.common import load_plans

    sources = plans or [Path(p) for p in os.environ.get("REGIONSHIFT_PLANS", "plans").split(os.pathsep)]
    os.environ["REGIONSHIFT_PLANS"] = os.pathsep.join(str(p) for p in sources)
    for source in sources:
        if source.is_file():
            load_plan(source)  # a broken plan named on the command line is an error, not a skip
    found = load_plans()
    if not found:
        raise InputError(f"no valid plan in {', '.join(map(str, sources))}")
    key = os.environ.get("REGIONSHIFT_FUNCTION_KEY") or secrets.token_urlsafe(24)
    if not os.environ.get(KEY_SETTING):
        os.environ[KEY_SETTING] = secrets.token_urlsafe(48)
        err.print(f"{KEY_SETTING} not set: approval links are signed with a key for this session only")
    first = next(iter(found.values()))
    from regionshift.host import everything

    # The Functions app owns its whole task hub: serve, standing in for it, drives every instance.
    with (
        run_environment(first, simulate=simulate, scenario_path=None) as settings,
        open_host(settings, owns=everything) as host,
    ):
        functions = FunctionsHost(function_app.app, host.serve_client_api(), function_key=key)
        server = serve_http(functions, port=port)
        url = f"http://127.0.0.1:{server.server_port}"
        os.environ.setdefault("REGIONSHIFT_PUBLIC_URL", url)
        functions.start_timers()
        err.print(f"serving {', '.join(sorted(found))} at {url}/api/ (function key: {key})", highlight=False)
        for function in functions.http:
            line = f"  {'/'.join(function.methods):5} /api/{function.route}  [{function.auth_level.lower()}]"
            err.print(line, markup=False, highlight=False)
        try:
            (stop or threading.Event()).wait()
        finally:
            server.shutdown()
            functions.close()
    return ExitCode.OK


def serve_command(plan: PlansOpt = None, simulate: SimulateOpt = False, port: PortOpt = 7071) -> None:
    """Serve the app's HTTP routes and timers locally (alerts, approvals, runs)."""
    from regionshift.cli.main import run_command

    run_command(lambda: serve(plan or [], simulate=simulate, port=port))
