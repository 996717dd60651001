"""`regionshift serve`: the app's HTTP routes and timers on this machine, with the durable client
binding served by the embedded host, so a user can POST a real alert to localhost and watch the
failover run (against the emulator with `--simulate`).

Secrets: the function key comes from `REGIONSHIFT_FUNCTION_KEY`, or is generated for this session
and written to `<state dir>/serve-function-key` (readable by this user only, removed when serve
stops); serve prints where it is and its first characters, never the key itself, because terminals
are scrolled back, logged and shared. The approval signing key comes from `REGIONSHIFT_APPROVAL_KEY`,
or is generated for this session only (links then stop working when serve stops, which is right).
"""

from __future__ import annotations

import os
import secrets
import signal
import threading
from pathlib import Path
from typing import Annotated

import typer

from regionshift.approvals.tokens import KEY_SETTING
from regionshift.cli.console import err
from regionshift.cli.exit_codes import ExitCode
from regionshift.errors import InputError
from regionshift.plan import load_plan
from regionshift.settings import Settings

PlansOpt = Annotated[
    list[Path] | None,
    typer.Option("--plan", help="A plan file or folder to serve (repeatable; default: plans/).", metavar="PLAN"),
]
SimulateOpt = Annotated[bool, typer.Option("--simulate", help="Serve against an in-process emulator.")]
PortOpt = Annotated[int, typer.Option("--port", help="HTTP port on 127.0.0.1 (0: any free port).", metavar="PORT")]


def serve(plans: list[Path], *, simulate: bool, port: int, stop: threading.Event | None = None) -> ExitCode:
    """Serve until interrupted (or until `stop` is set)."""
    import function_app
    from regionshift.cli.environment import run_environment
    from regionshift.cli.runs import open_host
    from regionshift.serve import FunctionsHost, serve_http
    from regionshift.serve.server import bind
    from triggers.common import load_plans

    sources = plans or [Path(p) for p in os.environ.get("REGIONSHIFT_PLANS", "plans").split(os.pathsep)]
    os.environ["REGIONSHIFT_PLANS"] = os.pathsep.join(str(p) for p in sources)
    for source in sources:
        if source.is_file():
            load_plan(source)  # a broken plan named on the command line is an error, not a skip
    found = load_plans()
    if not found:
        raise InputError(f"no valid plan in {', '.join(map(str, sources))}")
    listener = bind(port=port)  # a busy port is said before an emulator or a host starts
    key, key_note, key_file = _function_key()
    try:
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
            serve_http(functions, server=listener)
            url = f"http://127.0.0.1:{listener.server_port}"
            os.environ.setdefault("REGIONSHIFT_PUBLIC_URL", url)
            functions.start_timers()
            err.print(f"serving {', '.join(sorted(found))} at {url}/api/ (function key: {key_note})", highlight=False)
            for function in functions.http:
                line = f"  {'/'.join(function.methods):5} /api/{function.route}  [{function.auth_level.lower()}]"
                err.print(line, markup=False, highlight=False)
            stopping = stop or threading.Event()
            if threading.current_thread() is threading.main_thread():
                signal.signal(signal.SIGTERM, lambda *_: stopping.set())  # `kill`, systemd: stop cleanly
            try:
                stopping.wait()
            finally:
                listener.shutdown()
                functions.close()
    finally:
        listener.server_close()
        if key_file is not None:
            key_file.unlink(missing_ok=True)
    return ExitCode.OK


KEY_FILE = "serve-function-key"


def _function_key() -> tuple[str, str, Path | None]:
    """(key, how to show it, the file holding a generated key)."""
    given = os.environ.get("REGIONSHIFT_FUNCTION_KEY")
    if given:
        return given, f"{masked(given)} from REGIONSHIFT_FUNCTION_KEY", None
    key = secrets.token_urlsafe(24)
    path = (Settings.from_env().state_dir / KEY_FILE).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)  # a file of another session, maybe with looser permissions
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as f:
        f.write(key + "\n")
    return key, f"{masked(key)}, generated for this session, in {path}", path


def masked(secret: str) -> str:
    """The first four characters and an ellipsis: enough to tell two keys apart, not to use one."""
    return f"{secret[:4]}…" if len(secret) >= 12 else "…"


def serve_command(plan: PlansOpt = None, simulate: SimulateOpt = False, port: PortOpt = 7071) -> None:
    """Serve the app's HTTP routes and timers locally (alerts, approvals, runs)."""
    from regionshift.cli.main import run_command

    run_command(lambda: serve(plan or [], simulate=simulate, port=port))
