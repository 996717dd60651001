"""The caller's effective permissions, as ARM's permissions API reports them: state and rules, no HTTP.

The emulated identity holds one role at subscription scope, like Contributor: every action (`*`)
except writing role assignments and policy. The scenario's `missing_permissions` adds action
patterns to that role's notActions, so a test can take away exactly the permission a failover
needs and see the readiness check find it. ARM enforces the same notActions on writes
(`core.writes`): a write the role excludes answers 403 AuthorizationFailed.
"""

from __future__ import annotations

from typing import Any

from regionshift_emulator.core.errors import ResourceGroupNotFound
from regionshift_emulator.core.service import Backend
from regionshift_emulator.core.writes import not_actions
from regionshift_emulator.services.resources.models import ResourceGroupsBackend


class AuthorizationBackend(Backend):
    def permissions(self, subscription_id: str, resource_group: str) -> list[dict[str, Any]]:
        """The permission entries of the caller at a resource group (404 when it does not exist)."""
        if not self.state.backend(ResourceGroupsBackend).exists(subscription_id, resource_group):
            raise ResourceGroupNotFound(resource_group)
        return [
            {
                "actions": ["*"],
                "notActions": not_actions(self.state),
                "dataActions": [],
                "notDataActions": [],
            }
        ]

    def snapshot(self) -> dict[str, Any]:
        return {"missing_permissions": list(self.state.scenario.missing_permissions)}
