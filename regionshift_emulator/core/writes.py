"""What ARM checks on every write before a resource provider sees it: may the caller perform the
action, and can the resource group's metadata be written.

- The emulated identity holds one role at subscription scope, like Contributor: every action (`*`)
  except `CONTRIBUTOR_NOT_ACTIONS` and the scenario's `missing_permissions`. A write (PUT, PATCH,
  DELETE, POST) whose action matches a notAction (`*` wildcards, case-insensitive, as role
  definitions match) answers 403 `AuthorizationFailed` in ARM's words (Learn, "Troubleshoot Azure
  RBAC"). Reads are not checked: the readiness checks ask the permissions API instead.
- "If a resource group's region is temporarily unavailable, you can't update resources in the
  resource group because the metadata is unavailable" (Learn, "What is Azure Resource Manager?",
  Resource groups). So a write to anything inside a group whose home region has Microsoft.Resources
  down fails, whichever region the resource itself is in; reads keep working ("the resources in other
  regions will still function as expected"). ARM's error code for this is not documented: the
  emulator answers as the home region's outage answers (504 GatewayTimeout by default, see
  `core.outages`), the harsher plausible reading, with a message that names the group and region.
"""

from __future__ import annotations

import fnmatch
from typing import TYPE_CHECKING

from regionshift_emulator.core.arm_paths import ArmPath
from regionshift_emulator.core.errors import AuthorizationFailed
from regionshift_emulator.core.store import group_id

if TYPE_CHECKING:
    from regionshift_emulator.core.state import EmulatorState

WRITE_METHODS = frozenset({"PUT", "PATCH", "DELETE", "POST"})
# Contributor's notActions (Learn, "Azure built-in roles": Contributor).
CONTRIBUTOR_NOT_ACTIONS = [
    "Microsoft.Authorization/*/Delete",
    "Microsoft.Authorization/*/Write",
    "Microsoft.Authorization/elevateAccess/Action",
    "Microsoft.Blueprint/blueprintAssignments/write",
    "Microsoft.Blueprint/blueprintAssignments/delete",
]


def not_actions(state: EmulatorState) -> list[str]:
    """The notActions of the caller's role: Contributor's and the scenario's `missing_permissions`."""
    return [*CONTRIBUTOR_NOT_ACTIONS, *state.scenario.missing_permissions]


def check_write(state: EmulatorState, method: str, path: ArmPath) -> None:
    """AuthorizationFailed (403), or the group home region's outage answer, for a write ARM refuses."""
    if method.upper() not in WRITE_METHODS:
        return
    action = path.action(method)
    if any(fnmatch.fnmatchcase(action.lower(), pattern.lower()) for pattern in not_actions(state)):
        raise AuthorizationFailed(state.issuer.principal_id, action, path.scope)
    if path.subscription and path.resource_group:
        group = state.store.get(group_id(path.subscription, path.resource_group))
        if group is not None:
            state.require_region_up(
                group.location,
                "resources",
                message=(
                    f"The resource group '{group.name}' is homed in region '{group.location}', which is "
                    "unavailable: its metadata cannot be updated, so the resources in it cannot be changed "
                    "until the region is back."
                ),
            )
