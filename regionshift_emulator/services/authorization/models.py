"""The caller's effective permissions, as ARM's permissions API reports them: state and rules, no HTTP.

The emulated identity holds one role at subscription scope, like Contributor: every action (`*`)
except writing role assignments and policy. The scenario's `missing_permissions` adds action
patterns to that role's notActions, so a test can take away exactly the permission a failover
needs and see the readiness check find it. Reads are not enforced on other calls: the emulator
answers a write the identity "may not" do; the permissions API is what tells.
"""

from __future__ import annotations

from typing import Any

from regionshift_emulator.core.errors import ResourceGroupNotFound
from regionshift_emulator.core.service import Backend
from regionshift_emulator.services.resources.models import ResourceGroupsBackend

CONTRIBUTOR_NOT_ACTIONS = [
    "Microsoft.Authorization/*/Delete",
    "Microsoft.Authorization/*/Write",
    "Microsoft.Authorization/elevateAccess/Action",
    "Microsoft.Blueprint/blueprintAssignments/write",
    "Microsoft.Blueprint/blueprintAssignments/delete",
]


class AuthorizationBackend(Backend):
    def permissions(self, subscription_id: str, resource_group: str) -> list[dict[str, Any]]:
        """The permission entries of the caller at a resource group (404 when it does not exist)."""
        if not self.state.backend(ResourceGroupsBackend).exists(subscription_id, resource_group):
            raise ResourceGroupNotFound(resource_group)
        return [
            {
                "actions": ["*"],
                "notActions": [*CONTRIBUTOR_NOT_ACTIONS, *self.state.scenario.missing_permissions],
                "dataActions": [],
                "notDataActions": [],
            }
        ]

    def snapshot(self) -> dict[str, Any]:
        return {"missing_permissions": list(self.state.scenario.missing_permissions)}
