"""Resource groups (Microsoft.Resources): state and rules, no HTTP.

A group is a `Resource` in the shared store; its location is its home region, where ARM keeps its
metadata (`core.writes` refuses writes inside a group whose home is down; making a new group needs
its home region up, as that is where it is written). Deleting it is a long-running operation that,
when it completes, removes the group and every resource under its id, whichever service owns them;
it is polled on ARM's deletion-job URL (`core.lro.RESOURCE_GROUP_DELETE`).
"""

from __future__ import annotations

from typing import Any

from regionshift_emulator.core.errors import Conflict, InvalidRequestContent
from regionshift_emulator.core.lro import RESOURCE_GROUP_DELETE, Operation
from regionshift_emulator.core.regions import UnknownRegion, short_name
from regionshift_emulator.core.service import Backend
from regionshift_emulator.core.store import Resource, group_id

GROUP_TYPE = "Microsoft.Resources/resourceGroups"
DELETE_OPERATION = "resources.deleteGroup"


class ResourceGroupsBackend(Backend):
    def create_or_update(
        self, subscription_id: str, name: str, location: str, tags: dict[str, str] | None = None
    ) -> tuple[Resource, bool]:
        """(group, created). The location of an existing group cannot change, as in ARM."""
        try:
            region = short_name(location)
        except UnknownRegion as exc:
            raise InvalidRequestContent(str(exc), code="LocationNotAvailableForResourceGroup") from None
        existing = self.state.store.get(group_id(subscription_id, name))
        if existing is not None:
            if existing.properties.get("provisioningState") == "Deleting":
                raise Conflict(
                    f"The resource group '{existing.name}' is in deprovisioning state and cannot perform this "
                    "operation.",
                    code="ResourceGroupBeingDeleted",
                )
            if existing.location != region:
                raise Conflict(
                    f"Invalid resource group location '{region}'. The Resource group already exists in location "
                    f"'{existing.location}'.",
                    code="InvalidResourceGroupLocation",
                )
            if tags is not None:
                existing.tags = dict(tags)
            existing.touch()
            return existing, False
        self.state.require_region_up(region, "resources")
        group = Resource(
            id=group_id(subscription_id, name),
            type=GROUP_TYPE,
            location=region,
            properties={"provisioningState": "Succeeded"},
            tags=dict(tags or {}),
        )
        return self.state.store.put(group), True

    def get(self, subscription_id: str, name: str) -> Resource:
        return self.state.store.require_group(subscription_id, name)

    def exists(self, subscription_id: str, name: str) -> bool:
        return self.state.store.get(group_id(subscription_id, name)) is not None

    def begin_delete(self, subscription_id: str, name: str) -> Operation:
        group = self.get(subscription_id, name)
        group.properties["provisioningState"] = "Deleting"
        store = self.state.store

        def complete() -> None:
            store.delete_tree(group.id)

        def failed() -> None:  # the group stays, with what it still holds
            group.properties["provisioningState"] = "Succeeded"

        return self.state.operations.start(
            kind=DELETE_OPERATION,
            resource_id=group.id,
            location=group.location,
            duration=self.state.operation_duration(DELETE_OPERATION),
            complete=complete,
            style=RESOURCE_GROUP_DELETE,
            on_fail=failed,
        )

    def list_groups(self, subscription_id: str) -> list[Resource]:
        prefix = f"/subscriptions/{subscription_id}/resourcegroups/"
        return [r for r in self.state.store.of_type(GROUP_TYPE) if r.key.startswith(prefix.lower())]

    def list_resources(self, subscription_id: str, name: str) -> list[Resource]:
        """The top-level resources in a group, whichever service owns them (Resources - List By
        Resource Group: `GET .../resourcegroups/{group}/resources`, specification/resources/
        resource-manager/Microsoft.Resources in Azure/azure-rest-api-specs). Child resources
        (a server's failover groups, a zone's record sets) are not listed, as in ARM."""
        group = self.get(subscription_id, name)
        depth = len(group.id.strip("/").split("/")) + 4  # + providers/{namespace}/{type}/{name}
        found = [r for r in self.state.store.under(group.id) if len(r.id.strip("/").split("/")) == depth]
        return sorted(found, key=lambda r: r.key)

    def snapshot(self) -> dict[str, Any]:
        return {"groups": sorted(r.id for r in self.state.store.of_type(GROUP_TYPE))}
