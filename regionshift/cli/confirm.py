"""A person confirms a failover or failback that the CLI is about to run against Azure.

A failover changes production, and a forced one can lose data; typed at the wrong terminal, with
the wrong plan, it is a bad day made worse. So a run started from the CLI against Azure asks
first, naming the plan, the regions, where (ARM endpoint, subscription) and whether data loss is
allowed; the person types the plan's name to go on. `--yes` confirms for automation. A stdin that
is not a terminal (a script, CI) without `--yes` is refused: a pipe cannot be asked.

Nothing is asked with `--simulate`, nor against an emulator (an ARM endpoint on this machine):
nothing real can change there.
"""

from __future__ import annotations

import ipaddress
import sys
from typing import TextIO
from urllib.parse import urlsplit

from regionshift.cli.console import err
from regionshift.errors import RunRefused
from regionshift.plan import Plan
from regionshift.settings import Settings


def on_this_machine(arm_endpoint: str) -> bool:
    """An ARM endpoint on loopback: the emulator, never Azure."""
    host = (urlsplit(arm_endpoint).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def question(operation: str, plan: Plan, settings: Settings) -> str:
    primary, secondary = plan.regions.primary, plan.regions.secondary
    source, target = (primary, secondary) if operation == "failover" else (secondary, primary)
    if operation == "failback":
        loss = "planned failovers only: no data loss"
    elif plan.policy.data_loss == "allow":
        loss = (
            "data loss is ALLOWED (policy.data_loss: allow): while the primary does not answer, a forced "
            "failover may lose writes not yet replicated"
        )
    else:
        loss = "data loss is forbidden (policy.data_loss: forbid): planned failovers only"
    return (
        f"{operation.capitalize()} plan {plan.name!r} from {source} to {target} in Azure "
        f"({settings.arm_endpoint}, subscription {plan.subscription_id}); {loss}."
    )


def confirm_run(
    operation: str,
    plan: Plan,
    settings: Settings,
    *,
    simulate: bool,
    yes: bool,
    stdin: TextIO | None = None,
) -> None:
    """Return when the run may start; RunRefused (one line) when it may not."""
    if simulate or yes or on_this_machine(settings.arm_endpoint):
        return
    stdin = stdin or sys.stdin
    asked = question(operation, plan, settings)
    if not stdin.isatty():
        raise RunRefused(
            f"{asked} Not started: a person confirms this at a terminal, and stdin is not one; "
            "add --yes to confirm from a script"
        )
    err.print(asked, highlight=False, markup=False)
    err.print(f"Type the plan's name ({plan.name}) to go on: ", end="", highlight=False, markup=False)
    answer = stdin.readline()
    if answer.strip() != plan.name:
        raise RunRefused(f"not confirmed (the answer was not {plan.name!r}): nothing was started")
