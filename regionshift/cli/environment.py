"""Where a CLI run talks to: the ARM endpoint from the settings (Azure by default, or the
emulator's env file), or — with `--simulate` — an emulator started in-process from the plan.

Simulation only changes the environment the app reads its settings from; the app itself
cannot tell the difference.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from regionshift.azure.clients import AzureClients, reset_default_clients
from regionshift.errors import InputError, RunRefused
from regionshift.host.lock import StateLock
from regionshift.plan import Plan
from regionshift.settings import Settings

# What `--simulate` assumes happened when no scenario is given: the primary region is down.
DEFAULT_OUTAGE = "primary"
# The emulator's Azure-like latencies (minutes to build a scale set) run on a clock compressed this
# many times, so that a simulated run takes seconds. Reports are in real (compressed) time.
SIMULATION_SPEED = 60.0


@contextmanager
def run_environment(
    plan: Plan, *, simulate: bool, scenario_path: Path | None, default_scenario: str | None = DEFAULT_OUTAGE
) -> Iterator[Settings]:
    """Yield the settings a run uses; with `simulate`, while an in-process emulator serves."""
    if not simulate:
        yield azure_settings()
        return

    from regionshift_emulator.core.scenario import load_scenario
    from regionshift_emulator.server import Emulator

    scenario: Any = load_scenario(scenario_path) if scenario_path else _default_scenario(plan, default_scenario)
    state_dir = simulation_state_dir(Settings.from_env(), plan)
    _start_afresh(state_dir)  # every simulation starts from the pre-disaster state
    with Emulator(plan, scenario, workdir=state_dir) as emulator:
        env = {
            **emulator.env,
            "REGIONSHIFT_STATE_DIR": str(state_dir),
            # A simulation's run leases are its own: it excludes nothing real.
            "REGIONSHIFT_LEASE_DIR": str(state_dir / "leases"),
            # The emulator answers in (compressed) seconds; poll it at that pace.
            "REGIONSHIFT_POLLING_INTERVAL": os.environ.get("REGIONSHIFT_POLLING_INTERVAL", "0.2"),
            # Durable timers wait in the emulator's (compressed) seconds too.
            "REGIONSHIFT_HOST_CLOCK_SPEED": str(emulator.state.clock.speed),
            "REGIONSHIFT_ARM_BUDGET_SCALE": str(emulator.state.clock.speed),
        }
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        reset_default_clients()
        try:
            yield Settings.from_env()
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            reset_default_clients()


def simulation_state_dir(settings: Settings, plan: Plan) -> Path:
    """Where simulations of `plan` keep their state (their own store, leases and emulator files)."""
    return settings.state_dir / "simulate" / plan.name


def _start_afresh(state_dir: Path) -> None:
    """Empty a simulation's state folder, but only while holding its lock (regionshift/host/lock.py):
    a `serve --simulate` or another simulation using it right now is refused, naming it, and keeps
    its state. The lock file itself stays, so the lock it carries is the one the next host takes."""
    lock = StateLock.acquire(state_dir / "durable.sqlite")  # StateInUse names the holder
    try:
        for entry in state_dir.iterdir():
            if entry == lock.path:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
    finally:
        lock.release()


def azure_settings() -> Settings:
    """The settings of a run against the ARM endpoint the environment names, once it is known that
    the CA bundle is there and a token can be had."""
    _absolute_ca_bundle()
    reset_default_clients()
    settings = Settings.from_env()
    _check_sign_in(settings)
    return settings


CA_SETTINGS = ("REGIONSHIFT_CA_BUNDLE", "REQUESTS_CA_BUNDLE")


def _absolute_ca_bundle() -> None:
    """A CA bundle given by a relative path is read from the current folder, once, here: the SDK
    would otherwise resolve it wherever it happens to open it. A bundle that is not there is one
    line, not a TLS traceback from the first request."""
    for name in CA_SETTINGS:
        value = os.environ.get(name)
        if not value:
            continue
        path = Path(value).expanduser().resolve()
        if not path.is_file():
            raise InputError(f"{name}: no CA bundle at {path}")
        os.environ[name] = str(path)


def _check_sign_in(settings: Settings) -> None:
    """Get one token before anything starts: without a credential every step would fail one by
    one; better to say so once, before a run exists."""
    from azure.core.exceptions import ClientAuthenticationError

    try:
        AzureClients(settings).credential.get_token(settings.scope)
    except ClientAuthenticationError as exc:
        first = str(exc.message or exc).strip().splitlines()[0]
        raise RunRefused(
            f"cannot sign in to {settings.arm_endpoint} ({first}); run where a managed identity, "
            "`az login` or AZURE_* credentials are available, or use --simulate"
        ) from None


def _default_scenario(plan: Plan, which: str | None) -> dict[str, Any]:
    if which == "primary":
        return {"outage": [plan.regions.primary], "speed": SIMULATION_SPEED}
    return {"speed": SIMULATION_SPEED}
